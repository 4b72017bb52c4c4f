"""Global sensitivity analysis with SALib, evaluated through the sweep machinery.

Designs and indices come from SALib (Herman & Usher 2017, JOSS; Iwanaga et al. 2022):
Sobol' indices from Saltelli's sampling scheme (Saltelli et al. 2010) with bootstrap
confidence intervals, or Morris elementary effects (Morris 1991; Campolongo et al. 2007's
μ*). The model is evaluated by running the design as a sweep (`sim.experiments.sweeprun.execute`:
chunks, local processes or Dask, resumable), and the outcome of each design point is the
mean over its replicates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from sim.core.errors import InputError
from sim.core.params import REGISTRY

METHODS = ("sobol", "morris")


def problem_for(names: Sequence[str]) -> dict[str, object]:
    """A SALib problem over the registry's ranges of the named parameters."""
    return {
        "num_vars": len(names),
        "names": list(names),
        "bounds": [[REGISTRY[n].low, REGISTRY[n].high] for n in names],
    }


def check_samples(method: str, samples: int) -> None:
    """Raise InputError unless `samples` suits the method (a power of two for Sobol')."""
    if method == "sobol" and samples & (samples - 1):
        raise InputError(
            f"--samples {samples}: Sobol' indices need a power of two "
            f"(e.g. {1 << samples.bit_length()})"
        )


def sample(method: str, problem: dict[str, object], samples: int, seed: int) -> np.ndarray:
    """The design of the method: Saltelli's for Sobol' (N (D + 2) points), trajectories for
    Morris (N (D + 1) points).

    Raises:
        InputError: a Sobol' base sample that is not a power of two.
    """
    check_samples(method, samples)
    if method == "sobol":
        return sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    return morris_sample.sample(problem, samples, num_levels=4, seed=seed)


def analyse(
    method: str, problem: dict[str, object], design: np.ndarray, outcome: np.ndarray, seed: int
) -> pd.DataFrame:
    """Indices per parameter with 95% confidence intervals, as a table."""
    names = problem["names"]
    if method == "sobol":
        result = sobol_analyze.analyze(problem, outcome, calc_second_order=False, seed=seed)
        return pd.DataFrame(
            {
                "parameter": names,
                "S1": result["S1"],
                "S1_conf": result["S1_conf"],
                "ST": result["ST"],
                "ST_conf": result["ST_conf"],
            }
        )
    result = morris_analyze.analyze(problem, design, outcome, seed=seed)
    return pd.DataFrame(
        {
            "parameter": names,
            "mu_star": result["mu_star"],
            "mu_star_conf": result["mu_star_conf"],
            "sigma": result["sigma"],
        }
    )


def indices(
    method: str,
    problem: dict[str, object],
    samples: int,
    seed: int,
    evaluate: Callable[[np.ndarray], np.ndarray],
) -> pd.DataFrame:
    """Sample the problem, evaluate the design ([M, D] -> outcome [M]) and analyse."""
    if method not in METHODS:
        raise InputError(f"--method {method!r}: allowed {', '.join(METHODS)}")
    design = sample(method, problem, samples, seed)
    return analyse(method, problem, design, evaluate(design), seed)
