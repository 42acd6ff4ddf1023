"""arctan2 as a short polynomial, for the hot loop.

XLA's CPU ``atan2`` (and ``asin``, which it lowers through ``atan2``) does not vectorise over the satellites of a
block: with both in the radiation scan's Earth-fixed geometry they cost several times what all of
``orbital.illumination`` costs per satellite-step. The Cephes library's ``atanf`` and ``atan`` (S. L. Moshier,
Cephes Mathematical Library, 1984-2000: range reduction to |t| <= tan(pi/8) resp. 0.66, then a degree-9 odd
polynomial resp. a 4/5 rational function in t^2) give float32 to about one ulp and float64 to about two; selects
instead of branches keep the satellites in vector lanes.
"""

import math

import jax.numpy as jnp

# float32: atan t = t + t^3 P(t^2) on |t| <= tan(pi/8) (Cephes atanf.c).
_P32 = (-3.33329491539e-1, 1.99777106478e-1, -1.38776856032e-1, 8.05374449538e-2)
# float64: atan t = t + t^3 P(t^2) / Q(t^2) on |t| <= 0.66 (Cephes atan.c; Q monic).
_P64 = (-6.485021904942025371773e1, -1.228866684490136173410e2, -7.500855792314704667340e1,
        -1.615753718733365076637e1, -8.750608600031904122785e-1)  # fmt: skip
_Q64 = (1.945506571482613964425e2, 4.853903996359136964868e2, 4.328810604912902668951e2,
        1.650270098316988542046e2, 2.485846490142306297962e1, 1.0)  # fmt: skip
# pi/4 = _PI_4 + _PI_4_LOW in float64 (Cephes' MOREBITS / 2): the reduced branch adds the low part.
_PI_4 = math.pi / 4
_PI_4_LOW = 3.061616997868382943065e-17


def _horner(x, coefficients):
    result = coefficients[-1]
    for coefficient in reversed(coefficients[:-1]):
        result = coefficient + x * result
    return result


def _atan_unit(t):
    """atan t for t in [0, 1]."""
    single = jnp.result_type(t) == jnp.float32
    # Above tan(pi/8) (float32) or 0.66 (float64): atan t = pi/4 + atan((t - 1) / (t + 1)).
    reduced = t > (0.4142135623730950 if single else 0.66)
    x = jnp.where(reduced, (t - 1.0) / (t + 1.0), t)
    z = x * x
    if single:
        series = x + x * z * _horner(z, _P32)
        return jnp.where(reduced, _PI_4 + series, series)
    series = x + x * (z * _horner(z, _P64) / _horner(z, _Q64))
    return jnp.where(reduced, _PI_4 + (series + _PI_4_LOW), series)


def arctan2(y, x):
    """atan2(y, x) in (-pi, pi] (0 at the origin), elementwise, to within a few ulps of the dtype."""
    ay, ax = jnp.abs(y), jnp.abs(x)
    high, low = jnp.maximum(ay, ax), jnp.minimum(ay, ax)
    angle = _atan_unit(jnp.where(high > 0.0, low / jnp.where(high > 0.0, high, 1.0), 0.0))
    angle = jnp.where(ay > ax, math.pi / 2 - angle, angle)
    angle = jnp.where(x < 0.0, math.pi - angle, angle)
    return jnp.where(y < 0.0, -angle, angle)
