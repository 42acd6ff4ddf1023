"""Trapped-particle radiation: the shipped AE8/AP8 table, dose behind aluminium, upsets and their cost.

Table building (``write_trapped_table``, needs the ``aep8`` package) is done once and shipped; everything else
reads the table. The kernels are in ``orbital.core.radiation``. Models, equations, sources and assumptions:
docs/radiation.md.
"""

from __future__ import annotations

import csv
import functools
import json
from typing import NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from launch.validation import check_parameters, check_range, evaluate, parameter, to_array
from orbital import data
from orbital.core import radiation as core
from orbital.core.constants import EARTH_RADIUS_KM, SECONDS_PER_JULIAN_YEAR
from orbital.core.radiation import RadiationOutcome, TrappedGrid

TRAPPED_TABLE_FILE = "trapped-ae8ap8-grid.npz"

# The table's grid: geocentric latitude and longitude (Earth-fixed) and altitude above the WGS 84 equatorial
# radius (the radius of a circular orbit minus EARTH_RADIUS_KM, the planner's altitude). Spacings chosen so that
# the South Atlantic Anomaly's edge (fluxes change by ~a decade per 5 deg there) is resolved to the tolerance
# tests/test_environment_radiation.py states.
TABLE_LATITUDE_DEG = np.linspace(-90.0, 90.0, 61)
TABLE_LONGITUDE_DEG = np.arange(0.0, 360.0, 5.0)
TABLE_ALTITUDE_KM = np.concatenate([np.arange(300.0, 1001.0, 50.0), [1100.0, 1200, 1400, 1700, 2000]])
# Integral-flux thresholds (MeV): AP8 covers 0.1-400 MeV protons, AE8 0.04-7 MeV electrons (Sawyer & Vette 1976,
# NSSDC/WDC-A-R&S 76-06; Vette 1991, NSSDC/WDC-A-R&S 91-24); IRBEM returns no value at the end energies
# themselves (>=390 MeV, <=0.04 MeV), so the thresholds stop short of them.
PROTON_ENERGY_MEV = np.array([1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 50.0, 70.0, 100.0, 150.0, 200.0, 300.0])
ELECTRON_ENERGY_MEV = np.array([0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0])
# Fluxes below this (cm^-2 s^-1) are stored as it: log interpolation needs a finite floor; 1e-3 cm^-2 s^-1 of
# >1 MeV protons is ~0.01 rad/yr behind 1 mm, far below anything the dose is compared with.
FLUX_FLOOR_CM2_S = 1e-3
# log10 flux is stored as integers of this step (0.23 % in flux): exact to the tests' tolerances, and compact.
LOG10_STEP = 1e-3


def write_trapped_table(path) -> None:
    """Evaluate AE8/AP8 MIN and MAX (the ``aep8`` package, IRBEM's implementation, each model with its own
    epoch's magnetic field) at every grid node and write the compressed table to ``path``."""
    import aep8  # noqa: PLC0415 - only needed to rebuild the shipped table
    from astropy import units as u  # noqa: PLC0415
    from astropy.coordinates import EarthLocation  # noqa: PLC0415
    from astropy.time import Time  # noqa: PLC0415

    lat, lon, alt = np.meshgrid(TABLE_LATITUDE_DEG, TABLE_LONGITUDE_DEG, TABLE_ALTITUDE_KM, indexing="ij")
    radius = EARTH_RADIUS_KM + alt
    lat_r, lon_r = np.deg2rad(lat), np.deg2rad(lon)
    location = EarthLocation.from_geocentric(
        radius * np.cos(lat_r) * np.cos(lon_r), radius * np.cos(lat_r) * np.sin(lon_r), radius * np.sin(lat_r), u.km
    )
    # The models' fields are fixed at their own epochs (time does not enter): any instant gives the same table.
    time = Time("2000-01-01T00:00:00", scale="utc")
    out = np.empty((2,) + lat.shape + (PROTON_ENERGY_MEV.size + ELECTRON_ENERGY_MEV.size,), dtype=np.int16)
    for s, solar in enumerate(("min", "max")):
        columns = []
        for particle, energies in (("p", PROTON_ENERGY_MEV), ("e", ELECTRON_ENERGY_MEV)):
            model = aep8.model(particle, solar)
            shell_l, b_ratio = model.geomagnetic_coordinates(location, time)
            with np.errstate(invalid="ignore"):
                flux = model.integral_flux_for_geomagnetic_coordinates(
                    np.asarray(shell_l)[..., None], np.asarray(b_ratio)[..., None], energies * u.MeV
                ).to_value(u.cm**-2 * u.s**-1)
            columns.append(np.where(np.isfinite(flux), flux, 0.0))
        flux = np.maximum(np.concatenate(columns, axis=-1), FLUX_FLOOR_CM2_S)
        out[s] = np.round(np.log10(flux) / LOG10_STEP).astype(np.int16)
    provenance = {
        "model": "NASA AE8/AP8 MIN and MAX via aep8 " + aep8.__version__ + " (IRBEM)",
        "flux": "omnidirectional integral flux above each threshold, cm^-2 s^-1, log10 in steps of LOG10_STEP",
        "grid": "geocentric latitude, longitude (Earth-fixed), altitude above 6378.137 km",
    }
    np.savez_compressed(
        path,
        log10_flux_milli=out,
        latitude_deg=TABLE_LATITUDE_DEG,
        longitude_deg=TABLE_LONGITUDE_DEG,
        altitude_km=TABLE_ALTITUDE_KM,
        proton_energy_mev=PROTON_ENERGY_MEV,
        electron_energy_mev=ELECTRON_ENERGY_MEV,
        provenance=json.dumps(provenance),
    )


