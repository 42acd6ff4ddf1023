"""Time at the boundary: every accepted form of time becomes (a reference instant, float64 seconds after it).

Accepted: timezone-aware ``datetime`` objects (one or a sequence), an astropy ``Time``, a skyfield ``Time``, or
an ISO date/datetime string (for window starts only; a string without an offset is read as UTC, the
astronomical convention). Naive datetimes are refused because their time zone is a guess.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np
from astropy.time import Time

from orbital.core.constants import SECONDS_PER_DAY


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
    """Convert any accepted time form to an astropy Time in UTC."""
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
    utc = [item.astimezone(dt.UTC).replace(tzinfo=None) for item in values]
    result = Time(utc, scale="utc")
    return result[0] if isinstance(value, dt.datetime) else result


def time_grid(name: str, value) -> TimeGrid:
    """Any accepted time (scalar or array) as a TimeGrid referred to its first instant."""
    times = to_astropy(name, value)
    flat = times.ravel() if times.shape else times.reshape((1,))
    reference = flat[0]
    tt, tt0 = flat.tt, reference.tt
    offsets_s = ((tt.jd1 - tt0.jd1) + (tt.jd2 - tt0.jd2)) * SECONDS_PER_DAY
    return TimeGrid(
        float(reference.jd1), float(reference.jd2), float(tt0.jd1), float(tt0.jd2), np.asarray(offsets_s, dtype=float)
    )


def uniform_grid(name: str, start, days: float, step_s: float) -> TimeGrid:
    """Steps of ``step_s`` seconds (0 < step_s <= the window) from ``start`` covering ``days`` (end excluded)."""
    if not np.isfinite(days) or days <= 0:
        raise ValueError(f"days={days!r} is outside the allowed range (0, inf)")
    window_s = days * SECONDS_PER_DAY
    # A step longer than the window would make one instant stand for more time than the window holds (a one-day
    # window reporting a 9,600-minute eclipse).
    if not np.isfinite(step_s) or step_s <= 0 or step_s > window_s:
        raise ValueError(f"step_s={step_s!r} is outside the allowed range (0, {window_s:g}] s (the window length)")
    reference = time_grid(name, start)
    if reference.offsets_s.size != 1:
        raise ValueError(f"{name}: expected a single start instant, got {reference.offsets_s.size}")
    n_steps = int(np.ceil(window_s / step_s - 1e-9))
    return reference._replace(offsets_s=np.arange(n_steps, dtype=float) * step_s)
