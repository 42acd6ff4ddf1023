"""Time at the boundary: every accepted form of time becomes (a reference instant, float64 seconds after it).

Accepted: timezone-aware ``datetime`` objects (one or a sequence), an astropy ``Time``, a skyfield ``Time``, or
an ISO date/datetime string (for window starts only; a string without an offset is read as UTC, the
astronomical convention). Naive datetimes are refused because their time zone is a guess. Every instant must lie
in ``EARLIEST_TIME`` to ``LATEST_TIME`` (UTC), the years the Sun model is checked over; a window must end by then
too (``check_window``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import warnings
from typing import NamedTuple

import numpy as np
from astropy.time import Time
from erfa import ErfaWarning

from orbital.core.constants import SECONDS_PER_DAY

# The years a time may lie in: those of ERFA's epv00 ephemeris (astropy's built-in one), 1900-01-01 to 2100-01-01.
# The Sun is the Astronomical Almanac's low-precision series (orbital.core.sun); over those years it stays within
# 0.011 deg of epv00 and within 0.016 deg of JPL DE421 (shipped by skyfield-data, 1900-2053), about 0.3 s of a LEO
# shadow edge (tests/test_calendar_bounds.py). Outside, no shipped ephemeris checks it: the statistics would be a
# guess.
EARLIEST_TIME = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST_TIME = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)  # exclusive for instants; a window may end on it
_UNIX_EPOCH_JD = 2440587.5
_EARLIEST_JD = _UNIX_EPOCH_JD + EARLIEST_TIME.timestamp() / SECONDS_PER_DAY
_LATEST_JD = _UNIX_EPOCH_JD + LATEST_TIME.timestamp() / SECONDS_PER_DAY
TIME_RANGE_TEXT = f"{EARLIEST_TIME:%Y-%m-%d} to {LATEST_TIME:%Y-%m-%d} UTC (the years the Sun model is checked over)"


@contextlib.contextmanager
def quiet_dubious_years():
    """ERFA calls UTC "dubious" before 1960 (no UTC yet) and a few years past its leap-second table (leap seconds
    not yet announced). Inside TIME_RANGE that costs at most the leap seconds to come, a few seconds, while the
    Sun moves 0.01 deg in 15 minutes; the years themselves are checked here, so the warning says nothing more."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*dubious year", category=ErfaWarning)
        yield


def _check_range(name: str, value, jd: np.ndarray, end: bool = False):
    """Refuse UTC Julian dates ``jd`` before EARLIEST_TIME or after LATEST_TIME (at it, unless ``end``)."""
    late = jd > _LATEST_JD if end else jd >= _LATEST_JD
    bad = np.flatnonzero((jd < _EARLIEST_JD) | late | ~np.isfinite(jd))
    if bad.size:
        shown = value if isinstance(value, str) else _iso(float(np.ravel(jd)[bad[0]]))
        raise ValueError(f"{name}={shown!r} is outside the years a window may lie in: {TIME_RANGE_TEXT}")


def _iso(jd: float) -> str:
    if not np.isfinite(jd) or not 1_721_426 < jd < 5_373_484:  # datetime's years 1 to 9999
        return f"JD {jd}"
    seconds = (jd - _UNIX_EPOCH_JD) * SECONDS_PER_DAY
    return (dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=seconds)).isoformat(timespec="seconds")


class TimeGrid(NamedTuple):
    """Instants as a reference (UTC and TT Julian dates, each split in two float64 parts) plus offsets."""

    utc_jd1: float
    utc_jd2: float
    tt_jd1: float
    tt_jd2: float
    offsets_s: np.ndarray  # (n_time,) float64 SI seconds after the reference

    @property
    def tt_jd(self) -> float:
        return self.tt_jd1 + self.tt_jd2

    def shifted(self, seconds: float) -> TimeGrid:
        """The same instants referred to ``seconds`` after this reference (keeps float64 phase precision)."""
        return TimeGrid(
            self.utc_jd1,
            self.utc_jd2 + seconds / SECONDS_PER_DAY,
            self.tt_jd1,
            self.tt_jd2 + seconds / SECONDS_PER_DAY,
            self.offsets_s - seconds,
        )

    def utc_day_index(self) -> np.ndarray:
        """UTC calendar day of each instant, counted from the reference's day (0, 1, 2, ...).

        Leap seconds inside a window shift day boundaries by at most a second and are ignored."""
        start = self.utc_jd1 - 0.5 + self.utc_jd2  # days since a midnight-aligned Julian origin
        first_day = np.floor(start)
        return (np.floor(start + self.offsets_s / SECONDS_PER_DAY) - first_day).astype(np.int32)

    def as_astropy(self) -> Time:
        return Time(self.utc_jd1, self.utc_jd2 + self.offsets_s / SECONDS_PER_DAY, format="jd", scale="utc")

    def utc_jd_parts(self):
        """(whole, fraction) UTC Julian dates per instant, the form SGP4 takes."""
        whole = np.full(self.offsets_s.shape, self.utc_jd1)
        return whole, self.utc_jd2 + self.offsets_s / SECONDS_PER_DAY


