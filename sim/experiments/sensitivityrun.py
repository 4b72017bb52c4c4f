"""`alignsim sensitivity`: SALib indices of a sweep outcome, with a bar chart."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.core.errors import InputError
from sim.core.params import REGISTRY
from sim.experiments.design import Vary
from sim.experiments.sensitivity import check_samples, indices, problem_for
from sim.experiments.sweeprun import Dispatch, SweepSpec, execute
from sim.figures.runs import OKABE_ITO
from sim.figures.sweeps import label
from sim.io.files import write_table
from sim.io.scenario import Scenario


def outcomes(scenario: Scenario) -> list[str]:
    """The per-run outcomes a sweep of this scenario records."""
    focal = scenario.focal
    return [f"final_alignment_{a}" for a in scenario.actor_ids if a != focal] + [
        "final_hedging_index",
        "final_dependence",
        "largest_shift",
        "agent_actions",
        "bloc_count",
    ]


def sensitivity_figure(table: pd.DataFrame, method: str, outcome: str, runs: int) -> Figure:
    """First-order and total Sobol' indices, or Morris μ* and σ, with 95% intervals."""
    fig = Figure(figsize=(max(6, 1.1 * len(table) + 2), 4.8), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(table))
    if method == "sobol":
        for offset, column, colour, name in (
            (-0.2, "S1", OKABE_ITO[4], "first order S1"),
            (0.2, "ST", OKABE_ITO[1], "total ST"),
        ):
            ax.bar(
                x + offset,
                table[column],
                0.4,
                yerr=table[f"{column}_conf"],
                capsize=3,
                color=colour,
                label=f"{name} (95% CI)",
            )
        ax.set_ylabel("Sobol' index (share of outcome variance)")
    else:
        ax.bar(
            x,
            table["mu_star"],
            0.5,
            yerr=table["mu_star_conf"],
            capsize=3,
            color=OKABE_ITO[4],
            label="μ* (mean |elementary effect|, 95% CI)",
        )
        ax.plot(x, table["sigma"], "D", color=OKABE_ITO[5], label="σ (interaction, non-linearity)")
        ax.set_ylabel("elementary effect (outcome units)")
    ax.set_xticks(x, table["parameter"], rotation=30, ha="right")
    ax.axhline(0, color="0.5", lw=0.8)
    ax.legend(fontsize=8)
    ax.set_title(f"{method.capitalize()} sensitivity of {label(outcome)}\n({runs} model runs)")
    return fig


def run_sensitivity(
    scenario: Scenario,
    method: str,
    names: tuple[str, ...],
    samples: int,
    replicates: int,
    seed: int,
    outcome: str,
    dispatch: Dispatch,
    out: Path,
    quiet: bool,
) -> list[str]:
    """Sample with SALib, run the design as a sweep in `out/sweep/`, analyse and plot."""
    if outcome not in outcomes(scenario):
        raise InputError(f"--outcome {outcome!r}: choose from {', '.join(outcomes(scenario))}")
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
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    runs = 0

    def evaluate(design: np.ndarray) -> np.ndarray:
        nonlocal runs
        points = [dict(zip(names, map(float, row), strict=True)) for row in design]
        execute(scenario, spec, dispatch, out / "sweep", False, True, quiet, design=points)
        results = pd.read_parquet(out / "sweep" / "results.parquet")
        runs = len(results)
        return results.groupby("point")[outcome].mean().to_numpy()

    table = indices(method, problem_for(names), samples, seed, evaluate)
    write_table(table, out, "indices", csv=True)
    sensitivity_figure(table, method, outcome, runs).savefig(out / "indices.png", dpi=120)
    lines = [
        f"{method} sensitivity of {outcome}: {runs} runs ({runs // replicates} design "
        f"points x {replicates} replicates)"
    ]
    lines += [
        "  "
        + "  ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{v:16s}" for k, v in row.items())
        for row in table.to_dict("records")
    ]
    return [*lines, f"outputs: {out}/"]