@functools.lru_cache(maxsize=2)
def _load_raw(name: str):
    with np.load(data.path(name)) as table:
        return {key: table[key] for key in table.files}


# --- the trapped-particle table ----------------------------------------------------------------------------------
# F10.7 (sfu) that AP8/AE8 MIN and MAX stand for: the yearly means around the models' epochs, solar minimum of
# 1964-65 (~70 sfu) and solar maximum of 1970 (~150 sfu) (Vette 1991, NSSDC/WDC-A-R&S 91-24, sec. 2; NOAA NCEI
# F10.7 record). Between them the fluxes are blended linearly (a time-weighted mix of the two states).
F107_AT_MIN_SFU = 70.0
F107_AT_MAX_SFU = 150.0
PROTON_CHANNELS = slice(0, PROTON_ENERGY_MEV.size)
ELECTRON_CHANNELS = slice(PROTON_ENERGY_MEV.size, PROTON_ENERGY_MEV.size + ELECTRON_ENERGY_MEV.size)
# The South Atlantic Anomaly: where >10 MeV protons exceed 10 cm^-2 s^-1 (a stated threshold; the anomaly's
# core at 500-800 km reaches 10^2-10^3).
SAA_CHANNEL = int(np.flatnonzero(PROTON_ENERGY_MEV == 10.0)[0])
SAA_THRESHOLD_CM2_S = 10.0


def solar_max_weight(f107_sfu):
    """Weight of AE8/AP8 MAX in the blend, in [0, 1]: (F10.7 - 70) / (150 - 70), clipped."""
    return np.clip((np.asarray(f107_sfu, dtype=float) - F107_AT_MIN_SFU) / (F107_AT_MAX_SFU - F107_AT_MIN_SFU), 0, 1)


@functools.lru_cache(maxsize=4)  # ~17 MB each
def _grid_numpy(weight: float, name: str = TRAPPED_TABLE_FILE) -> TrappedGrid:
    raw = _load_raw(name)
    flux = 10.0 ** (raw["log10_flux_milli"].astype(float) * LOG10_STEP)
    blended = (1.0 - weight) * flux[0] + weight * flux[1]
    log_flux = np.log(np.maximum(blended, FLUX_FLOOR_CM2_S))
    log_flux = np.concatenate([log_flux, log_flux[:, :1]], axis=1)  # the repeated first longitude column
    n_lat, n_lon, n_alt, n_ch = log_flux.shape
    lat, lon = np.deg2rad(raw["latitude_deg"]), np.deg2rad(raw["longitude_deg"])
    return TrappedGrid(
        float(lat[0]),
        float(lat[1] - lat[0]),
        float(lon[1] - lon[0]),
        n_lat,
        n_lon,
        raw["altitude_km"].astype(float),
        log_flux.reshape(n_lat * n_lon * n_alt, n_ch),
    )


def trapped_grid(f107_sfu=None, *, weight: float | None = None, dtype=np.float64) -> TrappedGrid:
    """The shipped AE8/AP8 table blended for solar activity ``f107_sfu`` (or a MAX ``weight`` in [0, 1]), as
    arrays of ``dtype`` for the kernels."""
    weight = solar_weight(f107_sfu, weight)
    grid = _grid_numpy(round(weight, 3))
    return grid._replace(altitude_km=np.asarray(grid.altitude_km, dtype), ln_flux=np.asarray(grid.ln_flux, dtype))


def solar_weight(f107_sfu, weight) -> float:
    if (f107_sfu is None) == (weight is None):
        raise ValueError("give exactly one of f107_sfu (solar activity, sfu) and weight (AE8/AP8 MAX share, 0-1)")
    if weight is not None:
        return float(check_range("weight", to_array("weight", weight), 0.0, 1.0))
    f107_sfu = check_range("f107_sfu", to_array("f107_sfu", f107_sfu, "sfu"), 50.0, 400.0, unit="sfu")
    return float(solar_max_weight(f107_sfu))


def table_altitude_range_km() -> tuple[float, float]:
    altitude = _load_raw(TRAPPED_TABLE_FILE)["altitude_km"]
    return float(altitude[0]), float(altitude[-1])


def check_table_altitude_km(altitude_km, name: str = "altitude_km"):
    low, high = table_altitude_range_km()
    return check_range(name, to_array(name, altitude_km, "km"), low, high, unit="km")


