"""Experimental designs over the parameter registry: grids, Latin hypercubes, Sobol points.

``--vary NAME=LO:HI:N`` gives N evenly spaced values (grid) or the interval (samplers);
``--vary NAME=v1,v2,...`` gives listed values (grid only). Parameters not varied keep the
scenario's values; each varied one becomes a column of the results (as Agents.jl's
`paramscan`). Designs come from `scipy.stats.qmc` (McKay et al. 1979 for Latin hypercubes;
Sobol' 1967 with Owen scrambling), seeded from the sweep's seed.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc

from sim.core.errors import InputError
from sim.core.params import REGISTRY, check_value
from sim.io.limits import NUMBER_DIGITS, SWEEP_RUNS, excerpt


@dataclass(frozen=True)
class Vary:
    """One varied parameter: listed values, or an interval with a point count."""

    name: str
    values: tuple[float, ...]
    low: float
    high: float


def parse_vary(text: str) -> Vary:
    """Parse ``NAME=LO:HI:N``, ``NAME=LO:HI`` or ``NAME=v1,v2,...``.

    Raises:
        InputError: unknown parameter, malformed spec, or values outside the registry range.
    """
    place = f"--vary {excerpt(text)}"
    name, sep, spec = text.partition("=")
    name = name.strip()
    if not sep or not spec.strip():
        raise InputError(f"{place}: expected NAME=LO:HI:N or NAME=v1,v2,...")
    if name not in REGISTRY:
        raise InputError(f"{place}: unknown parameter '{name}'; known: {', '.join(REGISTRY)}")
    if ":" in spec:
        parts = spec.split(":")
        if len(parts) not in (2, 3):
            raise InputError(f"{place}: expected LO:HI:N (or LO:HI with --sampler lhs|sobol)")
        low, high = (check_value(name, p, place) for p in parts[:2])
        if low >= high:
            raise InputError(f"{place}: LO must be below HI")
        count = parse_count(parts[2], place) if len(parts) == 3 else 0
        values = tuple(np.linspace(low, high, count).tolist()) if count else ()
        return Vary(name, values, low, high)
    values = tuple(check_value(name, v, place) for v in spec.split(","))
    return Vary(name, values, min(values), max(values))


def parse_count(text: str, place: str) -> int:
    """Parse the N of LO:HI:N (a whole number ≥ 2)."""
    if len(text.strip()) > NUMBER_DIGITS:
        raise InputError(f"{place}: N must be a whole number of at most {NUMBER_DIGITS} digits")
    try:
        count = int(text)
    except ValueError:
        raise InputError(f"{place}: N must be a whole number, got {excerpt(text)}") from None
    if count < 2:
        raise InputError(f"{place}: N must be at least 2")
    SWEEP_RUNS.check(count, place)
    return count


def design_size(varies: list[Vary] | tuple[Vary, ...], sampler: str, samples: int | None) -> int:
    """How many points `design_points` makes, computed without making them."""
    if sampler == "grid":
        return math.prod(len(v.values) for v in varies)
    return samples or 0


def design_points(
    varies: list[Vary], sampler: str, samples: int | None, seed: int
) -> list[dict[str, float]]:
    """The design: one mapping of varied parameter values per point, in a fixed order.

    Raises:
        InputError: a grid parameter without values, a sampler without --samples, a
            parameter varied twice, or a Sobol size that is not a power of two.
    """
    names = [v.name for v in varies]
    if len(set(names)) != len(names):
        raise InputError("--vary: a parameter is varied twice")
    SWEEP_RUNS.check(design_size(varies, sampler, samples), f"--sampler {sampler}")
    if sampler == "grid":
        for v in varies:
            if not v.values:
                raise InputError(f"--vary {v.name}: a grid needs LO:HI:N or listed values")
        return [
            dict(zip(names, combo, strict=True))
            for combo in itertools.product(*(v.values for v in varies))
        ]
    if not samples:
        raise InputError(f"--sampler {sampler}: give the number of points with --samples N")
    unit = sample_unit(sampler, len(varies), samples, seed)
    scaled = qmc.scale(unit, [v.low for v in varies], [v.high for v in varies])
    return [dict(zip(names, map(float, row), strict=True)) for row in scaled]


def sample_unit(sampler: str, dimensions: int, samples: int, seed: int) -> np.ndarray:
    """Points in the unit cube from a Latin hypercube or a scrambled Sobol sequence."""
    rng = np.random.default_rng(seed)
    if sampler == "lhs":
        return qmc.LatinHypercube(d=dimensions, rng=rng).random(samples)
    if samples & (samples - 1):
        raise InputError(
            f"--samples {samples}: a Sobol design needs a power of two "
            f"(e.g. {1 << samples.bit_length()})"
        )
    return qmc.Sobol(d=dimensions, rng=rng).random_base2(samples.bit_length() - 1)
