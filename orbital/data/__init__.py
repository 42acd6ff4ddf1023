"""Reference data shipped with the package (origins in this folder's README.md)."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
STARLINK_TLE = "starlink-2026-05-13.tle"
SPACEX_LAUNCHES = "spacex-orbital-launches.csv"


def path(name: str) -> Path:
    """Path of a shipped data file, e.g. ``path("starlink-2026-05-13.tle")``."""
    candidate = DATA_DIR / name
    if not candidate.is_file():
        available = sorted(p.name for p in DATA_DIR.iterdir() if p.suffix in (".tle", ".csv"))
        raise FileNotFoundError(f"data file {name!r} is not shipped; available: {', '.join(available)}")
    return candidate