def trapped_flux_cm2_s(latitude_deg, longitude_deg, altitude_km, f107_sfu=None, *, weight=None) -> np.ndarray:
    """(..., channels) omnidirectional integral flux (cm^-2 s^-1) interpolated in the shipped table at
    geocentric ``latitude_deg``, Earth-fixed ``longitude_deg`` and ``altitude_km`` (above 6378.137 km); channels
    are ``PROTON_ENERGY_MEV`` then ``ELECTRON_ENERGY_MEV``."""
    latitude_deg = check_range("latitude_deg", to_array("latitude_deg", latitude_deg, "deg"), -90.0, 90.0)
    longitude_deg = check_range("longitude_deg", to_array("longitude_deg", longitude_deg, "deg"), -360.0, 360.0)
    altitude_km = check_table_altitude_km(altitude_km)
    grid = trapped_grid(f107_sfu, weight=weight)
    lat, lon, alt = np.broadcast_arrays(np.deg2rad(latitude_deg), np.deg2rad(longitude_deg), altitude_km)
    flux = np.exp(_jit_points(grid, lat.ravel(), lon.ravel(), alt.ravel())) - FLUX_FLOOR_CM2_S
    return np.maximum(flux, 0.0).reshape(lat.shape + (-1,))


def _points(grid, lat, lon, alt):
    return jax.vmap(core.ln_flux, in_axes=(None, 0, 0, 0))(grid, lat, lon, alt)


_jit_points_f64 = jax.jit(_points)


def _jit_points(grid: TrappedGrid, lat, lon, alt) -> np.ndarray:
    """Natural-log flux at host points, float64 (scoped), one compiled kernel per point count."""
    with jax.enable_x64(True):
        return np.asarray(_jit_points_f64(grid, jnp.asarray(lat), jnp.asarray(lon), jnp.asarray(alt)))


# --- dose behind aluminium ---------------------------------------------------------------------------------------
PROTON_RANGE_FILE = "proton-range-aluminium-icru49.csv"
# Aluminium's density (NIST, ICRU 49's table of materials): converts mm to g/cm^2.
ALUMINIUM_DENSITY_G_CM3 = 2.699
# Thickness nodes of the dose-depth tables (mm of aluminium).
THICKNESS_MM = np.array([0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 15.0, 20.0, 25.0, 30.0,
                         40.0, 50.0])  # fmt: skip
# Bethe stopping numbers for the silicon/aluminium ratio: Z/A and mean excitation energies (ICRU 49, 1993,
# table 2.1: I = 166 eV for Al, 173 eV for Si); electron rest energy 0.51099895 MeV (CODATA 2018); proton
# 938.27208816 MeV.
_Z_OVER_A = {"Al": 13 / 26.9815385, "Si": 14 / 28.0855}
_I_MEV = {"Al": 166e-6, "Si": 173e-6}
_ELECTRON_MEV = 0.51099895
_PROTON_MEV = 938.27208816
# Bremsstrahlung: radiation yield Y(T) ~ 6e-4 Z T / (1 + 6e-4 Z T) (T in MeV; Attix 1986, "Introduction to
# Radiological Physics and Radiation Dosimetry", eq. 8.14 approximation after Koch & Motz 1959), photons taken
# as 1 MeV: mass attenuation in Al 0.06146 cm^2/g, energy absorption in Si 0.02652 cm^2/g (Hubbell & Seltzer
# 1995, NISTIR 5632, tables 3 and 4); half the photons head inwards.
_ALUMINIUM_Z = 13.0
# Nuclear interaction length of aluminium, 107.2 g/cm^2 (Particle Data Group, Atomic and nuclear properties of
# materials): primary protons are removed as exp(-x / lambda) on their way in; the secondaries' dose is left out.
_NUCLEAR_LENGTH_AL_G_CM2 = 107.2
_PHOTON_MU_AL_CM2_G = 0.06146
_PHOTON_MU_EN_SI_CM2_G = 0.02652
# The top of the last bin (x its threshold).
_LAST_BIN_FACTOR = 1.5


# Solar energetic protons' yearly integral spectrum above 10 MeV ~ E^-1.8 (an assumption between the hard spectra
# of ground-level events and the soft ones of gradual events; Xapsos et al. 1999, IEEE TNS 46, 1481, fig. 5).
SPE_SPECTRAL_INDEX = 1.8


@functools.lru_cache(maxsize=1)
def proton_range_table() -> tuple[np.ndarray, np.ndarray]:
    """(energy MeV, CSDA range g/cm^2) of protons in aluminium: ICRU 49 as tabulated in SHIELDOSE-2's proton data
    (Seltzer 1994, NIST IR 5477; the tables of IRBEM's SHIELDOSE-2)."""
    with open(data.path(PROTON_RANGE_FILE), newline="") as handle:
        rows = [(float(r["energy_mev"]), float(r["csda_range_g_cm2"])) for r in csv.DictReader(handle)]
    energy, grams = np.array(rows).T
    return energy, grams


