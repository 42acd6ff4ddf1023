"""Physical constants of the thermal kernels, in their internal units (W, m², K, s, J, kg, km for radii).

Each constant cites its source. The environment defaults are orbit- and season-averaged values; a design study
should bracket them (hot and cold cases) rather than trust one number.
"""

# CODATA 2018 (Tiesinga et al., Rev. Mod. Phys. 93, 025010, 2021): Stefan-Boltzmann constant, exact since the
# 2019 SI redefinition fixed h, k and c.
STEFAN_BOLTZMANN_W_M2_K4 = 5.670374419e-8

# Total solar irradiance at 1 AU: Kopp & Lean (2011), Geophys. Res. Lett. 38, L01706, 1360.8 +/- 0.5 W/m²,
# rounded to 1361 (the IAU 2015 Resolution B3 nominal value). It varies +/-3.4 % over the year (1/r²); pass the
# day's value. The one definition in the project: orbital imports it from here.
SOLAR_CONSTANT_W_M2 = 1361.0

# Earth's Bond albedo, global annual mean: ~0.29-0.30 (Stephens et al. 2015, Rev. Geophys. 53, 141, CERES:
# 0.29; Gilmore (ed.), Spacecraft Thermal Control Handbook vol. I, 2nd ed., 2002, ch. 2: 0.30 orbit average,
# 0.18-0.55 over short stretches of an orbit). 0.30 is the value used by the Starcloud white paper too.
EARTH_ALBEDO = 0.30

# Earth's outgoing long-wave radiation at the top of the atmosphere, global annual mean: 237 W/m²
# (Gilmore 2002, ch. 2, orbit-average design value; roughly 218-275 W/m² over short stretches). CERES-era estimates
# are 239-240 W/m² (Stephens et al. 2012, Nature Geosci. 5, 691: 239.7). The equivalent black-body
# temperature is (237 / sigma)^(1/4) = 254.3 K, the familiar "effective 255 K".
EARTH_IR_W_M2 = 237.0

# IUGG mean Earth radius R1 = (2a + b)/3 of GRS 80 (Moritz, Geodetic Reference System 1980, J. Geodesy 74,
# 128, 2000): 6371.0088 km. The view factor of a plate to a spherical Earth uses a mean radius; the
# equatorial radius (6378.137 km) would change F by < 0.3 % at 550 km.
EARTH_MEAN_RADIUS_KM = 6371.0088

# Specific heat of aluminium at 298 K: 0.897 J/(g K) (CRC Handbook of Chemistry and Physics, 97th ed.,
# "Heat capacity of the elements at 25 °C"). Radiator panels are mostly aluminium (face sheets, fins);
# heat capacity of a panel = mass * specific heat.
ALUMINIUM_SPECIFIC_HEAT_J_KG_K = 897.0

# Fraction of the Carnot COP that a real heat pump reaches (its second-law efficiency). This is an engineering
# assumption, not a measured constant: good vapour-compression machines at moderate lifts are commonly quoted
# at roughly 0.4-0.6 of Carnot. It is an input everywhere; 0.5 is only the default.
DEFAULT_CARNOT_FRACTION = 0.5
