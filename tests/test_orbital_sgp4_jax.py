"""The pure-JAX SGP4 (orbital.core.sgp4) against python-sgp4 (Vallado's C++), the published verification set of
Vallado et al. (2006), and the JAX contracts (jit, vmap, gradients)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sgp4.api import Satrec, SatrecArray

from orbital.core import sgp4 as jsgp4

# Near-Earth cases of the verification set SGP4-VER.TLE (Vallado, Crawford, Hujsak & Kelso, AIAA 2006-6753):
# 00005 high eccentricity (0.186); 06251, 28057 ordinary; 22312, 28350, 28872, 29238, 88888 perigee below 220 km
# (the simplified drag model); 22312, 28350, 28872, 29141 decay within days and end in error codes 1, 4 and 6.
VERIFICATION_TLES = {
    "00005": (
        "1 00005U 58002B   00179.78495062  .00000023  00000-0  28098-4 0  4753",
        "2 00005  34.2682 348.7242 1859667 331.7664  19.3264 10.82419157413667",
    ),
    "06251": (
        "1 06251U 62025E   06176.82412014  .00008885  00000-0  12808-3 0  3985",
        "2 06251  58.0579  54.0425 0030035 139.1568 221.1854 15.56387291  6774",
    ),
    "22312": (
        "1 22312U 93002D   06094.46235912  .99999999  81888-5  49949-3 0  3953",
        "2 22312  62.1486  77.4698 0308723 267.9229  88.7392 15.95744531 98783",
    ),
    "28057": (
        "1 28057U 03049A   06177.78615833  .00000060  00000-0  35940-4 0  1836",
        "2 28057  98.4283 247.6961 0000884  88.1964 271.9322 14.35478080140550",
    ),
    "28350": (
        "1 28350U 04020A   06167.21788666  .16154492  76267-5  18678-3 0  8894",
        "2 28350  64.9977 345.6130 0024870 260.7578  99.9590 16.47856722116490",
    ),
    "28872": (
        "1 28872U 05037B   05333.02012661  .25992681  00000-0  24476-3 0  1534",
        "2 28872  96.4736 157.9986 0303955 244.0492 110.6523 16.46015938 10708",
    ),
    "29141": (
        "1 29141U 85108AA  06170.26783845  .99999999  00000-0  13519-0 0   718",
        "2 29141  82.4288 273.4882 0015848 277.2124  83.9133 15.93343074  6828",
    ),
    "29238": (
        "1 29238U 06022G   06177.28732010  .00766286  10823-4  13334-2 0   101",
        "2 29238  51.5595 213.7903 0202579  95.2503 267.9010 15.73823839  1061",
    ),
    "88888": (
        "1 88888U          80275.98708465  .00073094  13844-3  66816-4 0    87",
        "2 88888  72.8435 115.9689 0086731  52.6988 110.5714 16.05824518  1058",
    ),
}
# A deep-space set of the same file (period 1,198 min).
DEEP_SPACE_TLE = (
    "1 04632U 70093B   04031.91070959 -.00000084  00000-0  10000-3 0  9955",
    "2 04632  11.4628 273.1101 1450506 207.6000 143.9350  1.20231981 44145",
)
# Published results of the verification run (tcppver.out of the same paper): minutes since epoch, TEME km, km/s.
PUBLISHED_STATES = [
    ("00005", 0.0, (7022.46529266, -1400.08296755, 0.03995155), (1.893841015, 6.405893759, 4.534807250)),
    ("00005", 720.0, (-7134.59340119, 6531.68641334, 3260.27186483), (-4.113793027, -2.911922039, -2.557327851)),
    ("28872", 0.0, (-6131.82730456, 2446.52815528, -253.64211033), (-0.144920228, 0.995100963, 7.658645067)),
    ("28872", 50.0, (5548.43325922, -2480.16469245, -1979.24314527), (-2.763269534, 0.199691915, -7.482796996)),
    ("29141", 20.0, (931.80883587, -1017.17852239, 6529.19244527), (-0.298847918, 7.613891977, 1.226399480)),
]

# States of every satellite at every instant of a grid: (sat, time, 3) and codes (sat, time). One jitted function
# for the whole file keeps the compilations (about 1.5 s each) down to one per shape.
propagate_grid = jax.jit(jax.vmap(jax.vmap(jsgp4.propagate, in_axes=(None, 0)), in_axes=(0, 0)))


def _satrecs(tles):
    return [Satrec.twoline2rv(line1, line2) for line1, line2 in tles]


def _take(elements, index):
    return jax.tree.map(lambda field: np.asarray(field)[index], elements)


@pytest.fixture(scope="module")
def starlink(shared_data):
    lines = [line.rstrip() for line in (shared_data / "starlink-2026-05-13.tle").read_text().splitlines()]
    satrecs = [
        Satrec.twoline2rv(line, lines[i + 1])
        for i, line in enumerate(lines[:-1])
        if line.startswith("1 ") and lines[i + 1].startswith("2 ")
    ]
    assert len(satrecs) == 10361
    elements = jsgp4.sgp4_elements_from_satrecs(satrecs)
    # A common grid of instants from the latest epoch: -1 day to +3 days from it (the epochs span 0.37 days, so
    # each satellite sees these offsets plus up to 0.37 days) ...
    start = float(np.max(elements.epoch_jd + elements.epoch_fraction))
    offsets_min = np.array([-1440.0, 0.0, 37.5, 720.0, 1440.0, 4320.0])
    whole = np.full(offsets_min.shape, np.floor(start))
    fraction = (start - np.floor(start)) + offsets_min / 1440.0
    error, position, velocity = SatrecArray(satrecs).sgp4(whole, fraction)
    minutes = jsgp4.minutes_since_epoch(_take(elements, (slice(None), None)), whole[None, :], fraction[None, :])
    # ... and, in a last column, each satellite's own epoch (t = 0: no drag, no secular motion).
    at_epoch = [satrec.sgp4_tsince(0.0) for satrec in satrecs]
    error = np.concatenate([error, np.array([[e] for e, _, _ in at_epoch], dtype=error.dtype)], axis=1)
    position = np.concatenate([position, np.array([r for _, r, _ in at_epoch])[:, None]], axis=1)
    velocity = np.concatenate([velocity, np.array([v for _, _, v in at_epoch])[:, None]], axis=1)
    minutes = np.concatenate([minutes, np.zeros((len(satrecs), 1))], axis=1)
    return elements, minutes, (error, position, velocity)


def test_starlink_float64_matches_python_sgp4(starlink):
    elements, minutes, (ref_error, ref_position, ref_velocity) = starlink
    position, velocity, code = map(np.asarray, propagate_grid(elements, minutes))
    np.testing.assert_array_equal(code, ref_error)
    assert (ref_error == 0).all()
    position_diff_km = np.abs(position - ref_position).max()
    velocity_diff_km_s = np.abs(velocity - ref_velocity).max()
    assert position_diff_km < 1e-6, f"max |dr| = {position_diff_km:.3g} km over 10,361 x 7 states"
    assert velocity_diff_km_s < 1e-9, f"max |dv| = {velocity_diff_km_s:.3g} km/s over 10,361 x 7 states"
    # The fleet includes simplified-drag sets (perigee below 220 km) and the grid reaches -1 and +3.3 days.
    assert elements.simple_drag.sum() >= 1 and not elements.deep_space.any()
    assert minutes.min() == pytest.approx(-1440.0, abs=1e-3) and minutes.max() > 4320.0 + 0.3 * 1440.0


def test_starlink_float32(starlink):
    # Elements built in float64 on the host, kernel in float32: the error is float32 rounding of angles that grow as
    # n t (about 100 rad a day), so it grows with the offset (module docstring: measured 0.15 km within a day of
    # the epoch, 0.55 km at 3.4 days).
    elements, minutes, (_, ref_position, ref_velocity) = starlink
    position, velocity, code = propagate_grid(elements.astype(jnp.float32), minutes.astype(np.float32))
    assert position.dtype == jnp.float32 and velocity.dtype == jnp.float32
    assert not np.asarray(code).any()
    error_km = np.linalg.norm(np.asarray(position, dtype=np.float64) - ref_position, axis=-1)
    error_km_s = np.linalg.norm(np.asarray(velocity, dtype=np.float64) - ref_velocity, axis=-1)
    within_day = np.abs(minutes) <= 1440.0
    assert error_km[within_day].max() < 0.3, f"max |dr| within a day = {error_km[within_day].max():.3g} km"
    assert error_km.max() < 1.0, f"max |dr| = {error_km.max():.3g} km"
    assert error_km_s.max() < 1e-3, f"max |dv| = {error_km_s.max():.3g} km/s"


@pytest.fixture(scope="module")
def verification():
    satrecs = _satrecs(VERIFICATION_TLES.values())
    elements = jsgp4.sgp4_elements_from_satrecs(satrecs)
    minutes = np.arange(-1440.0, 4320.0, 2.5)  # holds every instant of PUBLISHED_STATES
    outputs = map(np.asarray, propagate_grid(elements, np.broadcast_to(minutes, (len(satrecs), minutes.size))))
    return satrecs, elements, minutes, tuple(outputs)


def test_verification_cases_until_decay(verification):
    satrecs, elements, minutes, (position, velocity, code) = verification
    names = list(VERIFICATION_TLES)
    simple = dict(zip(names, elements.simple_drag))
    assert simple["22312"] and simple["28872"] and not simple["00005"] and not simple["06251"]
    assert elements.ecco.max() > 0.18
    assert np.isfinite(position).all() and np.isfinite(velocity).all()  # placeholders where codes are set
    seen_codes = set()
    for k, (name, satrec) in enumerate(zip(names, satrecs)):
        ref_error, ref_position, ref_velocity = satrec.sgp4_array(
            np.full(minutes.shape, satrec.jdsatepoch), satrec.jdsatepochF + minutes / 1440.0
        )
        np.testing.assert_array_equal(code[k], ref_error, err_msg=f"error codes of {name}")
        seen_codes |= set(ref_error.tolist())
        # Until decay: the stretch around the epoch before the first error on either side.
        failed = ref_error != 0
        after = minutes >= 0.0
        last_ok = minutes[after][np.argmax(failed[after])] if failed[after].any() else np.inf
        first_ok = minutes[~after][::-1][np.argmax(failed[~after][::-1])] if failed[~after].any() else -np.inf
        window = (minutes > first_ok) & (minutes < last_ok)
        assert window.sum() > 20, name
        dr = np.abs(position[k][window] - ref_position[window]).max()
        dv = np.abs(velocity[k][window] - ref_velocity[window]).max()
        assert dr < 1e-6, f"{name}: max |dr| = {dr:.3g} km until decay"
        assert dv < 1e-9, f"{name}: max |dv| = {dv:.3g} km/s until decay"
        # Where python-sgp4 reports decay (code 6) it still returns the state; so do we.
        decayed = ref_error == 6
        if decayed.any():
            assert np.abs(position[k][decayed] - ref_position[decayed]).max() < 1e-5, name
    assert {0, 1, 4, 6} <= seen_codes


def test_published_verification_states(verification):
    _, _, minutes, (position, velocity, code) = verification
    names = list(VERIFICATION_TLES)
    for name, t, position_km, velocity_km_s in PUBLISHED_STATES:
        k, j = names.index(name), int(np.flatnonzero(minutes == t)[0])
        assert code[k, j] == 0
        # tcppver.out prints 8 decimals of km and 9 of km/s.
        np.testing.assert_allclose(position[k, j], position_km, atol=2e-8, rtol=0, err_msg=f"{name} at {t} min")
        np.testing.assert_allclose(velocity[k, j], velocity_km_s, atol=2e-9, rtol=0, err_msg=f"{name} at {t} min")


def test_jit_and_vmap_equal_a_python_loop(verification):
    # The grid above is jit(vmap(vmap(propagate))); here the same kernel one satellite and one instant at a time,
    # jitted, and twice without jit. XLA fuses each differently, so they agree to rounding (~1e-10 km), not bits.
    _, elements, minutes, batched = verification
    kernel = jax.jit(jsgp4.propagate)
    for k in (0, 2, 5):
        for j in (0, 575, 620, 1000):
            for a, b in zip(kernel(_take(elements, k), minutes[j]), batched):
                np.testing.assert_allclose(a, b[k, j], rtol=0, atol=1e-9)
    for k, j in [(0, 700), (2, 2000)]:
        for a, b in zip(jsgp4.propagate(_take(elements, k), minutes[j]), batched):
            np.testing.assert_allclose(a, b[k, j], rtol=0, atol=1e-9)
    assert batched[0].shape == (len(VERIFICATION_TLES), minutes.size, 3) and batched[2].dtype == np.int32


def test_initialisation_matches_python_sgp4():
    satrecs = _satrecs(VERIFICATION_TLES.values())
    elements = jsgp4.sgp4_elements_from_satrecs(satrecs)
    # nm is python-sgp4's mean motion of its last propagation: t = 0, run by its initialisation.
    for field, attribute in [
        ("no_unkozai", "nm"),
        ("mdot", "mdot"),
        ("argpdot", "argpdot"),
        ("nodedot", "nodedot"),
        ("ao", "a"),
    ]:
        np.testing.assert_allclose(
            getattr(elements, field), [getattr(s, attribute) for s in satrecs], rtol=1e-14, err_msg=field
        )
    # Traced in JAX (jit) it gives the host's numbers.
    columns = [
        np.array([getattr(s, name) for s in satrecs])
        for name in ("bstar", "ecco", "argpo", "inclo", "mo", "no_kozai", "nodeo", "jdsatepoch", "jdsatepochF")
    ]
    traced = jax.jit(jsgp4.sgp4_elements)(*columns)
    for name, host, device in zip(elements._fields, elements, traced):
        np.testing.assert_allclose(np.asarray(device), host, rtol=1e-12, atol=1e-300, err_msg=name)


def test_deep_space_and_invalid_sets_give_codes_and_finite_placeholders():
    satrecs = _satrecs([VERIFICATION_TLES["06251"], DEEP_SPACE_TLE])
    with pytest.raises(ValueError, match=r"satrecs\[1\] \(catalogue number 04632\) has period_min=1197\.7"):
        jsgp4.sgp4_elements_from_satrecs(satrecs)
    flagged = jsgp4.sgp4_elements_from_satrecs(satrecs, allow_deep_space=True)
    np.testing.assert_array_equal(flagged.deep_space, [False, True])

    good = {
        "bstar": 1e-4,
        "eccentricity": 0.001,
        "arg_perigee_rad": 1.0,
        "inclination_rad": 0.9,
        "mean_anomaly_rad": 2.0,
        "mean_motion_rad_min": 0.0675,
        "raan_rad": 0.5,
        "epoch_jd": 2461173.5,
    }
    columns = {key: np.full(3, value) for key, value in good.items()}
    columns["eccentricity"][1] = 1.2  # code 1
    columns["mean_motion_rad_min"][2] = -0.01  # code 2
    invalid = jsgp4.sgp4_elements(**columns, xp=np)
    assert all(np.isfinite(np.asarray(field, dtype=float)).all() for field in invalid)

    elements = jax.tree.map(lambda *fields: np.concatenate(fields), flagged, invalid)
    position, velocity, code = propagate_grid(elements, np.full((5, 2), [[0.0, 100.0]]))
    np.testing.assert_array_equal(code, [[0, 0], [7, 7], [0, 0], [1, 1], [2, 2]])
    assert np.isfinite(position).all() and np.isfinite(velocity).all()


def test_gradients_finite_and_match_finite_differences(verification):
    satrecs, _, grid_minutes, (_, grid_velocity, grid_code) = verification
    names = list(VERIFICATION_TLES)

    def columns(satrec):
        return {
            "bstar": satrec.bstar,
            "eccentricity": satrec.ecco,
            "arg_perigee_rad": satrec.argpo,
            "inclination_rad": satrec.inclo,
            "mean_anomaly_rad": satrec.mo,
            "mean_motion_rad_min": satrec.no_kozai,
            "raan_rad": satrec.nodeo,
            "epoch_jd": satrec.jdsatepoch,
        }

    def x_km(inputs, minutes):
        return jsgp4.propagate(jsgp4.sgp4_elements(**inputs), minutes)[0][0]

    # Reverse mode through the initialisation and the kernel (one compilation serves every call below).
    value_and_gradient = jax.jit(jax.value_and_grad(x_km, argnums=(0, 1)))

    k, minutes = names.index("06251"), 2000.0
    inputs = columns(satrecs[k])
    _, (by_inputs, by_minutes) = value_and_gradient(inputs, minutes)
    step = 1e-7
    above, _ = value_and_gradient({**inputs, "bstar": inputs["bstar"] + step}, minutes)
    below, _ = value_and_gradient({**inputs, "bstar": inputs["bstar"] - step}, minutes)
    assert abs(by_inputs["bstar"]) > 1.0
    assert float(by_inputs["bstar"]) == pytest.approx(float(above - below) / (2 * step), rel=1e-5)
    # d(x)/dt agrees with SGP4's own velocity to the accuracy of its velocity formulas (~2e-5 km/s).
    j = int(np.flatnonzero(grid_minutes == minutes)[0])
    assert float(by_minutes) / 60.0 == pytest.approx(float(grid_velocity[k, j, 0]), abs=1e-4)

    # Gradients stay finite through the placeholders of failed states (22312 has code 1 from 489.5 min).
    k = names.index("22312")
    assert grid_code[k, int(np.flatnonzero(grid_minutes == 600.0)[0])] == 1
    for minutes in (100.0, 600.0):
        _, (by_inputs, by_minutes) = value_and_gradient(columns(satrecs[k]), minutes)
        assert np.isfinite(by_minutes) and all(np.isfinite(value) for value in by_inputs.values())
