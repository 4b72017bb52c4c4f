"""The record of a calibration: `calibration/fitted.yaml` and a report folder.

`fitted.yaml` holds the fitted parameters (read by scenarios through `parameters_from`),
the loss, each target's satisfaction rate, the plateau's intervals, the hashes of the
events and targets it was fitted to, the seed and the command. The previous file is kept
as `fitted.previous.yaml`. The report folder holds a per-target table, the plateau, the
spread of projections across the plateau, and plots of each target's metric with the
documented claim marked.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from matplotlib.figure import Figure

from sim.core import metrics
from sim.core.dynamics import sized_shares
from sim.core.params import REGISTRY
from sim.engine.ensemble import Ensemble
from sim.experiments.calibrate import Fit
from sim.experiments.targets import Target, needed_steps, point_value, step_index, violations
from sim.io.files import sha256, write_table
from sim.io.scenario import Scenario

#: Most plateau members run forward for the projection spread.
PROJECTED_MEMBERS = 40


def target_table(
    targets: Sequence[Target], fit: Fit, lhs: np.ndarray, rhs: np.ndarray
) -> pd.DataFrame:
    """Per target: claim, source, satisfaction rate and mean values at the best fit."""
    return pd.DataFrame(
        {
            "id": [t.spec.id for t in targets],
            "claim": [t.spec.claim for t in targets],
            "metric": [t.spec.metric for t in targets],
            "comparison": [t.spec.comparison for t in targets],
            "weight": [t.spec.weight for t in targets],
            "satisfied_share": fit.satisfaction,
            "lhs_mean": lhs.mean(axis=0),
            "rhs_mean": rhs.mean(axis=0),
            "doc": [t.spec.doc for t in targets],
        }
    )


def best_runs(scenario: Scenario, fit: Fit) -> tuple[Ensemble, np.ndarray]:
    """The best fit's replicates, run to the end with their full history."""
    engine = Ensemble(scenario, fit.seeds, [fit.best] * len(fit.seeds), record_actions=False)
    return engine, engine.run()


def projections(scenario: Scenario, fit: Fit, epsilon: float, after: dt.date) -> pd.DataFrame:
    """Focal actor's state at the end for plateau members and every seed.

    Up to PROJECTED_MEMBERS members, spread evenly over the plateau in order of loss (not the
    best few, which differential evolution makes near copies of each other).
    """
    plateau = fit.plateau(epsilon)
    members = plateau[np.unique(np.linspace(0, len(plateau) - 1, PROJECTED_MEMBERS).astype(int))]
    vectors = [dict(zip(fit.names, map(float, fit.evaluated[m]), strict=True)) for m in members]
    varied = [v for v in vectors for _ in fit.seeds]
    engine = Ensemble(scenario, fit.seeds * len(vectors), varied, record_actions=False)
    end = engine.run([engine.steps])[:, 0]
    i, ids = scenario.focal_index, scenario.actor_ids
    shares = sized_shares(end[:, i], engine.actors.size)
    table = pd.DataFrame(
        {
            "member": np.repeat(np.arange(len(vectors)), len(fit.seeds)),
            "seed": fit.seeds * len(vectors),
            "hedging_index": metrics.hedging_index(shares),
        }
    )
    for j, actor in enumerate(ids):
        if j != i:
            table[f"alignment_{scenario.focal}_{actor}"] = end[:, i, j]
    table.attrs["after"] = str(after)
    return table


def targets_figure(scenario: Scenario, targets: Sequence[Target], fit: Fit) -> Figure:
    """Each target's metric over time at the best fit (median, 5–95% band), claim marked."""
    engine, history = best_runs(scenario, fit)
    steps = list(range(engine.steps + 1))
    dates = pd.to_datetime(scenario.dates.astype("datetime64[ns]"))
    cols = 3
    rows = math.ceil(len(targets) / cols)
    fig = Figure(figsize=(5 * cols, 3.2 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, sharex=True)).ravel()
    gamma = engine.params["share_exponent"]
    for ax, t, rate in zip(axes, targets, fit.satisfaction, strict=False):
        for side, style in ((t.lhs, "-"), (t.rhs, "--")):
            if side is None:
                ax.axhline(float(t.spec.rhs), color="0.4", ls="--", lw=1)  # type: ignore[arg-type]
                continue
            series = np.stack(
                [
                    point_value(
                        history, steps, t.spec.metric, side[0], k, scenario.capability, gamma
                    )
                    for k in steps
                ],
                axis=1,
            )
            low, mid, high = np.quantile(series, [0.05, 0.5, 0.95], axis=0)
            names = "→".join(scenario.actor_ids[a] for a in side[0])
            line = ax.plot(dates, mid, ls=style, lw=1.6, label=names)[0]
            ax.fill_between(dates, low, high, color=line.get_color(), alpha=0.2)
            k = step_index(scenario.dates, side[1])
            ax.plot(dates[k], mid[k], "o", color=line.get_color(), ms=5)
            ax.axvline(pd.Timestamp(side[1]), color=line.get_color(), lw=0.8, ls=":")
        ax.set_title(
            f"{t.spec.id} ({rate:.0%} of runs satisfy)",
            fontsize=9,
            color="#009E73" if rate >= 0.5 else "#D55E00",
        )
        ax.set_ylabel(t.spec.metric.replace("_", " "), fontsize=8)
        ax.legend(fontsize=7, loc="best")
        ax.tick_params(labelsize=7)
    for ax in axes[len(targets) :]:
        ax.axis("off")
    fig.suptitle(
        f"{scenario.name}: calibration targets at the best fit\nclaim: the solid series at "
        f"its dot against the dashed one at its dot (or the dashed level); median and 5–95% "
        f"band over replicates"
    )
    return fig


