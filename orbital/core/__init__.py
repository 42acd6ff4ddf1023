"""Pure JAX kernels: no astropy, skyfield, sgp4 or file I/O; internal units km, s, kg, W, K, rad."""
