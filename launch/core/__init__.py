"""Pure JAX kernels of the launch package (no I/O, no pandas, internal units t, kW, GW, USD, years)."""

from launch.core import curves, projection
from launch.core.projection import BINDING_NAMES, LAUNCH_LIMIT_NAMES, CohortState

__all__ = ["curves", "projection", "BINDING_NAMES", "LAUNCH_LIMIT_NAMES", "CohortState"]
