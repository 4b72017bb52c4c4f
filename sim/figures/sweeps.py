"""Plots of a sweep folder: outcome heat maps, envelopes over time, outcome vs parameter.

Read from `results.parquet`, `envelopes.parquet` and `sweep.json`, written to `DIR/plots/`.
Colours follow `sim.figures.runs` (Okabe–Ito for lines; a perceptually uniform map for heat maps).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.core.errors import InputError, excerpt
from sim.figures.runs import OKABE_ITO, date_axis, save_figures
from sim.io.tables import sweep_outcomes

LABELS = {
    "final_hedging_index": "hedging index at the end (balance between patrons)",
    "final_dependence": "dependence at the end (largest share)",
    "largest_shift": "largest one-step shift of the focal row (alignment units)",
    "agent_actions": "actions initiated by agents (count)",
    "bloc_count": "number of blocs at the end",
}


def label(column: str) -> str:
    """Axis label of an outcome column."""
    if column.startswith("final_alignment_"):
        return f"alignment toward {column.removeprefix('final_alignment_')} at the end"
    return LABELS.get(column, column)


def load_sweep(folder: Path) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """The plan, results and envelopes of a finished sweep."""
    needed = [folder / n for n in ("sweep.json", "results.parquet", "envelopes.parquet")]
    missing = [p.name for p in needed if not p.is_file()]
    if missing:
        raise InputError(
            f"{folder}: not a finished sweep folder ({missing[0]} is missing; "
            f"finish it with `alignsim sweep ... --resume`)"
        )
    plan = json.loads(needed[0].read_text(encoding="utf-8"))
    return plan, pd.read_parquet(needed[1]), pd.read_parquet(needed[2])


def heatmap_figure(plan: dict[str, Any], results: pd.DataFrame, outcome: str) -> Figure:
    """Mean outcome over replicates across the first two varied parameters."""
    x, y = (v["name"] for v in plan["vary"][:2])
    means = results.groupby([y, x])[outcome].mean().reset_index()
    fig = Figure(figsize=(8, 6), layout="constrained")
    ax = fig.subplots()
    image: Any
    if plan["sampler"] == "grid":
        table = means.pivot(index=y, columns=x, values=outcome)
        columns, rows = table.columns.to_numpy(), table.index.to_numpy()
        image = ax.pcolormesh(
            edges(columns), edges(rows), table.to_numpy(), cmap="viridis", shading="flat"
        )
        ax.set_xticks(columns, [f"{v:.3g}" for v in columns])
        ax.set_yticks(rows, [f"{v:.3g}" for v in rows])
    else:
        image = ax.scatter(means[x], means[y], c=means[outcome], cmap="viridis", s=60)
    fig.colorbar(image, ax=ax, label=f"mean {label(outcome)}")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"{label(outcome)}\nmean over {plan['replicates']} replicates per design point")
    return fig


def edges(centres: np.ndarray) -> np.ndarray:
    """Cell edges around sorted centre values (for pcolormesh)."""
    if len(centres) == 1:
        return np.array([centres[0] - 0.5, centres[0] + 0.5])
    middle = (centres[1:] + centres[:-1]) / 2
    return np.concatenate([[2 * centres[0] - middle[0]], middle, [2 * centres[-1] - middle[-1]]])


def envelope_figure(
    plan: dict[str, Any], envelopes: pd.DataFrame, variable: str, most: int = 12
) -> Figure:
    """Median and 5–95% band over replicates of a variable, one panel per design point."""
    points = sorted(envelopes["point"].unique())[:most]
    cols = min(3, len(points))
    rows = math.ceil(len(points) / cols)
    fig = Figure(figsize=(5 * cols, 3 * rows + 0.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, sharex=True, sharey=True)).ravel()
    names = [v["name"] for v in plan["vary"]]
    for ax, point in zip(axes, points, strict=False):
        sel = envelopes[(envelopes["point"] == point) & (envelopes["variable"] == variable)]
        when = pd.to_datetime(sel["date"])
        ax.fill_between(when, sel["q05"], sel["q95"], color=OKABE_ITO[2], alpha=0.35, label="5–95%")
        ax.plot(when, sel["q50"], color=OKABE_ITO[4], lw=1.8, label="median")
        values = plan["design"][point]
        ax.set_title(", ".join(f"{n}={values[n]:.3g}" for n in names), fontsize=9)
        ax.set_ylabel(variable.replace("_", " "), fontsize=8)
        date_axis(ax)
    for ax in axes[len(points) :]:
        ax.axis("off")
    axes[0].legend(fontsize=8)
    fig.suptitle(
        f"{variable} of the focal actor over time: median and 5–95% band over "
        f"{plan['replicates']} replicates"
        + (f" (first {most} design points)" if len(points) == most else "")
    )
    return fig


def scatter_figure(plan: dict[str, Any], results: pd.DataFrame, outcome: str) -> Figure:
    """Outcome of every run against each varied parameter, with the mean per value."""
    names = [v["name"] for v in plan["vary"]]
    fig = Figure(figsize=(4.5 * len(names), 4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(names), sharey=True))
    for ax, name in zip(axes, names, strict=True):
        ax.scatter(
            results[name], results[outcome], s=8, alpha=0.35, color=OKABE_ITO[2], label="runs"
        )
        means = results.groupby(name)[outcome].mean()
        if len(means) <= 50:
            ax.plot(means.index, means.to_numpy(), "o-", color=OKABE_ITO[5], label="mean")
        ax.set_xlabel(name)
        ax.xaxis.set_major_locator(MaxNLocator(5))
    axes[0].set_ylabel(label(outcome))
    axes[0].legend(fontsize=8)
    fig.suptitle(f"{outcome} against each varied parameter ({len(results)} runs)")
    return fig


def render_sweep(
    folder: Path, outcome: str, variable: str, formats: tuple[str, ...] = ("png",)
) -> list[Path]:
    """Draw the sweep's figures into `folder/plots/`; return their paths."""
    figures = sweep_figures(folder, outcome, variable)
    out = folder / "plots"
    out.mkdir(exist_ok=True)
    return save_figures(figures, out, formats)


def sweep_figures(folder: Path, outcome: str, variable: str) -> dict[str, Figure]:
    """A finished sweep's figures by file stem (after checking the outcome and variable)."""
    plan, results, envelopes = load_sweep(folder)
    prefix = "final_alignment_"
    outcomes = sweep_outcomes([c[len(prefix) :] for c in results.columns if c.startswith(prefix)])
    if outcome not in outcomes:
        raise InputError(
            f"--outcome {excerpt(outcome)}: not a numeric outcome of the sweep; choose from "
            f"{', '.join(outcomes)}"
        )
    if variable not in set(envelopes["variable"]):
        raise InputError(
            f"--variable {excerpt(variable)}: not in the envelopes; choose from "
            f"{', '.join(sorted(set(envelopes['variable'])))}"
        )
    figures = {
        f"envelopes_{variable}": envelope_figure(plan, envelopes, variable),
        f"scatter_{outcome}": scatter_figure(plan, results, outcome),
    }
    if len(plan["vary"]) >= 2:
        figures[f"heatmap_{outcome}"] = heatmap_figure(plan, results, outcome)
    return figures
