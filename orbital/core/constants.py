"""Physical constants in the kernels' internal units (km, s, kg, W, K, rad), each with its source."""

import math

# WGS 84 (NGA.STND.0036_1.0.0_WGS84, 2014, table 3.1): equatorial radius.
EARTH_RADIUS_KM = 6378.137
# EGM2008 / WGS 84 gravitational parameter GM including the atmosphere (NGA.STND.0036, table 3.1).
EARTH_MU_KM3_S2 = 398600.4418
# EGM2008 unnormalised J2 = -sqrt(5) * C20, C20 = -0.484165143790815e-3 (NGA EGM2008 coefficients).
EARTH_J2 = 1.08262668355e-3
# IAU 2015 Resolution B3: nominal solar radius.
SUN_RADIUS_KM = 695700.0
# IAU 2012 Resolution B2: astronomical unit.
AU_KM = 149597870.7
# Tropical year (Astronomical Almanac): the Sun's mean motion in right ascension that a sun-synchronous
# orbit's node must match, 360 deg / 365.2422 d (DESIGN §4).
TROPICAL_YEAR_DAYS = 365.2422
SUN_SYNC_RAAN_RATE_RAD_S = 2.0 * math.pi / (TROPICAL_YEAR_DAYS * 86400.0)
# Total solar irradiance at 1 AU, Kopp & Lean (2011), GRL 38, L01706: 1360.8 +/- 0.5 W/m^2 (DESIGN §4: 1361).
SOLAR_CONSTANT_W_M2 = 1361.0
SECONDS_PER_DAY = 86400.0
# Julian date of J2000.0 (TT).
J2000_JD = 2451545.0