def proton_range_g_cm2(energy_mev):
    """CSDA range of protons in aluminium, log-log interpolation of the ICRU 49 table (exact at its nodes)."""
    energy, grams = proton_range_table()
    return np.exp(np.interp(np.log(energy_mev), np.log(energy), np.log(grams)))


def proton_energy_from_range(range_g_cm2):
    """Proton energy (MeV) whose CSDA range in aluminium is ``range_g_cm2`` (the range table inverted)."""
    energy, grams = proton_range_table()
    return np.exp(np.interp(np.log(np.maximum(range_g_cm2, 1e-30)), np.log(grams), np.log(energy)))


def proton_stopping_al_mev_cm2_g(energy_mev):
    """dE/d(rho x) of protons in aluminium from the range table's log-log slope."""
    energy, grams = proton_range_table()
    slope = np.gradient(np.log(grams), np.log(energy))
    return energy_mev / (proton_range_g_cm2(energy_mev) * np.interp(np.log(energy_mev), np.log(energy), slope))


def bethe_stopping_mev_cm2_g(energy_mev, material: str, mass_mev: float = _PROTON_MEV):
    """Bethe's collision stopping power of a singly charged heavy particle (no shell or density corrections:
    good to ~1-2 % above ~5 MeV for protons): 0.307075 Z/A / beta^2 [ln(2 m c^2 beta^2 gamma^2 / I) - beta^2]."""
    gamma = 1.0 + np.asarray(energy_mev, dtype=float) / mass_mev
    beta_sq = 1.0 - 1.0 / gamma**2
    log_term = np.log(2.0 * _ELECTRON_MEV * beta_sq * gamma**2 / _I_MEV[material]) - beta_sq
    return 0.307075 * _Z_OVER_A[material] / beta_sq * log_term


def _si_over_al(energy_mev):
    """Silicon-to-aluminium stopping-power ratio (Bethe; held at its 2 MeV value below 2 MeV, where the
    uncorrected formula loses accuracy; the ratio changes by under 1 % there)."""
    energy = np.maximum(energy_mev, 2.0)
    return bethe_stopping_mev_cm2_g(energy, "Si") / bethe_stopping_mev_cm2_g(energy, "Al")


def electron_range_g_cm2(energy_mev):
    """Practical range of electrons in aluminium (Katz & Penfold 1952, Rev. Mod. Phys. 24, 28, eqs. 9-10):
    0.412 T^(1.265 - 0.0954 ln T) g/cm^2 up to 2.5 MeV, 0.530 T - 0.106 above."""
    energy = np.asarray(energy_mev, dtype=float)
    low = 0.412 * energy ** (1.265 - 0.0954 * np.log(energy))
    return np.where(energy <= 2.5, low, 0.530 * energy - 0.106)


def electron_stopping_mev_cm2_g(energy_mev):
    """dT/dR of the Katz-Penfold range (the mean energy lost per g/cm^2 along the practical range)."""
    energy = np.asarray(energy_mev, dtype=float)
    low = electron_range_g_cm2(energy) * (1.265 - 0.1908 * np.log(energy)) / energy
    return 1.0 / np.where(energy <= 2.5, low, 0.530)


def _electron_energy_from_range(range_g_cm2):
    energy = np.geomspace(1e-3, 50.0, 4000)
    return np.exp(np.interp(np.log(np.maximum(range_g_cm2, 1e-30)), np.log(electron_range_g_cm2(energy)),
                            np.log(energy)))  # fmt: skip


def _to_integral_weights(dose_per_bin):
    """Dose = sum_k N_k d_k with N_k = F_k - F_k+1 the particles in bin k, F the integral flux at the thresholds:
    = sum_k F_k (d_k - d_k-1). (thickness, bins) -> (thickness, thresholds)."""
    return np.diff(dose_per_bin, axis=1, prepend=0.0)


# Gauss-Legendre nodes for the integral over residual energy inside one bin (its integrand is smooth there).
_GAUSS_NODES, _GAUSS_WEIGHTS = np.polynomial.legendre.leggauss(32)
# Residual energies below this carry no dose worth counting (a 1 keV proton stops within 0.02 um of silicon).
_LOWEST_RESIDUAL_MEV = 1e-3


def _csda_bin_dose(low_mev, high_mev, depth_g_cm2, density, range_of, energy_of, stopping, deposit_ratio):
    """(depth,) dose per unit fluence (MeV cm^2/g) at the centre of the sphere from particles spread over
    [low, high) MeV with differential density ``density(E)`` (per MeV, normalised by the caller).

    Integrated over the residual energy E' instead of the incident E: with R(E) = R(E') + x, dE / S(E) =
    dE' / S(E'), so D = int phi(E) S_Si(E') dE = int phi(E(E')) S(E(E')) (S_Si/S)(E') dE'. The integrand is
    smooth (the stopping power's rise near the end of range cancels), so the dose is smooth in x; the limits
    are the residual energies of the bin's edges."""
    depth = np.asarray(depth_g_cm2, dtype=float)
    r_low, r_high = range_of(low_mev) - depth, range_of(high_mev) - depth
    lo = np.where(r_low > 0, energy_of(np.maximum(r_low, 1e-30)), _LOWEST_RESIDUAL_MEV)
    hi = np.where(r_high > 0, energy_of(np.maximum(r_high, 1e-30)), _LOWEST_RESIDUAL_MEV)
    lo = np.maximum(lo, _LOWEST_RESIDUAL_MEV)
    hi = np.maximum(hi, lo)
    half = 0.5 * (np.log(hi) - np.log(lo))
    residual = np.exp(np.log(lo)[..., None] + half[..., None] * (_GAUSS_NODES + 1.0))
    incident = energy_of(range_of(residual) + depth[..., None])
    integrand = density(incident) * stopping(incident) * deposit_ratio(residual) * residual
    return half * np.sum(_GAUSS_WEIGHTS * integrand, axis=-1)


