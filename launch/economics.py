"""Terrestrial reference figures and payback views for capex per GW in orbit.

The figures (USD) are order-of-magnitude references as quoted in public reporting when the project began (press
and analyst estimates, not one citable publication): compare against them, do not calibrate to them.
"""

from __future__ import annotations

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
# Revenue per GW-year, USD.
REVENUE_USD_PER_GW_YR = {
    "neocloud": (10e9, 10e9),
    "CSP": (15e9, 15e9),
    "xAI leases (implied)": (30e9, 45e9),
}


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
