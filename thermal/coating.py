"""Radiator coatings whose solar absorptivity and emissivity drift with age in orbit (UV, atomic oxygen and
contamination darken most white paints and second-surface mirrors: alpha rises, epsilon falls slightly)."""

from __future__ import annotations

import math

import equinox as eqx
import jax

from thermal import core
from thermal.validation import check_parameters, checked, parameter


class Coating(eqx.Module):
    """A coating (a pytree): beginning-of-life alpha and epsilon and their drift per year.

    ``coating.at(age_years)`` gives ``(solar_absorptivity, emissivity)`` after that many years, linear in age and
    clipped to alpha in [0, 1], epsilon in [1e-6, 1]. Pass them on as ``solar_absorptivity=`` and ``emissivity=``
    (the IR absorptivity follows the aged emissivity unless set).
    """

    alpha_bol: object = parameter(low=0.0, high=1.0, doc="solar absorptivity at beginning of life")
    epsilon_bol: object = parameter(low=0.0, high=1.0, low_open=True, doc="infrared emissivity at beginning of life")
    alpha_per_year: object = parameter(0.0, unit="1/yr", doc="drift of the solar absorptivity per year in orbit")
    epsilon_per_year: object = parameter(0.0, unit="1/yr", doc="drift of the emissivity per year in orbit")

    def __check_init__(self):
        check_parameters(self)

    def at(self, age_years):
        coating = Coating(
            checked("alpha_bol", self.alpha_bol, 0.0, 1.0),
            checked("epsilon_bol", self.epsilon_bol, 0.0, 1.0, low_open=True),
            checked("alpha_per_year", self.alpha_per_year, unit="1/yr"),
            checked("epsilon_per_year", self.epsilon_per_year, unit="1/yr"),
        )
        age_years = checked("age_years", age_years, 0.0, math.inf, high_open=True, unit="yr", unit_label="yr")
        return _coating_at(coating, age_years)


_coating_at = jax.jit(core.coating_at)