def _log_uniform(low, high):
    return lambda energy: 1.0 / (energy * np.log(high / low))


def _bin_doses(thresholds, depth, range_of, energy_of, stopping, deposit_ratio):
    """(depth, bins) dose per particle of each bin [E_k, E_k+1) (the last to 1.5 E_k), log-uniform inside."""
    edges = np.append(thresholds, thresholds[-1] * _LAST_BIN_FACTOR)
    return np.stack(
        [
            _csda_bin_dose(lo, hi, depth, _log_uniform(lo, hi), range_of, energy_of, stopping, deposit_ratio)
            for lo, hi in zip(edges[:-1], edges[1:])
        ],
        axis=-1,
    )


def _unit_ratio(energy):
    return np.ones_like(energy)


@functools.lru_cache(maxsize=4)
def dose_kernels(thickness_mm: tuple = tuple(THICKNESS_MM)) -> dict:
    """rad(Si)/yr behind each thickness per cm^-2 s^-1 of integral flux above each threshold: ``proton``,
    ``electron`` and ``bremsstrahlung`` (thickness, thresholds) matrices, and ``spe_per_fluence`` (thickness,)
    rad(Si) per cm^-2 of >10 MeV solar protons of integral spectrum (E / 10 MeV)^-SPE_SPECTRAL_INDEX.

    Geometry: the centre of a solid aluminium sphere of radius t, so every direction crosses t; each particle
    slows down along a straight path (continuous slowing down, as SHIELDOSE-2, Seltzer 1994) and deposits its
    stopping power at its residual energy, dose = fluence x S/rho in silicon; protons lost to nuclear
    interactions on the way in are removed (exp(-x / 107.2 g/cm^2)), their secondaries not counted. Inside a
    bin the particles are spread log-uniformly."""
    depth = np.asarray(thickness_mm, dtype=float) * ALUMINIUM_DENSITY_G_CM3 / 10.0
    per_year = core.RAD_PER_MEV_G * SECONDS_PER_JULIAN_YEAR
    survival = np.exp(-depth / _NUCLEAR_LENGTH_AL_G_CM2)[:, None]
    proton_args = (proton_range_g_cm2, proton_energy_from_range, proton_stopping_al_mev_cm2_g, _si_over_al)
    proton = _bin_doses(PROTON_ENERGY_MEV, depth, *proton_args) * survival
    electron_args = (electron_range_g_cm2, _electron_energy_from_range, electron_stopping_mev_cm2_g, _unit_ratio)
    electron = _bin_doses(ELECTRON_ENERGY_MEV, depth, *electron_args)
    # Bremsstrahlung of each bin's electrons (log-uniform: 64 points), attenuated on the way in.
    edges = np.append(ELECTRON_ENERGY_MEV, ELECTRON_ENERGY_MEV[-1] * _LAST_BIN_FACTOR)
    fractions = (np.arange(64) + 0.5) / 64
    energy = np.exp(np.log(edges[:-1, None]) + fractions[None, :] * np.diff(np.log(edges))[:, None])
    yield_ = 6e-4 * _ALUMINIUM_Z * energy / (1.0 + 6e-4 * _ALUMINIUM_Z * energy)
    photons = (0.5 * yield_ * energy).mean(axis=-1)[None, :] * _PHOTON_MU_EN_SI_CM2_G
    brems = photons * np.exp(-_PHOTON_MU_AL_CM2_G * depth)[:, None]
    # Solar protons: the power law from 1 MeV up (differential density gamma/10 (E/10)^-(gamma+1) per >10 MeV
    # proton), so that no artificial edge sits at 10 MeV.
    gamma = SPE_SPECTRAL_INDEX
    spe = (
        _csda_bin_dose(1.0, 1e4, depth, lambda e: gamma / 10.0 * (e / 10.0) ** -(gamma + 1.0), *proton_args)
        * survival[:, 0]
    )
    return {
        "proton": _to_integral_weights(proton) * per_year,
        "electron": _to_integral_weights(electron) * per_year,
        "bremsstrahlung": _to_integral_weights(brems) * per_year,
        "spe_per_fluence": spe * core.RAD_PER_MEV_G,
    }