def _is_skyfield_time(value) -> bool:
    return type(value).__name__ == "Time" and type(value).__module__.startswith("skyfield")


def to_astropy(name: str, value) -> Time:
    """Convert any accepted time form to an astropy Time in UTC; every instant within ``TIME_RANGE_TEXT``."""
    with quiet_dubious_years():
        result = _to_astropy(name, value)
        _check_range(name, value, np.atleast_1d(result.jd1 + result.jd2))
    return result


def _to_astropy(name: str, value) -> Time:
    given = value
    if isinstance(value, Time):
        return value.utc
    if _is_skyfield_time(value):
        return Time(value.whole, value.tt_fraction, format="jd", scale="tt").utc
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"{name}={value!r} is not an ISO date or datetime, e.g. '2027-01-01' or '2027-01-01T06:00:00+00:00'"
            ) from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        value = parsed
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    values = [value] if isinstance(value, dt.datetime) else value
    try:
        values = list(values)
    except TypeError:
        raise TypeError(
            f"{name}: expected timezone-aware datetimes, an astropy Time or a skyfield Time, got {type(value).__name__}"
        ) from None
    if not values:
        raise ValueError(f"{name}: no times given")
    for item in values:
        if not isinstance(item, dt.datetime):
            raise TypeError(
                f"{name}: expected timezone-aware datetimes, an astropy Time or a skyfield Time, "
                f"got an element of type {type(item).__name__}"
            )
        if item.tzinfo is None or item.utcoffset() is None:
            raise ValueError(
                f"{name}: naive datetime {item.isoformat()} has no time zone; "
                "pass e.g. datetime(..., tzinfo=datetime.timezone.utc)"
            )
    aware = [item.astimezone(dt.UTC) for item in values]
    # Checked before astropy sees them: years outside would only make ERFA warn.
    _check_range(name, given, np.array([_UNIX_EPOCH_JD + item.timestamp() / SECONDS_PER_DAY for item in aware]))
    result = Time([item.replace(tzinfo=None) for item in aware], scale="utc")
    return result[0] if isinstance(value, dt.datetime) else result


def time_grid(name: str, value) -> TimeGrid:
    """Any accepted time (scalar or array) as a TimeGrid referred to its first instant."""
    times = to_astropy(name, value)
    flat = times.ravel() if times.shape else times.reshape((1,))
    reference = flat[0]
    with quiet_dubious_years():
        tt, tt0 = flat.tt, reference.tt
    offsets_s = ((tt.jd1 - tt0.jd1) + (tt.jd2 - tt0.jd2)) * SECONDS_PER_DAY
    return TimeGrid(
        float(reference.jd1), float(reference.jd2), float(tt0.jd1), float(tt0.jd2), np.asarray(offsets_s, dtype=float)
    )


def check_window(name: str, start, days: float) -> TimeGrid:
    """The reference of a window of ``days`` from ``start`` (one instant), after checking that the whole window
    lies within ``TIME_RANGE_TEXT``; one-line ValueError naming ``name`` (or ``days``) if not."""
    if not isinstance(days, (int, float, np.integer, np.floating)) or isinstance(days, bool):
        raise TypeError(f"days={days!r} is not a number of days")
    if not np.isfinite(days) or days <= 0:
        raise ValueError(f"days={days!r} is outside the allowed range (0, inf)")
    reference = time_grid(name, start)
    if reference.offsets_s.size != 1:
        raise ValueError(f"{name}: expected a single start instant, got {reference.offsets_s.size}")
    start_jd = reference.utc_jd1 + reference.utc_jd2
    end_jd = start_jd + float(days)
    if end_jd > _LATEST_JD:
        raise ValueError(
            f"{name}={start if isinstance(start, str) else _iso(start_jd)!r} with days={days:g}: the window ends "
            f"{_iso(end_jd)}, after {LATEST_TIME:%Y-%m-%d}; windows must lie within {TIME_RANGE_TEXT}"
        )
    return reference


def uniform_grid(name: str, start, days: float, step_s: float) -> TimeGrid:
    """Steps of ``step_s`` seconds (0 < step_s <= the window) from ``start`` covering ``days`` (end excluded)."""
    if not np.isfinite(days) or days <= 0:
        raise ValueError(f"days={days!r} is outside the allowed range (0, inf)")
    window_s = days * SECONDS_PER_DAY
    # A step longer than the window would make one instant stand for more time than the window holds (a one-day
    # window reporting a 9,600-minute eclipse).
    if not np.isfinite(step_s) or step_s <= 0 or step_s > window_s:
        raise ValueError(f"step_s={step_s!r} is outside the allowed range (0, {window_s:g}] s (the window length)")
    reference = check_window(name, start, days)
    n_steps = int(np.ceil(window_s / step_s - 1e-9))
    return reference._replace(offsets_s=np.arange(n_steps, dtype=float) * step_s)
