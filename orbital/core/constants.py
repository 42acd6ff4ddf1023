"""Physical constants in the kernels' internal units (km, s, kg, W, K, rad), each with its source."""

import math

# Total solar irradiance at 1 AU (Kopp & Lean 2011): defined once, beside the radiator models that use it too.
from thermal.constants import SOLAR_CONSTANT_W_M2 as SOLAR_CONSTANT_W_M2

# Time: the Julian day of 86,400 SI seconds (a UTC day that carries a leap second is the exception; the time-scale
# layer, orbital.timescales, handles it through astropy).
SECONDS_PER_DAY = 86400.0
SECONDS_PER_MINUTE = 60.0
MINUTES_PER_DAY = 1440.0
HOURS_PER_MINUTE = 1.0 / 60.0
SECONDS_PER_HOUR = 3600.0
# The Julian year, exactly 365.25 days (IAU Style Manual, Wilkins 1989): ages and degradation rates per year.
SECONDS_PER_JULIAN_YEAR = 365.25 * SECONDS_PER_DAY
# Julian date of J2000.0 (TT).
J2000_JD = 2451545.0

TWO_PI = 2.0 * math.pi

# WGS 84 (NGA.STND.0036_1.0.0_WGS84, 2014, table 3.1): equatorial radius.
EARTH_RADIUS_KM = 6378.137
# EGM2008 / WGS 84 gravitational parameter GM including the atmosphere (NGA.STND.0036, table 3.1).
EARTH_MU_KM3_S2 = 398600.4418
# EGM2008 unnormalised J2 = -sqrt(5) * C20, C20 = -0.484165143790815e-3 (NGA EGM2008 coefficients).
EARTH_J2 = 1.08262668355e-3
# WGS 72 equatorial radius, the one SGP4 and its two-line element sets use (Vallado et al. 2006, AIAA 2006-6753,
# getgravconst("wgs72")); do not swap in WGS 84 where element sets are concerned.
WGS72_EARTH_RADIUS_KM = 6378.135
# IAU 2015 Resolution B3: nominal solar radius.
SUN_RADIUS_KM = 695700.0
# IAU 2012 Resolution B2: astronomical unit.
AU_KM = 149597870.7
# Tropical year (Astronomical Almanac): the Sun's mean motion in right ascension that a sun-synchronous
# orbit's node must match, 360 deg / 365.2422 d.
TROPICAL_YEAR_DAYS = 365.2422
SUN_SYNC_RAAN_RATE_RAD_S = TWO_PI / (TROPICAL_YEAR_DAYS * SECONDS_PER_DAY)
# Standard acceleration of gravity, exact by definition (3rd CGPM, 1901; BIPM SI Brochure, 9th ed.): converts a
# specific impulse in seconds to an exhaust velocity.
STANDARD_GRAVITY_M_S2 = 9.80665
M_PER_KM = 1000.0