def parameters_figure(fit: Fit, epsilon: float) -> Figure:
    """Each fitted parameter's best value and plateau interval, on its registry range."""
    members = fit.evaluated[fit.plateau(epsilon)]
    fig = Figure(figsize=(12, 0.5 * len(fit.names) + 2))
    ax = fig.subplots()
    fig.subplots_adjust(left=0.14, right=0.58, top=0.86, bottom=0.16)
    for row, name in enumerate(fit.names):
        p = REGISTRY[name]
        scale = lambda v, p=p: (v - p.low) / (p.high - p.low)  # noqa: E731
        column = members[:, row]
        ax.plot(
            [scale(column.min()), scale(column.max())],
            [row, row],
            lw=6,
            color="#56B4E9",
            solid_capstyle="butt",
        )
        ax.plot(scale(fit.best[name]), row, "o", color="#D55E00")
        ax.annotate(
            f"{fit.best[name]:.3g} [{column.min():.3g}, {column.max():.3g}] {p.unit}",
            (1.02, row),
            xycoords=("axes fraction", "data"),
            va="center",
            fontsize=8,
        )
    ax.set_yticks(range(len(fit.names)), fit.names)
    ax.set_xlim(0, 1)
    ax.set_xlabel("position within the parameter's allowed range (0 = low, 1 = high)")
    fig.suptitle(
        f"Fitted parameters: best value (dot) and the range over the plateau (bar)\n"
        f"{len(members)} evaluated vectors within ε = {epsilon:g} of the best loss; right: "
        f"best [plateau low, high] unit",
        x=0.02,
        ha="left",
    )
    return fig


def fitted_values(fit: Fit) -> dict[str, float]:
    """The fitted parameters as `fitted.yaml` holds them (6 decimals)."""
    return {k: round(v, 6) for k, v in fit.best.items()}


def write_fitted(
    path: Path, fit: Fit, targets: Sequence[Target], epsilon: float, provenance: dict[str, Any]
) -> None:
    """Write `fitted.yaml`, keeping the previous one as `fitted.previous.yaml`."""
    members = fit.evaluated[fit.plateau(epsilon)]
    content = {
        "parameters": fitted_values(fit),
        "loss": round(fit.loss, 6),
        "satisfaction": {
            t.spec.id: round(float(r), 3) for t, r in zip(targets, fit.satisfaction, strict=True)
        },
        "plateau": {
            "epsilon": epsilon,
            "size": len(members),
            "intervals": {
                n: [round(float(members[:, i].min()), 6), round(float(members[:, i].max()), 6)]
                for i, n in enumerate(fit.names)
            },
        },
        "runs": fit.runs,
        "generations": fit.generations,
        **provenance,
    }
    if path.exists():
        shutil.copyfile(path, path.with_name("fitted.previous.yaml"))
    header = "# Written by `alignsim calibrate`; rerun it rather than editing by hand.\n"
    path.write_text(header + yaml.safe_dump(content, sort_keys=False), encoding="utf-8")


def write_report(
    folder: Path,
    scenario: Scenario,
    targets: Sequence[Target],
    fit: Fit,
    epsilon: float,
    after: dt.date,
) -> dict[str, Any]:
    """Write the report's tables and plots into `folder`; return summary numbers."""
    engine = Ensemble(scenario, fit.seeds, [fit.best] * len(fit.seeds), record_actions=False)
    steps = needed_steps(targets, scenario.dates)
    _, lhs, rhs = violations(
        targets,
        engine.run(steps),
        steps,
        scenario.dates,
        scenario.capability,
        engine.params["share_exponent"],
    )
    write_table(target_table(targets, fit, lhs, rhs), folder, "targets", csv=True)
    plateau = pd.DataFrame(fit.evaluated[fit.plateau(epsilon)], columns=list(fit.names))
    plateau["loss"] = fit.losses[fit.plateau(epsilon)]
    write_table(plateau, folder, "plateau", csv=True)
    projected = projections(scenario, fit, epsilon, after)
    write_table(projected, folder, "projections", csv=True)
    targets_figure(scenario, targets, fit).savefig(folder / "targets.png", dpi=110)
    parameters_figure(fit, epsilon).savefig(folder / "parameters.png", dpi=110)
    spread = projected.drop(columns=["member", "seed"]).quantile([0.05, 0.5, 0.95])
    return {"plateau_size": len(plateau), "projection_quantiles": spread.round(3).to_dict()}


def file_hash(path: Path) -> str:
    """SHA-256 of a file, or '' when it does not exist."""
    return sha256(path) if path.is_file() else ""
