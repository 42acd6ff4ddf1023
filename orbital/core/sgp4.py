"""SGP4 for near-Earth element sets (orbital period < 225 min), pure JAX.

Written from the published algorithm: Hoots & Roehrich, "Models for Propagation of NORAD Element Sets",
Spacetrack Report #3 (1980), with the corrections of Vallado, Crawford, Hujsak & Kelso, "Revisiting Spacetrack
Report #3", AIAA 2006-6753 (rev. 2): un-Kozai mean motion recovery, perigee-dependent ``s`` and ``q0`` (the
atmospheric density parameters), the simplified drag model below 220 km perigee, the ``1e-6`` floor on the
eccentricity, the clamped Newton iteration on Kepler's equation and the error codes. Variable names follow the
2006 paper's code (``cc1``, ``d2``, ``xlcof`` ...) so the two read side by side. The reference's operation mode
("a" or "i") only changes the sidereal time that deep-space sets use, so near-Earth results are the same in both.

Two pieces:

* ``sgp4_elements`` does once per satellite what the reference's ``sgp4init`` does (host numpy float64 with
  ``xp=np``, or traced JAX); ``sgp4_elements_from_satrecs`` reads python-sgp4 ``Satrec`` objects (duck-typed: this
  module never imports ``sgp4``).
* ``propagate`` is the kernel: one satellite, one instant, TEME position (km) and velocity (km/s) and an error
  code. Batch it with ``jax.vmap`` (satellite axis first, xyz last); there is no second batched copy.

Error codes (the reference's meaning; python-sgp4's ``SGP4_ERRORS``):

====  ==========================================================================================================
0     no error
1     mean eccentricity outside [-0.001, 1) after drag (also: input eccentricity outside [0, 1))
2     mean motion not positive (also: non-finite)
4     semi-latus rectum negative
6     radius below one Earth radius: decayed (the state is still returned, as python-sgp4 returns it)
7     (ours, not the reference's) deep-space element set, period >= 225 min: not supported here; the state is the
      near-Earth model's, without the lunar-solar and resonance terms, so it is wrong by up to many km
====  ==========================================================================================================

Code 3 is deep-space only and code 5 is retired in the reference. Where the code is 1, 2 or 4, python-sgp4 returns
NaN; here the state is finite (computed with the offending quantity replaced by a harmless stand-in) so that a
``where``, a reduction or a gradient over a batch is not poisoned; the code tells the caller to ignore it.

Deep-space sets: ``sgp4_elements`` flags them in the boolean field ``deep_space`` (it must stay traceable, so it
cannot raise); ``propagate`` reports them with code 7 at every instant; ``sgp4_elements_from_satrecs`` raises a
``ValueError`` naming the first one unless ``allow_deep_space=True``.

Precision, measured against python-sgp4 2.27 (tests/test_orbital_sgp4_jax.py) on the 10,361 Starlink TLEs of
2026-05-13 from -1 to +3.4 days after their epochs and on the verification set's near-Earth cases until decay:

* float64: max position difference 7e-9 km, max velocity difference 8e-12 km/s (rounding; error codes identical).
* float32 (elements built in float64 on the host, then ``Sgp4Elements.astype(jnp.float32)``; minutes since epoch
  in float32): max position error 0.03 km at the epoch, 0.15 km within a day of it, 0.55 km at 3.4 days; velocity
  1.6e-4 km/s within a day. It is float32 rounding of the time and of angles that grow as n t (about 100 rad a
  day), times a radius of 7,000 km; keep float32 offsets short.

Speed (benchmarks/sgp4_jax.py, 10,361 Starlink TLEs x 1 day at 30 s, jit, 2-core CPU, jax 0.10.2): 6.1 M
satellite-steps/s in float64 and 12 M/s in float32, against 1.3 M/s for python-sgp4's ``SatrecArray`` (C++, one
thread): 4.8x and 9.5x; with ``kepler_iterations=3`` (enough for Starlink) 7.3 and 15.5 M/s. The structure of the
kernel (``orbital.core.fusion.computed_once``, ``_xyz``) is tuned to XLA's CPU fusion.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import jax.numpy as jnp
import numpy as np

from orbital.core.constants import MINUTES_PER_DAY, SECONDS_PER_MINUTE, TWO_PI, WGS72_EARTH_RADIUS_KM
from orbital.core.fusion import computed_once
from orbital.core.trig import sincos

# WGS-72 constants as SGP4 uses them (Vallado et al. 2006, getgravconst("wgs72"); the values of the World Geodetic
# System 1972, Seppelin, "The Department of Defense World Geodetic System 1972", 1974). SGP4's two-line elements are
# fitted with these; do not swap in WGS-84. The radius is shared with the rest of the package (constants).
WGS72_MU_KM3_S2 = 398600.8
WGS72_RADIUS_KM = WGS72_EARTH_RADIUS_KM
WGS72_J2 = 0.001082616
WGS72_J3 = -0.00000253881
WGS72_J4 = -0.00000165597
# sqrt(mu) in Earth radii^1.5 per minute.
WGS72_XKE = SECONDS_PER_MINUTE / math.sqrt(WGS72_RADIUS_KM**3 / WGS72_MU_KM3_S2)
WGS72_J3OJ2 = WGS72_J3 / WGS72_J2
# Earth radii per minute -> km/s.
_VKMPERSEC = WGS72_RADIUS_KM * WGS72_XKE / SECONDS_PER_MINUTE

# Density-function parameters of Spacetrack Report #3: s = 78 km altitude and q0 = 120 km, in Earth radii.
_S_DEFAULT = 78.0 / WGS72_RADIUS_KM + 1.0
_QZMS2T = ((120.0 - 78.0) / WGS72_RADIUS_KM) ** 4
# Below this perigee radius (220 km altitude) the simplified drag model drops the d2..d4 and omgcof/xmcof terms.
_SIMPLE_DRAG_PERIGEE_ER = 220.0 / WGS72_RADIUS_KM + 1.0
# Periods from 225 minutes up are deep space (Hoots & Roehrich 1980, section 1; Vallado et al. 2006).
DEEP_SPACE_PERIOD_MIN = 225.0
# Newton iterations on Kepler's equation. The reference iterates at most 10 times, each step clamped to 0.95 rad,
# until a step is below 1e-12 rad; from its starting point (the mean longitude) 3 iterations converge that far for
# e < 0.01, 5 for e < 0.5 and 8 for e < 0.99 (measured over 200,000 random angles per eccentricity band), after
# which a further iteration changes nothing.
KEPLER_ITERATIONS = 8

ERROR_CODES = {
    0: "no error",
    1: "mean eccentricity is outside the range 0.0 to 1.0",
    2: "mean motion is not positive",
    4: "semi-latus rectum is less than zero",
    6: "mrt is less than 1.0: the satellite has decayed",
    7: "deep-space element set (period >= 225 min): not supported by this near-Earth propagator",
}


class Sgp4Elements(NamedTuple):
    """Per-satellite SGP4 constants, any leading shape (usually ``(sat,)``); angles in rad, time in minutes,
    lengths in Earth radii (WGS-72), as in the reference.

    ``epoch_jd + epoch_fraction`` is the element-set epoch, a UTC Julian date in two parts (python-sgp4's
    ``jdsatepoch`` and ``jdsatepochF``). The kernel never reads it: form minutes since epoch on the host in float64
    (``minutes_since_epoch``) and keep these two fields in float64 there (``astype`` leaves them alone).

    For simplified-drag sets (perigee below 220 km, ``simple_drag``) the terms the reference skips (``omgcof``,
    ``xmcof``, ``cc5``, ``d2``..``d4``, ``t3cof``..``t5cof``) are stored as zero, so the kernel needs no branch: with
    them zero its full-drag formulas reduce exactly, bit for bit, to the simplified ones.
    """

    epoch_jd: object
    epoch_fraction: object
    deep_space: object  # bool: period >= 225 min, not supported (propagate returns code 7)
    simple_drag: object  # bool: perigee below 220 km ("isimp")
    bstar: object  # drag term, 1/Earth radii
    ecco: object  # eccentricity at epoch
    argpo: object  # argument of perigee at epoch
    inclo: object  # inclination
    mo: object  # mean anomaly at epoch
    nodeo: object  # right ascension of the ascending node at epoch
    no_unkozai: object  # Brouwer mean motion recovered from the TLE's Kozai mean motion, rad/min
    ao: object  # semi-major axis (xke / no_unkozai)^(2/3), Earth radii
    mdot: object  # secular rates (J2, J4) of the mean anomaly, perigee and node, rad/min
    argpdot: object
    nodedot: object
    nodecf: object  # drag on the node (t^2 coefficient)
    cc1: object
    cc4: object
    cc5: object
    t2cof: object
    omgcof: object
    xmcof: object
    eta: object
    delmo: object
    sinmao: object
    d2: object
    d3: object
    d4: object
    t3cof: object
    t4cof: object
    t5cof: object
    aycof: object  # long-period periodics (J3)
    xlcof: object
    con41: object  # 3 cos^2 i - 1
    x1mth2: object  # 1 - cos^2 i
    x7thm1: object  # 7 cos^2 i - 1
    sinio: object
    cosio: object

    def astype(self, dtype) -> Sgp4Elements:
        """The constants cast to ``dtype`` (e.g. ``jnp.float32`` for the float32 kernel), as jax arrays; the
        epoch stays as it is (float64 on the host) and the flags stay boolean."""
        keep = {"epoch_jd", "epoch_fraction", "deep_space", "simple_drag"}
        return Sgp4Elements(
            *(value if name in keep else jnp.asarray(value, dtype=dtype) for name, value in zip(self._fields, self))
        )


def sgp4_elements(
    bstar,
    eccentricity,
    arg_perigee_rad,
    inclination_rad,
    mean_anomaly_rad,
    mean_motion_rad_min,
    raan_rad,
    epoch_jd,
    epoch_fraction=0.0,
    xp=jnp,
) -> Sgp4Elements:
    """The per-satellite constants of SGP4 (the reference's ``initl`` and ``sgp4init``, near-Earth branch).

    Arguments are arrays of one value per satellite (broadcast together): ``bstar`` (1/Earth radii), eccentricity,
    argument of perigee, inclination, mean anomaly, RAAN (rad), mean motion (rad/min, the TLE's Kozai mean motion),
    and the epoch as a two-part UTC Julian date. ``xp=np`` evaluates on the host in numpy (float64: the recommended
    way, also for a float32 kernel, see ``Sgp4Elements.astype``); ``xp=jnp`` traces (jit, grad, vmap) in the
    current default float precision.

    Traceable, so it flags instead of raising: ``deep_space`` for periods >= 225 min (``propagate`` returns code 7);
    an eccentricity outside [0, 1) or a mean motion that is not positive gives code 1 or 2 at every instant (the
    constants are then computed from a harmless stand-in and stay finite).
    """
    ecco, argpo, inclo, mo, no_kozai, nodeo, bstar = xp.broadcast_arrays(
        *(
            xp.asarray(value)
            for value in (
                eccentricity,
                arg_perigee_rad,
                inclination_rad,
                mean_anomaly_rad,
                mean_motion_rad_min,
                raan_rad,
                bstar,
            )
        )
    )
    if xp is np:
        ecco, argpo, inclo, mo, no_kozai, nodeo, bstar = (
            value.astype(np.float64) for value in (ecco, argpo, inclo, mo, no_kozai, nodeo, bstar)
        )
    shape = ecco.shape
    epoch_jd = xp.broadcast_to(xp.asarray(epoch_jd), shape)
    epoch_fraction = xp.broadcast_to(xp.asarray(epoch_fraction), shape)

    # Stand-ins for invalid input (reported by propagate as codes 1 and 2) so that nothing below turns NaN.
    motion_ok = no_kozai > 0.0
    ecc_ok = (ecco >= 0.0) & (ecco < 1.0)
    no_kozai_safe = xp.where(motion_ok, no_kozai, 0.06)
    ecc = xp.where(ecc_ok, ecco, 0.0)

    # initl: recover the original (Brouwer) mean motion and semi-major axis from the Kozai mean motion.
    x2o3 = 2.0 / 3.0
    ak = (WGS72_XKE / no_kozai_safe) ** x2o3
    eccsq = ecc * ecc
    omeosq = 1.0 - eccsq
    rteosq = xp.sqrt(omeosq)
    cosio = xp.cos(inclo)
    cosio2 = cosio * cosio
    d1 = 0.75 * WGS72_J2 * (3.0 * cosio2 - 1.0) / (rteosq * omeosq)
    del_ = d1 / (ak * ak)
    adel = ak * (1.0 - del_ * del_ - del_ * (1.0 / 3.0 + 134.0 * del_ * del_ / 81.0))
    del_ = d1 / (adel * adel)
    no_unkozai = no_kozai_safe / (1.0 + del_)
    ao = (WGS72_XKE / no_unkozai) ** x2o3
    sinio = xp.sin(inclo)
    po = ao * omeosq
    con42 = 1.0 - 5.0 * cosio2
    con41 = -con42 - cosio2 - cosio2
    posq = po * po
    rp = ao * (1.0 - ecc)

    # sgp4init, near-Earth branch.
    simple_drag = rp < _SIMPLE_DRAG_PERIGEE_ER
    perigee_km = (rp - 1.0) * WGS72_RADIUS_KM
    # Below 156 km perigee s moves down with it (to perigee - 78 km), held at 20 km below 98 km.
    sfour_km = xp.where(perigee_km < 156.0, xp.where(perigee_km < 98.0, 20.0, perigee_km - 78.0), 78.0)
    qzms24 = xp.where(perigee_km < 156.0, ((120.0 - sfour_km) / WGS72_RADIUS_KM) ** 4, _QZMS2T)
    sfour = xp.where(perigee_km < 156.0, sfour_km / WGS72_RADIUS_KM + 1.0, _S_DEFAULT)
    pinvsq = 1.0 / posq
    tsi = 1.0 / (ao - sfour)
    eta = ao * ecc * tsi
    etasq = eta * eta
    eeta = ecc * eta
    psisq = xp.abs(1.0 - etasq)
    coef = qzms24 * tsi**4
    coef1 = coef / psisq**3.5
    cc2 = (
        coef1
        * no_unkozai
        * (
            ao * (1.0 + 1.5 * etasq + eeta * (4.0 + etasq))
            + 0.375 * WGS72_J2 * tsi / psisq * con41 * (8.0 + 3.0 * etasq * (8.0 + etasq))
        )
    )
    cc1 = bstar * cc2
    eccentric = ecc > 1.0e-4
    ecc_div = xp.where(eccentric, ecc, 1.0)
    cc3 = xp.where(eccentric, -2.0 * coef * tsi * WGS72_J3OJ2 * no_unkozai * sinio / ecc_div, 0.0)
    x1mth2 = 1.0 - cosio2
    cc4 = (
        2.0
        * no_unkozai
        * coef1
        * ao
        * omeosq
        * (
            eta * (2.0 + 0.5 * etasq)
            + ecc * (0.5 + 2.0 * etasq)
            - WGS72_J2
            * tsi
            / (ao * psisq)
            * (
                -3.0 * con41 * (1.0 - 2.0 * eeta + etasq * (1.5 - 0.5 * eeta))
                + 0.75 * x1mth2 * (2.0 * etasq - eeta * (1.0 + etasq)) * xp.cos(2.0 * argpo)
            )
        )
    )
    cc5 = 2.0 * coef1 * ao * omeosq * (1.0 + 2.75 * (etasq + eeta) + eeta * etasq)
    cosio4 = cosio2 * cosio2
    temp1 = 1.5 * WGS72_J2 * pinvsq * no_unkozai
    temp2 = 0.5 * temp1 * WGS72_J2 * pinvsq
    temp3 = -0.46875 * WGS72_J4 * pinvsq * pinvsq * no_unkozai
    mdot = no_unkozai + 0.5 * temp1 * rteosq * con41 + 0.0625 * temp2 * rteosq * (13.0 - 78.0 * cosio2 + 137.0 * cosio4)
    argpdot = (
        -0.5 * temp1 * con42
        + 0.0625 * temp2 * (7.0 - 114.0 * cosio2 + 395.0 * cosio4)
        + temp3 * (3.0 - 36.0 * cosio2 + 49.0 * cosio4)
    )
    xhdot1 = -temp1 * cosio
    nodedot = xhdot1 + (0.5 * temp2 * (4.0 - 19.0 * cosio2) + 2.0 * temp3 * (3.0 - 7.0 * cosio2)) * cosio
    omgcof = bstar * cc3 * xp.cos(argpo)
    eeta_div = xp.where(eccentric, eeta, 1.0)
    xmcof = xp.where(eccentric, -x2o3 * coef * bstar / eeta_div, 0.0)
    nodecf = 3.5 * omeosq * xhdot1 * cc1
    t2cof = 1.5 * cc1
    # The reference divides by 1.5e-12 instead of 1 + cos i for retrograde-equatorial orbits.
    xlcof_div = xp.where(xp.abs(cosio + 1.0) > 1.5e-12, 1.0 + cosio, 1.5e-12)
    xlcof = -0.25 * WGS72_J3OJ2 * sinio * (3.0 + 5.0 * cosio) / xlcof_div
    aycof = -0.5 * WGS72_J3OJ2 * sinio
    delmo = (1.0 + eta * xp.cos(mo)) ** 3
    sinmao = xp.sin(mo)
    x7thm1 = 7.0 * cosio2 - 1.0
    deep_space = TWO_PI / no_unkozai >= DEEP_SPACE_PERIOD_MIN

    # Full drag model: higher-order drag terms (zero, and skipped, for the simplified model).
    cc1sq = cc1 * cc1
    d2 = 4.0 * ao * tsi * cc1sq
    temp = d2 * tsi * cc1 / 3.0
    d3 = (17.0 * ao + sfour) * temp
    d4 = 0.5 * temp * ao * tsi * (221.0 * ao + 31.0 * sfour) * cc1
    t3cof = d2 + 2.0 * cc1sq
    t4cof = 0.25 * (3.0 * d3 + cc1 * (12.0 * d2 + 10.0 * cc1sq))
    t5cof = 0.2 * (3.0 * d4 + 12.0 * cc1 * d3 + 6.0 * d2 * d2 + 15.0 * cc1sq * (2.0 * d2 + cc1sq))
    full = ~simple_drag
    omgcof, xmcof, cc5, d2, d3, d4, t3cof, t4cof, t5cof = (
        xp.where(full, value, 0.0) for value in (omgcof, xmcof, cc5, d2, d3, d4, t3cof, t4cof, t5cof)
    )

    # Invalid input travels to the kernel in the two fields it checks: a non-positive mean motion and an
    # eccentricity outside [0, 1) keep their values there.
    no_unkozai = xp.where(motion_ok, no_unkozai, no_kozai)
    return Sgp4Elements(
        epoch_jd,
        epoch_fraction,
        deep_space,
        simple_drag,
        bstar,
        ecco,
        argpo,
        inclo,
        mo,
        nodeo,
        no_unkozai,
        ao,
        mdot,
        argpdot,
        nodedot,
        nodecf,
        cc1,
        cc4,
        cc5,
        t2cof,
        omgcof,
        xmcof,
        eta,
        delmo,
        sinmao,
        d2,
        d3,
        d4,
        t3cof,
        t4cof,
        t5cof,
        aycof,
        xlcof,
        con41,
        x1mth2,
        x7thm1,
        sinio,
        cosio,
    )


def sgp4_elements_from_satrecs(satrecs, allow_deep_space: bool = False) -> Sgp4Elements:
    """``sgp4_elements`` of python-sgp4 ``Satrec`` objects (their ``bstar, ecco, argpo, inclo, mo, no_kozai,
    nodeo, jdsatepoch, jdsatepochF``), evaluated on the host in numpy float64; the fields are numpy arrays of
    shape ``(len(satrecs),)``.

    Raises ``ValueError`` naming the first deep-space set (period >= 225 min) unless ``allow_deep_space``, in which
    case they are only flagged (``deep_space``; code 7 from ``propagate``).
    """
    satrecs = list(satrecs)
    if not satrecs:
        raise ValueError("sgp4_elements_from_satrecs: got no Satrec objects")
    names = ("bstar", "ecco", "argpo", "inclo", "mo", "no_kozai", "nodeo", "jdsatepoch", "jdsatepochF")
    columns = {name: np.array([getattr(satrec, name) for satrec in satrecs], dtype=np.float64) for name in names}
    elements = sgp4_elements(
        columns["bstar"],
        columns["ecco"],
        columns["argpo"],
        columns["inclo"],
        columns["mo"],
        columns["no_kozai"],
        columns["nodeo"],
        columns["jdsatepoch"],
        columns["jdsatepochF"],
        xp=np,
    )
    if not allow_deep_space and elements.deep_space.any():
        index = int(np.flatnonzero(elements.deep_space)[0])
        period_min = TWO_PI / elements.no_unkozai[index]
        satnum = getattr(satrecs[index], "satnum_str", getattr(satrecs[index], "satnum", "?"))
        raise ValueError(
            f"sgp4_elements_from_satrecs: satrecs[{index}] (catalogue number {satnum}) has period_min="
            f"{period_min:.2f}, a deep-space element set; this near-Earth SGP4 supports periods below "
            f"{DEEP_SPACE_PERIOD_MIN:.0f} min ({int(elements.deep_space.sum())} such sets in all; pass "
            f"allow_deep_space=True to keep them flagged instead)"
        )
    return elements


def minutes_since_epoch(elements: Sgp4Elements, jd, fraction=0.0):
    """Minutes from each satellite's epoch to the UTC Julian date ``jd + fraction``, in numpy float64 on the host,
    the way python-sgp4's ``sgp4(jd, fr)`` forms it. Broadcasts: ``elements`` fields ``(sat,)`` against
    ``jd[None, :]`` gives ``(sat, time)``."""
    return (np.asarray(jd, dtype=np.float64) - np.asarray(elements.epoch_jd, dtype=np.float64)) * MINUTES_PER_DAY + (
        np.asarray(fraction, dtype=np.float64) - np.asarray(elements.epoch_fraction, dtype=np.float64)
    ) * MINUTES_PER_DAY


# 2 pi split so that k * _TWO_PI_HIGH is exact for |k| < 2^15 (the high part has 8 significant bits), as in
# orbital.core.trig: reduction modulo 2 pi costs a multiply-add instead of XLA's slow element-wise fmod.
_TWO_PI_HIGH = 6.28125
_TWO_PI_LOW = TWO_PI - _TWO_PI_HIGH


def _fmod_two_pi(angle_rad):
    """C's fmod(angle, 2 pi) (the remainder keeps the sign of ``angle``), to an ulp or two of ``angle``."""
    turns = jnp.trunc(angle_rad * (1.0 / TWO_PI))
    return (angle_rad - turns * _TWO_PI_HIGH) - turns * _TWO_PI_LOW


def _xyz(x, y, z):
    """``jnp.stack([x, y, z], -1)`` as selects: XLA's CPU concatenate along the last axis cost a transpose and a copy
    of every output (about 10 % of the whole kernel)."""
    axis = jnp.arange(3)
    return jnp.where(axis == 0, x[..., None], jnp.where(axis == 1, y[..., None], z[..., None]))


def _newton_step(eo1, u, axnl, aynl):
    """One Newton step on Kepler's equation in the eccentric longitude, E - axnl sin E + aynl cos E = u, clamped to
    0.95 rad as in the reference."""
    sineo1, coseo1 = sincos(eo1)
    step = (u - aynl * coseo1 + axnl * sineo1 - eo1) / (1.0 - coseo1 * axnl - sineo1 * aynl)
    return eo1 + jnp.clip(step, -0.95, 0.95)


def propagate(elements: Sgp4Elements, minutes_since_epoch, kepler_iterations: int = KEPLER_ITERATIONS):
    """TEME position (km, ``(3,)``), velocity (km/s, ``(3,)``) and error code (int32, see the module docstring) of
    one satellite ``minutes_since_epoch`` after its epoch. Pure jax.numpy, no branch on values; computes in the
    dtype of the elements. ``jax.vmap`` it over satellites (and again over times).

    ``kepler_iterations`` (a static int, at least 1) is the fixed number of Newton iterations on Kepler's equation,
    counted as the reference counts them: each evaluates the sine and cosine of the current estimate, and the last
    one's are used (its step is not taken). The default, 8, converges as far as the reference's 1e-12 rad tolerance
    for eccentricities up to 0.99; 3 suffice below e = 0.01 (Starlink: 3 gives the same results to 1e-8 km and is
    about 20 % faster) and 5 below e = 0.5.

    Same formulas as the reference, evaluated more cheaply (the results agree to rounding, ~1e-8 km): sines and
    cosines in pairs (``orbital.core.trig.sincos``), fmod by a two-part 2 pi, ``(xke / n)^(2/3)`` taken from the
    elements (``ao``) and ``am^1.5`` as ``am sqrt(am)``, and the argument of latitude's short-period correction
    applied by angle addition to the unit vector (sin u, cos u) instead of through atan2.
    """
    if not isinstance(kepler_iterations, int) or kepler_iterations < 1:
        raise ValueError(f"propagate: kepler_iterations={kepler_iterations!r}, expected an int >= 1")
    el = elements
    dtype = jnp.result_type(el.mo)
    t = jnp.asarray(minutes_since_epoch).astype(dtype)
    one = jnp.sign(el.ao + t * t)  # exactly 1 (ao > 0), shaped like the result (see computed_once)

    # Secular gravity and atmospheric drag.
    xmdf = el.mo + el.mdot * t
    argpdf = el.argpo + el.argpdot * t
    nodedf = el.nodeo + el.nodedot * t
    t2 = t * t
    nodem = nodedf + el.nodecf * t2
    delomg = el.omgcof * t
    (cos_xmdf,) = computed_once(one, sincos(xmdf)[1])
    delm = el.xmcof * ((1.0 + el.eta * cos_xmdf) ** 3 - el.delmo)
    temp = delomg + delm
    mm = xmdf + temp
    argpm = argpdf - temp
    t3 = t2 * t
    t4 = t3 * t
    tempa = 1.0 - el.cc1 * t - el.d2 * t2 - el.d3 * t3 - el.d4 * t4
    (sin_mm,) = computed_once(one, sincos(mm)[0])
    tempe = el.bstar * el.cc4 * t + el.bstar * el.cc5 * (sin_mm - el.sinmao)
    templ = el.t2cof * t2 + el.t3cof * t3 + t4 * (el.t4cof + t * el.t5cof)

    motion_ok = el.no_unkozai > 0.0
    no_unkozai = jnp.where(motion_ok, el.no_unkozai, 0.06)
    am = el.ao * tempa * tempa
    am_ok = am > 0.0  # zero only where 1 - C1 t - ... crosses zero exactly: long decayed
    am = jnp.where(am_ok, am, 1.0)
    em = el.ecco - tempe
    ecc_ok = (em < 1.0) & (em >= -0.001) & (el.ecco >= 0.0) & (el.ecco < 1.0)
    em = jnp.where(ecc_ok, jnp.maximum(em, 1.0e-6), 1.0e-6)
    mm = mm + no_unkozai * templ
    xlm = mm + argpm + nodem
    nodem = _fmod_two_pi(nodem)
    argpm = _fmod_two_pi(argpm)
    xlm = _fmod_two_pi(xlm)
    mm = _fmod_two_pi(xlm - argpm - nodem)

    # Long-period periodics.
    sin_argpm, cos_argpm = computed_once(one, *sincos(argpm))
    axnl = em * cos_argpm
    temp = 1.0 / (am * (1.0 - em * em))
    aynl = em * sin_argpm + temp * el.aycof
    xl = mm + argpm + nodem + temp * el.xlcof * axnl
    el2 = axnl * axnl + aynl * aynl
    pl_ok = am * (1.0 - el2) > 0.0  # the reference fails on pl < 0; pl == 0 would divide by zero there
    axnl = jnp.where(pl_ok, axnl, 0.0)
    aynl = jnp.where(pl_ok, aynl, 0.0)
    u = _fmod_two_pi(xl - nodem)
    # Codes found so far, as a float so that it can be kept; 6 (decayed) is settled at the end.
    early_code = jnp.where(
        el.deep_space,
        7.0,
        jnp.where(~motion_ok, 2.0, jnp.where(~ecc_ok, 1.0, jnp.where(~pl_ok, 4.0, jnp.where(am_ok, 0.0, 6.0)))),
    ).astype(dtype)
    u, axnl, aynl, am, nodem, early_code = computed_once(one, u, axnl, aynl, am, nodem, early_code)

    # Kepler's equation (unrolled Newton steps); the sine and cosine kept are those of the last step's starting
    # point, as in the reference, so the last step itself is not taken.
    eo1 = u
    for _ in range(kepler_iterations - 1):
        eo1 = _newton_step(eo1, u, axnl, aynl)
    (eo1,) = computed_once(one, eo1)
    sineo1, coseo1 = computed_once(one, *sincos(eo1))

    # Short-period periodics.
    el2 = axnl * axnl + aynl * aynl
    pl = am * (1.0 - el2)
    sqrt_am = jnp.sqrt(am)
    nm = WGS72_XKE / (am * sqrt_am)
    ecose = axnl * coseo1 + aynl * sineo1
    esine = axnl * sineo1 - aynl * coseo1
    rl = am * (1.0 - ecose)
    rdotl = sqrt_am * esine / rl
    rvdotl = jnp.sqrt(pl) / rl
    betal = jnp.sqrt(1.0 - el2)
    temp = esine / (1.0 + betal)
    sinu = am / rl * (sineo1 - aynl - axnl * temp)
    cosu = am / rl * (coseo1 - axnl + aynl * temp)
    # (sinu, cosu) is a unit vector up to the Kepler residual; the reference takes su = atan2(sinu, cosu).
    inv_norm = 1.0 / jnp.sqrt(sinu * sinu + cosu * cosu)
    sinu, cosu = sinu * inv_norm, cosu * inv_norm
    sin2u = (cosu + cosu) * sinu
    cos2u = 1.0 - 2.0 * sinu * sinu
    temp = 1.0 / pl
    temp1 = 0.5 * WGS72_J2 * temp
    temp2 = temp1 * temp
    mrt = rl * (1.0 - 1.5 * temp2 * betal * el.con41) + 0.5 * temp1 * el.x1mth2 * cos2u
    delta_su = -0.25 * temp2 * el.x7thm1 * sin2u
    xnode = nodem + 1.5 * temp2 * el.cosio * sin2u
    xinc = el.inclo + 1.5 * temp2 * el.cosio * el.sinio * cos2u
    mvt = rdotl - nm * temp1 * el.x1mth2 * sin2u / WGS72_XKE
    rvdot = rvdotl + nm * temp1 * (el.x1mth2 * cos2u + 1.5 * el.con41) / WGS72_XKE

    # Orientation vectors.
    sin_delta, cos_delta = sincos(delta_su)
    sinsu = sinu * cos_delta + cosu * sin_delta
    cossu = cosu * cos_delta - sinu * sin_delta
    snod, cnod = sincos(xnode)
    sini, cosi = sincos(xinc)
    mrt, mvt, rvdot, sinsu, cossu, snod, cnod, sini, cosi = computed_once(
        one, mrt, mvt, rvdot, sinsu, cossu, snod, cnod, sini, cosi
    )
    xmx = -snod * cosi
    xmy = cnod * cosi
    unit_u = _xyz(xmx * sinsu + cnod * cossu, xmy * sinsu + snod * cossu, sini * sinsu)
    unit_v = _xyz(xmx * cossu - cnod * sinsu, xmy * cossu - snod * sinsu, sini * cossu)
    position_km = (mrt * WGS72_RADIUS_KM)[..., None] * unit_u
    velocity_km_s = (mvt[..., None] * unit_u + rvdot[..., None] * unit_v) * _VKMPERSEC
    code = jnp.where(early_code != 0.0, early_code, jnp.where(mrt < 1.0, 6.0, 0.0)).astype(jnp.int32)
    return position_km, velocity_km_s, code