def dose_depth_rad_per_yr(proton_flux_cm2_s, electron_flux_cm2_s, thickness_mm=THICKNESS_MM) -> dict:
    """Trapped dose-depth (rad(Si)/yr) from orbit-averaged integral fluxes at ``PROTON_ENERGY_MEV`` and
    ``ELECTRON_ENERGY_MEV`` (leading axes: satellites or shells): ``proton``, ``electron``, ``bremsstrahlung`` and
    their sum ``trapped``, each (..., thickness)."""
    kernels = dose_kernels(tuple(np.asarray(thickness_mm, dtype=float)))
    out = {
        "proton": np.asarray(proton_flux_cm2_s) @ kernels["proton"].T,
        "electron": np.asarray(electron_flux_cm2_s) @ kernels["electron"].T,
        "bremsstrahlung": np.asarray(electron_flux_cm2_s) @ kernels["bremsstrahlung"].T,
    }
    out["trapped"] = out["proton"] + out["electron"] + out["bremsstrahlung"]
    return out


# --- circular shells: orbit averages on the host -----------------------------------------------------------------
# Orbit average of a circular shell: argument of latitude and the node's Earth-fixed longitude sampled uniformly
# (a satellite's ground track covers every longitude within days, and a shell's planes cover them at once), so
# the average depends on altitude and inclination only: RAAN and local time do not enter trapped fluxes.
SHELL_SAMPLES_U = 90
SHELL_SAMPLES_NODE = 60


class ShellRadiation(NamedTuple):
    """Orbit-averaged trapped environment of a circular shell (numpy arrays)."""

    altitude_km: float
    inclination_deg: float
    solar_max_weight: float
    proton_flux_cm2_s: np.ndarray  # (12,) integral flux above PROTON_ENERGY_MEV
    electron_flux_cm2_s: np.ndarray  # (12,) above ELECTRON_ENERGY_MEV
    saa_fraction: float  # share of time with >10 MeV protons above SAA_THRESHOLD_CM2_S
    thickness_mm: np.ndarray  # (19,) THICKNESS_MM
    trapped_dose_rad_per_yr: np.ndarray  # (19,) protons + electrons + bremsstrahlung
    proton_dose_rad_per_yr: np.ndarray
    electron_dose_rad_per_yr: np.ndarray
    bremsstrahlung_dose_rad_per_yr: np.ndarray


def mean_above_floor(mean_flux_cm2_s):
    """Mean integral flux less the table's floor: every node holds at least the floor, so every interpolated flux
    does and it comes off the mean exactly. What is left below the floor is below what the table resolves (mixes
    of floored nodes, whose spectra are not physical) and counts as none."""
    flux = np.asarray(mean_flux_cm2_s, dtype=float) - FLUX_FLOOR_CM2_S
    return np.where(flux > FLUX_FLOOR_CM2_S, flux, 0.0)


def shell_sample_points(altitude_km: float, inclination_deg: float):
    """(latitude rad, Earth-fixed longitude rad, altitude km) of the points a shell's orbit average is taken over."""
    u = (np.arange(SHELL_SAMPLES_U) + 0.5) * (2 * np.pi / SHELL_SAMPLES_U)
    node = np.arange(SHELL_SAMPLES_NODE) * (2 * np.pi / SHELL_SAMPLES_NODE)
    u, node = np.meshgrid(u, node, indexing="ij")
    inc = np.deg2rad(inclination_deg)
    lat = np.arcsin(np.sin(inc) * np.sin(u))
    lon = node + np.arctan2(np.cos(inc) * np.sin(u), np.cos(u))
    return lat.ravel(), lon.ravel(), np.full(lat.size, float(altitude_km))


@functools.lru_cache(maxsize=512)
def _shell(altitude_km: float, inclination_deg: float, weight: float) -> ShellRadiation:
    grid = trapped_grid(weight=weight)
    log_flux = _jit_points(grid, *shell_sample_points(altitude_km, inclination_deg))
    flux = mean_above_floor(np.exp(log_flux).mean(axis=0))
    saa = float(np.mean(log_flux[:, SAA_CHANNEL] > np.log(SAA_THRESHOLD_CM2_S)))
    dose = dose_depth_rad_per_yr(flux[PROTON_CHANNELS], flux[ELECTRON_CHANNELS])
    return ShellRadiation(
        altitude_km,
        inclination_deg,
        weight,
        flux[PROTON_CHANNELS],
        flux[ELECTRON_CHANNELS],
        saa,
        THICKNESS_MM.copy(),
        dose["trapped"],
        dose["proton"],
        dose["electron"],
        dose["bremsstrahlung"],
    )


