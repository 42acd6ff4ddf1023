"""Mass to power, launch counts and launch prices: arrays in, arrays out; traceable under jit, grad and vmap.

Concrete inputs are validated eagerly; traced inputs go straight to the arithmetic.
"""

from __future__ import annotations

import jax.numpy as jnp

from launch import validation as v
from launch.core import curves
from launch.core.projection import GW_TO_KW
from launch.params import Economics

# The Wright's-law arguments are the Economics fields of the same meaning: same defaults, same ranges.
_ECONOMICS = v.parameter_specs(Economics)
_ECONOMICS_DEFAULTS = v.parameter_defaults(Economics)


def gw_per_year(tonnes_per_year, kw_per_tonne):
    """GW per year of compute from tonnes per year at ``kw_per_tonne``: GW = t * kW/t / 1e6.

    1 Mt/yr at 100 kW/t is 100 GW/yr (SpaceX FCC filing); at 70 kW/t (AI1) it is 70 GW/yr.
    """
    t = v.check_range("tonnes_per_year", v.to_array("tonnes_per_year", tonnes_per_year, "t/yr"), 0.0, unit="t/yr")
    k = v.check_range("kw_per_tonne", v.to_array("kw_per_tonne", kw_per_tonne, "kW/t"), 0.0, unit="kW/t")
    return jnp.asarray(t) * k / GW_TO_KW


def tonnes_per_year(gw_per_yr, kw_per_tonne):
    """Tonnes per year that carry ``gw_per_yr`` at ``kw_per_tonne`` (100 GW/yr at 70 kW/t is 1.43 Mt/yr)."""
    g = v.check_range("gw_per_yr", v.to_array("gw_per_yr", gw_per_yr, "GW/yr"), 0.0, unit="GW/yr")
    k = v.check_range("kw_per_tonne", v.to_array("kw_per_tonne", kw_per_tonne, "kW/t"), 0.0, low_open=True, unit="kW/t")
    return jnp.asarray(g) * GW_TO_KW / k


def launches_per_year(tonnes_per_year, payload_t):
    """Launches per year to lift ``tonnes_per_year`` at ``payload_t`` per launch (not rounded up).

    1 Mt/yr is 10,000 launches of 100 t (Starship V3) or 5,000 of 200 t (V4).
    """
    t = v.check_range("tonnes_per_year", v.to_array("tonnes_per_year", tonnes_per_year, "t/yr"), 0.0, unit="t/yr")
    p = v.check_range("payload_t", v.to_array("payload_t", payload_t, "t"), 0.0, low_open=True, unit="t")
    return jnp.asarray(t) / p


def launched_power_usd_per_kw_yr(mass_kg, power_kw, life_yr, launch_usd_per_kg):
    """Launched-power price, USD per kW per year = mass * $/kg / (power * life) (Suncatcher, arXiv:2511.19468 §2.4).

    Suncatcher's case, 575 kg, 28 kW, 5 years: ~$14,700/kW/yr at $3,600/kg and ~$810/kW/yr at $200/kg.
    """
    m = v.check_range("mass_kg", v.to_array("mass_kg", mass_kg, "kg"), 0.0, unit="kg")
    p = v.check_range("power_kw", v.to_array("power_kw", power_kw, "kW"), 0.0, low_open=True, unit="kW")
    life = v.check_range("life_yr", v.to_array("life_yr", life_yr, "yr"), 0.0, low_open=True, unit="yr")
    c = v.check_range("launch_usd_per_kg", v.to_array("launch_usd_per_kg", launch_usd_per_kg), 0.0, unit="USD/kg")
    return curves.launched_power_price(jnp.asarray(m), p, life, c)


def launch_usd_per_kg(
    cum_mass_t,
    usd_per_kg_start,
    cum_mass_start_t,
    learning_rate=_ECONOMICS_DEFAULTS["learning_rate"],
    floor_usd_per_kg=_ECONOMICS_DEFAULTS["floor_usd_per_kg"],
):
    """Wright's-law launch price after ``cum_mass_t`` tonnes of cumulative mass to orbit: the price falls by
    ``learning_rate`` (Suncatcher, arXiv:2511.19468 §2.4: ~20 %) per doubling from ``usd_per_kg_start`` at
    ``cum_mass_start_t`` towards ``floor_usd_per_kg``. Defaults and ranges are those of ``Economics``."""
    m = v.check_range("cum_mass_t", v.to_array("cum_mass_t", cum_mass_t, "t"), 0.0, low_open=True, unit="t")
    p0 = _ECONOMICS["launch_usd_per_kg_start"].check(
        "usd_per_kg_start", v.to_array("usd_per_kg_start", usd_per_kg_start)
    )
    m0 = _ECONOMICS["cum_mass_start_t"].check("cum_mass_start_t", v.to_array("cum_mass_start_t", cum_mass_start_t, "t"))
    lr = _ECONOMICS["learning_rate"].check("learning_rate", v.to_array("learning_rate", learning_rate))
    f = _ECONOMICS["floor_usd_per_kg"].check("floor_usd_per_kg", v.to_array("floor_usd_per_kg", floor_usd_per_kg))
    return curves.wright_price(jnp.asarray(m), p0, m0, lr, f)
