"""Orbital compute constellation planner: orbit geometry, illumination, power and the integrated planner."""

from orbital.fleet import Fleet, Shell
from orbital.geometry import (critical_beta_deg, eclipse_duration_min, eclipse_fraction, j2_raan_rate_deg_day,
                              max_sun_synchronous_altitude_km, period_min, sso_inclination_deg)
from orbital.lighting import IlluminationStats, beta_angle_deg, illumination, positions_km, sunlit

__all__ = ["Fleet", "Shell", "IlluminationStats", "beta_angle_deg", "critical_beta_deg", "eclipse_duration_min",
           "eclipse_fraction", "illumination", "j2_raan_rate_deg_day", "max_sun_synchronous_altitude_km",
           "period_min", "positions_km", "sso_inclination_deg", "sunlit"]