def shell_radiation(altitude_km, inclination_deg, f107_sfu=None, *, weight=None) -> ShellRadiation:
    """Orbit-averaged trapped fluxes, time in the South Atlantic Anomaly and the dose-depth table of a circular
    shell at ``altitude_km`` (300-2000 km, the table's range) and ``inclination_deg`` (0-180), for solar activity
    ``f107_sfu`` (AE8/AP8 MIN and MAX blended, ``solar_max_weight``) or a MAX ``weight`` in [0, 1].

    Cached on inputs rounded to 0.1 km, 0.01 deg and a weight of 0.001 (well inside the table's accuracy);
    ~20 ms per new shell after the first call compiles the kernel."""
    altitude_km = float(check_table_altitude_km(altitude_km))
    inclination_deg = float(
        check_range("inclination_deg", to_array("inclination_deg", inclination_deg, "deg"), 0.0, 180.0, unit="deg")
    )
    return _shell(round(altitude_km, 1), round(inclination_deg, 2), round(solar_weight(f107_sfu, weight), 3))


# --- effects: every input declared once ----------------------------------------------------------------------------
class RadiationEffects(eqx.Module):
    """Inputs of the radiation effects on an orbital compute satellite: the accelerator's tolerance and upset
    rates, what an upset costs, and the galactic cosmic-ray and solar-particle allowances (docs/radiation.md)."""

    accelerator_tolerance_rad: object = parameter(
        2000.0,
        unit="rad",
        low=0.0,
        low_open=True,
        high=1e7,
        doc="total ionising dose, rad(Si), the accelerator takes before it degrades: Suncatcher's 67 MeV proton "
        "test of its TPUs saw HBM irregularities from ~2 krad(Si) and no hard failure up to 15 krad(Si) "
        "(arXiv:2511.19468); the onset of irregularities is the default",
    )
    design_margin: object = parameter(
        1.0,
        low=1.0,
        high=10.0,
        doc="radiation design margin on the dose (1: none; spacecraft practice uses 2, e.g. ECSS-E-ST-10-12C)",
    )
    upsets_per_rad_per_chip: object = parameter(
        1e-3,
        unit="1/rad",
        low=0.0,
        high=1e3,
        doc="single-event upsets per rad(Si) per accelerator (assumption of order: a 1e-10 cm^2 per-chip "
        "cross-section at 67 MeV, where 1 rad(Si) is ~7.5e6 protons/cm^2; replace with the per-rad rate of "
        "Suncatcher's proton test, arXiv:2511.19468)",
    )
    silent_corruption_share: object = parameter(
        0.1, low=0.0, high=1.0, doc="share of upsets that corrupt results silently (caught later by checks; assumption)"
    )
    chip_power_w: object = parameter(
        1000.0,
        unit="W",
        low=0.0,
        low_open=True,
        high=1e6,
        doc="power per accelerator: the compute power over it counts the chips (assumption: ~1 kW class parts)",
    )
    restart_s: object = parameter(
        60.0, unit="s", low=0.0, high=86400.0, doc="compute time lost to restarting after an upset (assumption)"
    )
    recompute_s: object = parameter(
        600.0,
        unit="s",
        low=0.0,
        high=86400.0,
        doc="work redone after a silent corruption: half of a 20-minute checkpoint interval (assumption)",
    )
    gcr_free_space_rad_per_yr: object = parameter(
        17.6,
        unit="rad/yr",
        low=0.0,
        high=1000.0,
        doc="galactic cosmic-ray dose in interplanetary space: 0.48 mGy/day measured by MSL/RAD in cruise, behind "
        "spacecraft shielding (Zeitlin et al. 2013, Science 340, 1080), taken as rad(Si)",
    )
    gcr_equator_share: object = parameter(
        0.05,
        low=0.0,
        high=1.0,
        doc="share of the free-space GCR dose reaching an equatorial orbit (geomagnetic cut-off and the Earth's "
        "shadow; assumption)",
    )
    gcr_polar_share: object = parameter(
        0.4, low=0.0, high=1.0, doc="the same for a polar orbit (assumption; sin^2 i in between)"
    )
    spe_fluence_cm2_per_yr: object = parameter(
        1e10,
        unit="1/cm2/yr",
        low=0.0,
        high=1e12,
        doc="yearly fluence of >10 MeV solar protons at 1 AU: of order the one-year, 90 %-confidence fluence of "
        "the ESP model (Xapsos et al. 1999, IEEE TNS 46, 1481) near solar maximum, an allowance",
    )
    spe_polar_access: object = parameter(
        0.25,
        low=0.0,
        high=1.0,
        doc="share of that fluence a polar orbit sees (polar-cap passes above the geomagnetic cut-off; assumption)",
    )
    spe_onset_inclination_deg: object = parameter(
        50.0,
        unit="deg",
        low=0.0,
        high=89.0,
        doc="below this inclination solar protons are kept out by the geomagnetic cut-off (assumption)",
    )

    def __check_init__(self):
        check_parameters(self)


class DoseTable(NamedTuple):
    """What the dose kernel needs of one shell (stack them for many shells; every leaf is an array)."""

    thickness_mm: object  # (n,) nodes
    trapped_rad_per_yr: object  # (n,) trapped protons + electrons + bremsstrahlung
    spe_rad_per_fluence: object  # (n,) rad(Si) per cm^-2 of >10 MeV solar protons
    inclination_rad: object  # ()


