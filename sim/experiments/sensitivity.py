"""Global sensitivity analysis with SALib, evaluated through the sweep machinery.

Designs and indices come from SALib (Herman & Usher 2017, JOSS; Iwanaga et al. 2022):
Sobol' indices from Saltelli's sampling scheme (Saltelli et al. 2010) with bootstrap
confidence intervals, or Morris elementary effects (Morris 1991; Campolongo et al. 2007's
μ*). The model is evaluated by running the design as a sweep
(`sim.experiments.sweepfolder.execute`: chunks, local processes or Dask, resumable), and
the outcome of each design point is the mean over its replicates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from sim.core.errors import InputError, excerpt
from sim.core.params import REGISTRY
from sim.experiments.design import Vary
from sim.experiments.sweep import scalar_outcomes
from sim.experiments.sweepfolder import Dispatch, SweepSpec, execute
from sim.figures.record import save_recorded
from sim.figures.sensitivity import sensitivity_figures
from sim.io.datapackage import write_datapackage
from sim.io.files import write_json, write_table
from sim.io.scenario import Scenario

METHODS = ("sobol", "morris")
#: The parameters `alignsim sensitivity` varies by default (those a variant leaves free).
SENSITIVE = ("jealousy", "decay", "hedging_rate", "balance", "impulse")


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
        raise InputError(f"--method {excerpt(method)}: allowed {', '.join(METHODS)}")
    design = sample(method, problem, samples, seed)
    return analyse(method, problem, design, evaluate(design), seed)


@dataclass(frozen=True)
class Sensitivity:
    """Sensitivity indices of one outcome, with the runs they rest on.

    Attributes:
        table: per parameter: S1, ST and their 95% intervals (Sobol') or μ*, its interval
            and σ (Morris).
        method, outcome: the method and the sweep outcome analysed.
        runs, replicates: model runs made, and runs per design point.
        manifest: what was analysed: scenario file and hash, parameters, samples, seed.
    """

    table: pd.DataFrame
    method: str
    outcome: str
    runs: int
    replicates: int
    manifest: dict[str, Any]

    def figures(self) -> dict[str, Figure]:
        """The indices as a bar chart, by file stem."""
        return sensitivity_figures(self.table, self.manifest)

    def write(self, folder: Path, formats: tuple[str, ...] = ("png",)) -> None:
        """Write the indices (Parquet and CSV), their figure and the manifest into an
        existing folder (the command line writes the whole folder atomically)."""
        write_table(self.table, folder, "indices", csv=True)
        save_recorded(self.figures(), folder, formats, self.manifest)
        write_json(folder / "manifest.json", self.manifest)
        write_datapackage(folder, "sensitivity")


def sensitivity(
    scenario: Scenario,
    method: str,
    names: tuple[str, ...],
    samples: int,
    replicates: int,
    seed: int,
    outcome: str,
    dispatch: Dispatch,
    sweep_folder: Path,
    quiet: bool = False,
) -> Sensitivity:
    """Sample with SALib, run the design as a sweep in `sweep_folder`, analyse.

    The seed is SALib's too, which takes seeds below 2^32: larger ones are reduced
    through `numpy.random.SeedSequence`.
    """
    allowed = scalar_outcomes(scenario)
    if outcome not in allowed:
        raise InputError(f"--outcome {excerpt(outcome)}: choose from {', '.join(allowed)}")
    spec = SweepSpec(
        tuple(Vary(n, (), REGISTRY[n].low, REGISTRY[n].high) for n in names),
        f"salib-{method}",
        samples,
        replicates,
        seed,
        500,
        "month",
        False,
    )
    check_samples(method, samples)
    runs = 0

    def evaluate(design: np.ndarray) -> np.ndarray:
        nonlocal runs
        points = [dict(zip(names, map(float, row), strict=True)) for row in design]
        done = execute(scenario, spec, dispatch, sweep_folder, False, True, quiet, design=points)
        results = done.results
        runs = len(results)
        return results.groupby("point")[outcome].mean().to_numpy()

    table = indices(method, problem_for(names), samples, salib_seed(seed), evaluate)
    manifest = {
        "scenario": {"file": str(scenario.path), "hash": scenario.hash, "name": scenario.name},
        "focal": scenario.focal,
        "actor_names": {a.id: a.name for a in scenario.actors},
        "method": method,
        "outcome": outcome,
        "parameters": list(names),
        "samples": samples,
        "replicates": replicates,
        "seed": seed,
        "runs": runs,
    }
    return Sensitivity(table, method, outcome, runs, replicates, manifest)


def salib_seed(seed: int) -> int:
    """A seed SALib accepts (below 2^32): the seed itself, or one derived from it."""
    return seed if seed < 2**32 else int(np.random.SeedSequence(seed).generate_state(1)[0])
