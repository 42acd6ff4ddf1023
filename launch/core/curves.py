"""Pure JAX curves used by the launch kernels: S-curve ramps, the vehicle mix, kW per tonne by cohort,
Wright's-law prices and the retirement survival of a cohort.

Internal units: years (calendar years as floats), launches per year, tonnes, kW, GW, USD. No file I/O, no
pandas, no validation (the public API validates concrete inputs; traced inputs rely on the guards here).
"""

import jax
import jax.numpy as jnp

# Smallest positive value used in where-guards; representable in float32 (min normal ~1.2e-38).
TINY = 1e-30
_SQRT3_OVER_PI = 0.5513288954217921  # sd of the standard logistic distribution is pi / sqrt(3)
# Smallest logistic scale of retirement ages (years): keeps expm1(1/s) finite in float32 (e^88 overflows).
MIN_RETIREMENT_SCALE_YR = 0.02


def divisor_floor(dtype) -> float:
    """Smallest divisor a where-guarded quotient ``x / y`` should accept in ``dtype``: ``TINY``, or more where
    ``y**2`` would not be a normal number with room to spare (float32: 7e-16), since the quotient's derivative
    ``-x / y**2`` overflows to inf there and the guard's zero cotangent then makes NaN."""
    return max(TINY, float(jnp.finfo(dtype).tiny) ** 0.4)


def logistic_ramp(year, start, ceiling, rate, ref_year):
    """Logistic S-curve through ``start`` at ``ref_year``, tending to ``ceiling`` at ``rate`` per year.

    N(t) = K / (1 + (K/N0 - 1) exp(-r (t - t_ref))); the ceiling-to-start ratio replaces the usual midpoint so
    that a ceiling below the starting cadence is an input error rather than a silently falling curve.
    """
    excess = jnp.maximum(ceiling / jnp.maximum(start, TINY) - 1.0, 0.0)
    return ceiling / (1.0 + excess * jnp.exp(-rate * (year - ref_year)))


def gompertz_ramp(year, start, ceiling, rate, ref_year):
    """Gompertz S-curve through ``start`` at ``ref_year``: N(t) = K exp(ln(N0/K) exp(-r (t - t_ref)))."""
    log_ratio = jnp.log(jnp.maximum(start, TINY) / ceiling)
    return ceiling * jnp.exp(log_ratio * jnp.exp(-rate * (year - ref_year)))


def smoothstep(x):
    """C1 ramp from 0 (x <= 0) to 1 (x >= 1); C1 so that finite differences agree with gradients at the ends."""
    x = jnp.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def vehicle_mix_payload_t(year, payload_t, intro_year, transition_yr):
    """Mean payload per launch (t) when each vehicle k >= 1 replaces its predecessor over ``transition_yr``
    years from ``intro_year[k]`` (a C1 smoothstep in the fleet share). ``intro_year[0]`` is ignored."""
    year = jnp.asarray(year)
    step = payload_t[1:] - payload_t[:-1]
    share = smoothstep((year[..., None] - intro_year[1:]) / transition_yr)
    return payload_t[0] + jnp.sum(share * step, axis=-1)


def ramp_between(year, value_start, value_end, start_year, ramp_yr):
    """``value_start`` before ``start_year``, ``value_end`` after ``start_year + ramp_yr``, C1 in between."""
    return value_start + (value_end - value_start) * smoothstep((year - start_year) / ramp_yr)


def kw_per_tonne_by_cohort(cohort_year, kw_initial, kw_final, tau_yr, ref_year):
    """kW per tonne of the cohort launched in ``cohort_year``: ``kw_initial`` in ``ref_year`` approaching
    ``kw_final`` with time constant ``tau_yr`` (no clamp before the reference year, so it stays smooth)."""
    return kw_final - (kw_final - kw_initial) * jnp.exp(-(cohort_year - ref_year) / tau_yr)


def wright_exponent(learning_rate):
    """Wright's law exponent b: the price is multiplied by (1 - learning_rate) per doubling of experience."""
    return -jnp.log2(jnp.maximum(1.0 - learning_rate, TINY))


def wright_price(cum_quantity, price_ref, cum_ref, learning_rate, floor=0.0):
    """Price after ``cum_quantity`` of cumulative experience: floor + (p_ref - floor) (Q/Q_ref)^-b."""
    log_q = jnp.log(jnp.maximum(cum_quantity, TINY) / cum_ref)
    return floor + (price_ref - floor) * jnp.exp(-wright_exponent(learning_rate) * log_q)


def retirement_survival(age_yr, life_yr, life_sd_yr):
    """Fraction of a cohort not yet retired at the end of a year.

    Satellites' ages are spread uniformly over [age_yr, age_yr + 1] (launches spread over the launch year)
    and their retirement ages follow a logistic distribution with mean ``life_yr`` and standard deviation
    ``life_sd_yr`` (scale s = sd * sqrt(3) / pi). The logistic rather than the normal keeps the closed form
    cheap: the mean of sigmoid((L - a)/s) over the year of ages is
    s [softplus(x) - softplus(x - c)] = s log1p(expm1(c) sigmoid(x - c)), x = (L - age)/s, c = 1/s,
    which neither cancels nor overflows for s >= MIN_RETIREMENT_SCALE_YR (c <= ~60).
    """
    scale = jnp.maximum(life_sd_yr * _SQRT3_OVER_PI, MIN_RETIREMENT_SCALE_YR)
    inv = 1.0 / scale
    return jnp.clip(scale * jnp.log1p(jnp.expm1(inv) * jax.nn.sigmoid((life_yr - age_yr - 1.0) * inv)), 0.0, 1.0)


def launched_power_price(mass_kg, power_kw, life_yr, launch_usd_per_kg):
    """Launch cost per kW per year of life, USD/kW/yr = mass * $/kg / (power * life) (Suncatcher §2.4)."""
    return mass_kg * launch_usd_per_kg / (power_kw * life_yr)


def decaying_pool_factors(lifetime_yr, dt_yr):
    """``(kept, filled)`` of ``decaying_pool_step``: after ``dt_yr`` the pool is ``pool * kept + inflow * filled``.
    Apart from the step so that a scan over years can compute them for every year at once."""
    positive = lifetime_yr > 0.0
    lifetime = jnp.where(positive, lifetime_yr, 1.0)
    kept = jnp.where(positive, jnp.exp(-dt_yr / lifetime), 0.0)
    # T (1 - exp(-dt/T)) = -T expm1(-dt/T): accurate when dt << T, and tends to dt for an endless lifetime.
    filled = jnp.where(positive, -lifetime * jnp.expm1(-dt_yr / lifetime), 0.0)
    return kept, filled


def decaying_pool_step(pool, inflow_per_yr, lifetime_yr, dt_yr):
    """A population after ``dt_yr`` of dP/dt = inflow - P / lifetime with both held over the step (exact):
    P' = P exp(-dt/T) + inflow T (1 - exp(-dt/T)). A lifetime of 0 or less empties it at once."""
    kept, filled = decaying_pool_factors(lifetime_yr, dt_yr)
    return pool * kept + inflow_per_yr * filled
