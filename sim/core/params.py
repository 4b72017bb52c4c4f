"""The parameter registry: every model parameter's meaning, unit, default and range.

This is the one place parameters are described. The scenario loader validates values
against the ranges here, the calibration searches within them, sweeps vary them, and
`alignsim params` prints this table. Rates are per day so that results do not depend on
the step length (day, week or month); the kernels integrate them over each step.

Sources for the rules the parameters enter are given in `sim.core.dynamics` and `sim.core.policy`.
Actor attributes (capability, hedging propensity, tolerance) are described in
`ACTOR_ATTRIBUTES` below.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from sim.core.errors import InputError, excerpt


@dataclass(frozen=True)
class Parameter:
    """One model parameter.

    Attributes:
        name: identifier used in scenario files, `--set` and sweeps.
        meaning: one sentence on what it does.
        unit: unit of the value.
        default: value used unless a fitted file, a scenario or `--set` gives another.
        low: smallest allowed value (also the calibration's lower bound).
        high: largest allowed value (also the calibration's upper bound).
        domain: where the model is defined, beyond the range: widened priors in the model
            comparison stop there (ODD.md §7.16); None when it is the range itself.

    The prior of a calibrated parameter is uniform over [low, high] (ODD.md §7.16).
    """

    name: str
    meaning: str
    unit: str
    default: float
    low: float
    high: float
    domain: tuple[float, float] | None = None

    @property
    def limits(self) -> tuple[float, float]:
        """The widest values the model takes: `domain`, or the range."""
        return self.domain or (self.low, self.high)


PARAMETERS: tuple[Parameter, ...] = (
    Parameter(
        "impulse",
        "Scale of an event's push on alignment: u = impulse * (Goldstein weight / 10) * magnitude.",
        "alignment units per maximal (Goldstein 10) event",
        0.4,
        0.05,
        1.5,
        domain=(0.01, 3.0),
    ),
    Parameter(
        "reciprocity",
        "Fraction of an event's impulse felt in the reverse direction (target toward source).",
        "fraction",
        0.6,
        0.0,
        1.0,
    ),
    Parameter(
        "spillover",
        "Heider balance for third parties: o warms to s when s is kind to o's friend.",
        "fraction of the impulse",
        0.1,
        0.0,
        0.5,
        domain=(0.0, 1.0),
    ),
    Parameter(
        "jealousy",
        "A patron cools toward a client that courts others, in proportion to the client's "
        "dependence on it.",
        "fraction of the impulse",
        0.15,
        0.0,
        0.6,
        domain=(0.0, 1.0),
    ),
    Parameter(
        "baseline_shift",
        "How far an institutional event (treaty, formal agreement) moves the long-run baseline.",
        "fraction of the impulse's step",
        0.5,
        0.0,
        1.0,
    ),
    Parameter(
        "decay",
        "Rate at which alignment relaxes toward its baseline.",
        "per day",
        0.003,
        0.0,
        0.02,
        domain=(0.0, 0.05),
    ),
    Parameter(
        "memory",
        "Rate at which the long-run baseline follows the alignment (relationship memory): "
        "sustained courtship accumulates, a one-off visit fades.",
        "per day",
        0.0005,
        0.0,
        0.005,
        domain=(0.0, 0.02),
    ),
    Parameter(
        "balance",
        "Rate of structural balance: the friend of my friend becomes my friend.",
        "per day",
        0.002,
        0.0,
        0.02,
        domain=(0.0, 0.05),
    ),
    Parameter(
        "hedging_rate",
        "Rate at which a hedger lowers over-weighted partners and raises the others.",
        "per day",
        0.003,
        0.0,
        0.02,
        domain=(0.0, 0.05),
    ),
    Parameter(
        "share_exponent",
        "Exponent gamma on capability in partner shares; below 1 keeps small partners visible.",
        "dimensionless",
        0.5,
        0.0,
        1.0,
        domain=(0.0, 2.0),
    ),
    Parameter(
        "noise",
        "Standard deviation of random shocks to each directed alignment.",
        "alignment units per sqrt(day)",
        0.002,
        0.0,
        0.02,
    ),
    Parameter(
        "activity",
        "Expected number of diplomatic actions an agent initiates per year.",
        "actions per year",
        6.0,
        0.0,
        24.0,
    ),
    Parameter(
        "tolerance",
        "Dependence (largest partner share) above which an agent courts alternatives; "
        "an actor's own `tolerance` attribute overrides it.",
        "share (0..1)",
        0.5,
        0.2,
        1.0,
    ),
    Parameter(
        "temperature",
        "Softmax temperature of an agent's choice among candidate partners "
        "(0.01: always the best; 1: nearly uniform).",
        "dimensionless",
        0.2,
        0.01,
        2.0,
    ),
    Parameter(
        "threat_level",
        "Alignment below which an agent sees another actor as a threat.",
        "alignment units",
        -0.4,
        -1.0,
        0.0,
    ),
    Parameter(
        "action_magnitude",
        "Magnitude of the events agents initiate (1 = an act of top leaders).",
        "event magnitude",
        0.7,
        0.1,
        1.0,
    ),
    Parameter(
        "spinup",
        "Length of the settling period under the continuous terms before the start date.",
        "days",
        365.0,
        0.0,
        3650.0,
    ),
)

REGISTRY: dict[str, Parameter] = {p.name: p for p in PARAMETERS}

#: Parameters `alignsim calibrate` fits by default: those that shape the response to the
#: documented events. The agents' parameters act only after the last scripted event (by
#: default), and `spinup`, `noise` and `temperature` are settings rather than quantities the
#: documents inform; fit any of them with `--params`.
CALIBRATED = (
    "impulse",
    "reciprocity",
    "spillover",
    "jealousy",
    "baseline_shift",
    "decay",
    "memory",
    "balance",
    "hedging_rate",
    "share_exponent",
)

#: The agents' decision parameters. Agents act only after the last documented event (by
#: default), so the documents cannot inform these: projections draw them from their priors
#: (uniform over the range) for every replicate, unless a scenario or `--set` fixes them.
AGENT_PARAMETERS = ("activity", "tolerance", "temperature", "threat_level", "action_magnitude")

#: Per-actor attributes a scenario gives each actor: name -> (meaning, unit, default, low, high).
ACTOR_ATTRIBUTES: dict[str, tuple[str, str, float | None, float, float]] = {
    "capability": (
        "Relative power; shares of all actors sum to about 1.",
        "share",
        None,
        1e-6,
        1.0,
    ),
    "hedging": (
        "Aversion to depending on one patron (Kuik's hedging propensity).",
        "0..1",
        0.5,
        0.0,
        1.0,
    ),
    "tolerance": (
        "Own dependence tolerance; overrides the `tolerance` parameter for this actor.",
        "share (0..1)",
        None,
        0.2,
        1.0,
    ),
}


def defaults() -> dict[str, float]:
    """Return the registry's default value of every parameter."""
    return {p.name: p.default for p in PARAMETERS}


def check_value(name: str, value: object, where: str) -> float:
    """Validate one parameter value against the registry.

    Args:
        name: parameter name.
        value: the value as read (YAML number, or text from `--set`).
        where: location prefix for the error message (file and field, or the option).

    Returns:
        The value as a float.

    Raises:
        InputError: unknown name, non-numeric, NaN or infinite, or outside the range.
    """
    if name not in REGISTRY:
        known = ", ".join(sorted(REGISTRY))
        raise InputError(f"{where}: unknown parameter '{name}'; known parameters: {known}")
    p = REGISTRY[name]
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"{where}: parameter {name} = {excerpt(value)} is not a number") from None
    if isinstance(value, bool) or not math.isfinite(number):
        raise InputError(f"{where}: parameter {name} = {excerpt(value)} must be a finite number")
    if not p.low <= number <= p.high:
        raise InputError(
            f"{where}: parameter {name} = {number:g} is out of range; allowed {p.low:g} to "
            f"{p.high:g} ({p.unit})"
        )
    return number


def check_all(values: Mapping[str, object], where: str) -> dict[str, float]:
    """Validate a mapping of parameter values; see `check_value`."""
    return {name: check_value(name, value, where) for name, value in values.items()}
