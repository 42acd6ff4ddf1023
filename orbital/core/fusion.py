"""Keeping XLA's CPU fusion from recomputing shared values in the hot loops."""


def computed_once(one, *values):
    """``values`` unchanged (``x / 1`` is exact), but each computed once.

    XLA's CPU fusion copies cheap element-wise producers (our sines and cosines included) into every consumer, so a
    value read by several later expressions is evaluated again in each: with the front of the kernel recomputed in
    every Newton step and output, the kernel ran 5x slower (1.2 against 6 M satellite-steps/s in float64 on the
    2-core CPU). XLA does not copy a division, so dividing by a 1 that it cannot see through makes each value a
    fusion root, computed once and read from memory. ``one`` must be known only at run time and be shaped like the
    result (``sign(ao + t^2)``): a per-satellite 1 is turned into a multiplication by its reciprocal, which XLA does
    copy. ``jax.lax.optimization_barrier`` does not do this on the CPU (XLA expands it before fusion). The
    gradient is unchanged (d sign = 0). Not measured on a GPU, where the extra memory round trips may cost more
    than the recomputation.
    """
    return tuple(value / one for value in values)
