"""Terrestrial reference figures: data-centre capex, revenue per GW-year and the lease contracts they come from.

The figures (USD) are order-of-magnitude references as quoted in public reporting in 2026 (press and analyst
estimates, not one citable publication): compare against them, do not calibrate to them. Revenue per GW of
the two lease contracts is derived here from the contracts' own figures (yearly revenue, IT power, PUE), not
typed in.
"""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp
import pandas as pd

from launch import validation as v

# Capex per GW of terrestrial AI data centres, USD/GW: (low, high).
TERRESTRIAL_CAPEX_USD_PER_GW = {
    "new 1 GW AI data centre": (40e9, 60e9),
    "xAI (Colossus-class)": (26.5e9, 30e9),
}
# Building shell alone, USD/GW ($3M/MW vs $10M/MW).
SHELL_CAPEX_USD_PER_GW = {"shell, low": 3e9, "shell, high": 10e9}
# Revenue per GW-year, USD, as quoted (per GW of facility power).
REVENUE_USD_PER_GW_YR = {
    "neocloud": (10e9, 10e9),
    "CSP": (15e9, 15e9),
    "xAI leases (implied)": (30e9, 45e9),
}


@dataclasses.dataclass(frozen=True)
class LeaseContract:
    """A reported compute lease: yearly revenue, the IT power it rents (W), the facility's PUE range and, where
    reported, the number of accelerators."""

    name: str
    revenue_usd_per_yr: float
    it_power_w: float
    pue_low: float
    pue_high: float
    accelerators: float | None = None

    def revenue_usd_per_gw_facility_yr(self) -> tuple[float, float]:
        """(low, high) revenue per GW-year of facility power (IT power x PUE): high PUE gives the low figure."""
        it_gw = self.it_power_w / 1e9
        return self.revenue_usd_per_yr / (it_gw * self.pue_high), self.revenue_usd_per_yr / (it_gw * self.pue_low)

    def revenue_usd_per_gw_it_yr(self) -> float:
        """Revenue per GW-year of IT (compute) power: the basis of a satellite's compute power."""
        return self.revenue_usd_per_yr / (self.it_power_w / 1e9)

    def accelerator_power_w(self) -> float | None:
        """IT power per accelerator, where the contract gives the count."""
        return None if self.accelerators is None else self.it_power_w / self.accelerators


# As reported in 2026: xAI's lease of Colossus capacity to Anthropic, $15B a year for ~330 MW of IT power in a
# facility at PUE 1.3-1.5; Google's lease of 110,000 GB300 accelerators (~220 MW of IT power) for $11B a year at
# PUE 1.1-1.2.
CONTRACTS = (
    LeaseContract("xAI-Anthropic lease (Colossus)", 15e9, 330e6, 1.3, 1.5),
    LeaseContract("Google lease (110,000 GB300)", 11e9, 220e6, 1.1, 1.2, accelerators=110_000),
)


def revenue_references() -> pd.DataFrame:
    """Revenue per GW-year: the quoted references and the two contracts, per GW of facility power (low, high)
    and, for the contracts, per GW of IT power."""
    rows = [
        dict(reference=name, usd_per_gw_facility_yr_low=low, usd_per_gw_facility_yr_high=high, usd_per_gw_it_yr=None)
        for name, (low, high) in REVENUE_USD_PER_GW_YR.items()
    ]
    for contract in CONTRACTS:
        low, high = contract.revenue_usd_per_gw_facility_yr()
        rows.append(
            dict(
                reference=contract.name,
                usd_per_gw_facility_yr_low=low,
                usd_per_gw_facility_yr_high=high,
                usd_per_gw_it_yr=contract.revenue_usd_per_gw_it_yr(),
            )
        )
    table = pd.DataFrame(rows)
    # The quoted references give no IT-power basis: missing (<NA>), not a number.
    table["usd_per_gw_it_yr"] = table["usd_per_gw_it_yr"].astype("Float64")
    return table


def payback_years(capex_usd_per_gw, revenue_usd_per_gw_yr, opex_usd_per_gw_yr=0.0):
    """Simple payback in years = capex / (revenue - opex), per GW. Traceable; validates concrete inputs."""
    c = v.check_range("capex_usd_per_gw", v.to_array("capex_usd_per_gw", capex_usd_per_gw), 0.0, unit="USD/GW")
    r = v.check_range(
        "revenue_usd_per_gw_yr",
        v.to_array("revenue_usd_per_gw_yr", revenue_usd_per_gw_yr),
        0.0,
        low_open=True,
        unit="USD/GW/yr",
    )
    o = v.check_range("opex_usd_per_gw_yr", v.to_array("opex_usd_per_gw_yr", opex_usd_per_gw_yr), 0.0, unit="USD/GW/yr")
    if v.is_concrete_number(r) and v.is_concrete_number(o):
        v.check_greater("revenue_usd_per_gw_yr", r, "opex_usd_per_gw_yr", o, unit="USD/GW/yr")
    return jnp.asarray(c) / (jnp.asarray(r) - o)


def capex_comparison(capex_usd_per_gw: float) -> pd.DataFrame:
    """One orbital capex per GW against the terrestrial references, with payback at each revenue reference.

    Rows: the orbital figure and each terrestrial reference (low and high); columns: capex per GW, ratio to the
    orbital figure, and simple payback years at each revenue per GW-year reference (mid of its range).
    """
    c = float(v.check_range("capex_usd_per_gw", capex_usd_per_gw, 0.0, low_open=True, unit="USD/GW"))
    rows = [("orbital (this projection)", c)]
    for name, (low, high) in TERRESTRIAL_CAPEX_USD_PER_GW.items():
        rows += [(f"{name}, low", low), (f"{name}, high", high)]
    table = pd.DataFrame(rows, columns=["reference", "capex_usd_per_gw"])
    table["ratio_to_orbital"] = table["capex_usd_per_gw"] / c
    for name, (low, high) in REVENUE_USD_PER_GW_YR.items():
        table[f"payback_yr_{name}"] = table["capex_usd_per_gw"] / (0.5 * (low + high))
    return table