def dose_table(shell: ShellRadiation) -> DoseTable:
    """The dose kernel's table of a shell (numpy float64)."""
    spe = dose_kernels(tuple(shell.thickness_mm))["spe_per_fluence"]
    return DoseTable(
        np.asarray(shell.thickness_mm, float),
        np.asarray(shell.trapped_dose_rad_per_yr, float),
        np.asarray(spe, float),
        np.asarray(np.deg2rad(shell.inclination_deg), float),
    )


def dose_kernel(params: RadiationEffects, table: DoseTable, thickness_mm):
    """Kernel: total dose rate rad(Si)/yr behind ``thickness_mm`` of aluminium: trapped (log-linear in
    thickness between the table's nodes), GCR (thickness-independent) and the solar-proton allowance."""
    trapped = core.dose_at_thickness(table.thickness_mm, table.trapped_rad_per_yr, thickness_mm)
    spe_unit = core.dose_at_thickness(table.thickness_mm, table.spe_rad_per_fluence, thickness_mm)
    access = core.spe_access_share(
        params.spe_polar_access, jnp.deg2rad(params.spe_onset_inclination_deg), table.inclination_rad
    )
    gcr = core.gcr_rad_per_yr(
        params.gcr_free_space_rad_per_yr, params.gcr_equator_share, params.gcr_polar_share, table.inclination_rad
    )
    return trapped + gcr + params.spe_fluence_cm2_per_yr * access * spe_unit


def effects_kernel(
    params: RadiationEffects, table: DoseTable, thickness_mm, compute_power_w, design_life_yr
) -> RadiationOutcome:
    """Kernel: life limit, upsets, silent corruptions, availability loss and life shortfall of a satellite with
    ``compute_power_w`` of accelerators behind ``thickness_mm`` of aluminium."""
    return core.effects(
        dose_kernel(params, table, thickness_mm),
        params.accelerator_tolerance_rad,
        params.design_margin,
        params.upsets_per_rad_per_chip,
        params.silent_corruption_share,
        compute_power_w / params.chip_power_w,
        params.restart_s,
        params.recompute_s,
        design_life_yr,
    )


def _check_params(params):
    if not isinstance(params, RadiationEffects):
        raise TypeError(f"params: expected a RadiationEffects, got {type(params).__name__}")


def check_thickness_mm(thickness_mm):
    return check_range(
        "thickness_mm", to_array("thickness_mm", thickness_mm, "mm"), 0.0, float(THICKNESS_MM[-1]), unit="mm"
    )


def dose_rad_per_yr(shell: ShellRadiation, thickness_mm, params: RadiationEffects | None = None):
    """Total dose rate, rad(Si)/yr, behind ``thickness_mm`` (0-50 mm) of aluminium in ``shell``
    (``shell_radiation``); float64 for concrete inputs, traceable in ``thickness_mm`` and ``params``."""
    params = RadiationEffects() if params is None else params
    _check_params(params)
    thickness_mm = check_thickness_mm(thickness_mm)
    table = dose_table(shell)
    return evaluate(lambda p, t: dose_kernel(p, table, t), params, thickness_mm)


def radiation_effects(
    shell: ShellRadiation,
    thickness_mm,
    compute_power_w,
    design_life_yr,
    params: RadiationEffects | None = None,
) -> RadiationOutcome:
    """Dose, life limit, upsets and silent corruptions per satellite-year, availability loss and life shortfall
    of a satellite in ``shell`` with ``compute_power_w`` of accelerators behind ``thickness_mm`` of aluminium."""
    params = RadiationEffects() if params is None else params
    _check_params(params)
    thickness_mm = check_thickness_mm(thickness_mm)
    compute_power_w = check_range(
        "compute_power_w", to_array("compute_power_w", compute_power_w, "W"), 0.0, 1e9, unit="W"
    )
    design_life_yr = check_range(
        "design_life_yr", to_array("design_life_yr", design_life_yr, "yr"), 0.0, 100.0, low_open=True, unit="yr"
    )
    table = dose_table(shell)

    def kernel(p, t, power, life):
        return effects_kernel(p, table, t, power, life)

    return evaluate(kernel, params, thickness_mm, compute_power_w, design_life_yr)


__all__ = [
    "ELECTRON_ENERGY_MEV",
    "PROTON_ENERGY_MEV",
    "SAA_THRESHOLD_CM2_S",
    "THICKNESS_MM",
    "SAA_CHANNEL",
    "PROTON_CHANNELS",
    "ELECTRON_CHANNELS",
    "check_thickness_mm",
    "mean_above_floor",
    "solar_weight",
    "DoseTable",
    "RadiationEffects",
    "RadiationOutcome",
    "ShellRadiation",
    "check_table_altitude_km",
    "dose_depth_rad_per_yr",
    "dose_kernel",
    "dose_rad_per_yr",
    "dose_table",
    "effects_kernel",
    "radiation_effects",
    "shell_radiation",
    "solar_max_weight",
    "trapped_flux_cm2_s",
    "trapped_grid",
    "write_trapped_table",
]
