"""Figures of a calibration, drawn from its report's tables (README, "Calibration: what the
documents say, and how well the model says it"), so `alignsim plot` redraws a saved report.

``targets``: each target's two sides over time at the best fit (median and 5–95% band over
replicates), the dates the claim reads marked, the panel's title green where most
replicates satisfy it. ``parameters``: each fitted parameter's best value and its interval
over the plateau, placed on its allowed range from the registry (`sim.core.params`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.core.params import REGISTRY
from sim.figures.runs import ALIGNMENT_LABEL, NEGATIVE, OKABE_ITO, date_axis

#: Each target metric's axis label, with its unit (ODD.md §7.12; README, "Calibration").
METRIC_LABELS = {
    "alignment": ALIGNMENT_LABEL,
    "share": "partner share (0..1)",
    "dependence": "dependence: largest partner share (0..1)",
    "hedging_index": "hedging index: balance between the two patrons (0..1)",
    "effective_partners": "effective number of partners (1/HHI)",
    "protocol_rank": "rank in the host's order of honour (1 = first)",
}
SATISFIED, UNSATISFIED = OKABE_ITO[3], NEGATIVE
COLUMNS = 3


def calibration_figures(
    targets: pd.DataFrame, series: pd.DataFrame, plateau: pd.DataFrame, manifest: dict[str, Any]
) -> dict[str, Figure]:
    """A calibration report's two figures by file stem, from its tables and manifest."""
    return {
        "targets": targets_figure(targets, series, manifest["scenario"]["name"]),
        "parameters": parameters_figure(plateau, manifest["best"], manifest["epsilon"]),
    }


def targets_figure(targets: pd.DataFrame, series: pd.DataFrame, title: str) -> Figure:
    """Each target's sides over time at the best fit (median, 5–95% band), claim marked."""
    rows = math.ceil(len(targets) / COLUMNS)
    fig = Figure(figsize=(5 * COLUMNS, 3.4 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, COLUMNS, sharex=True)).ravel()
    for ax, target in zip(axes, targets.itertuples(index=False), strict=False):
        draw_target(ax, target, series[series["target"] == target.id])
    for ax in axes[len(targets) :]:
        ax.axis("off")
    for ax in axes[max(len(targets) - COLUMNS, 0) : len(targets)]:  # each column's lowest
        date_axis(ax)
        ax.xaxis.set_tick_params(labelbottom=True, labelsize=7)
    fig.suptitle(
        f"{title}: calibration targets at the best fit\neach panel's claim: the solid series "
        f"at its dot against the dashed one at its dot (or the dashed level); median and 5–95% "
        f"band over replicates\ntitle green where most replicates satisfy the claim, "
        f"vermilion where they do not"
    )
    return fig


def draw_target(ax: Any, target: Any, sides: pd.DataFrame) -> None:
    """One target's panel: its two sides, titled with the claim and its satisfaction."""
    claim = [
        draw_side(ax, sides[sides["side"] == side], style)
        for side, style in (("lhs", "-"), ("rhs", "--"))
    ]
    rate = target.satisfied_share
    ax.set_title(
        f"{target.id}: {rate:.0%} of runs satisfy\n{f' {target.comparison} '.join(claim)}",
        fontsize=9,
        color=SATISFIED if rate >= 0.5 else UNSATISFIED,
    )
    ax.set_ylabel(METRIC_LABELS[target.metric], fontsize=8)
    ax.legend(fontsize=7, loc="best")
    ax.tick_params(labelsize=7)


def draw_side(ax: Any, part: pd.DataFrame, style: str) -> str:
    """One side of a claim, its median and band with a dot on the date the claim reads (or
    a level line for a number); returns how the claim names it."""
    actors, day = part["actors"].iloc[0], part["claim_date"].iloc[0]
    if not actors:  # a number
        level = float(part["q50"].iloc[0])
        ax.axhline(level, color="0.4", ls="--", lw=1, label=f"level {level:g}")
        return f"{level:g}"
    day = pd.Timestamp(day).date()  # a date, read or made
    when = pd.to_datetime(part["date"])
    line = ax.plot(when, part["q50"], ls=style, lw=1.6, label=f"{actors}, {day}")[0]
    ax.fill_between(when, part["q05"], part["q95"], color=line.get_color(), alpha=0.2)
    k = int(when.searchsorted(pd.Timestamp(day)))  # the first recorded date on or after it
    ax.plot(when.iloc[k], part["q50"].iloc[k], "o", color=line.get_color(), ms=5)
    ax.axvline(pd.Timestamp(day), color=line.get_color(), lw=0.8, ls=":")
    return f"{actors} on {day}"


def parameters_figure(plateau: pd.DataFrame, best: dict[str, float], epsilon: float) -> Figure:
    """Each fitted parameter's best value and plateau interval, on its registry range."""
    names = [c for c in plateau.columns if c != "loss"]
    fig = Figure(figsize=(12, 0.5 * len(names) + 2))
    ax = fig.subplots()
    fig.subplots_adjust(left=0.14, right=0.58, top=0.86, bottom=0.16)
    for row, name in enumerate(names):
        p = REGISTRY[name]
        low, high = plateau[name].min(), plateau[name].max()
        scale = lambda v, p=p: (v - p.low) / (p.high - p.low)  # noqa: E731
        ax.plot(
            [scale(low), scale(high)], [row, row], lw=6, color=OKABE_ITO[2], solid_capstyle="butt"
        )
        ax.plot(scale(best[name]), row, "o", color=NEGATIVE)
        ax.annotate(
            f"{best[name]:.3g} [{low:.3g}, {high:.3g}] {p.unit}",
            (1.02, row),
            xycoords=("axes fraction", "data"),
            va="center",
            fontsize=8,
        )
    ranges = [f"{n}\n{REGISTRY[n].low:g} to {REGISTRY[n].high:g}" for n in names]
    ax.set_yticks(range(len(names)), ranges, fontsize=9)
    ax.set_xlim(0, 1)
    ax.set_xlabel("position within the parameter's allowed range (0 = low, 1 = high)")
    fig.suptitle(
        f"Fitted parameters: best value (dot) and the range over the plateau (bar)\n"
        f"{len(plateau)} evaluated vectors within ε = {epsilon:g} of the best loss; right: "
        f"best [plateau low, high] unit; left: each parameter's allowed range",
        x=0.02,
        ha="left",
    )
    return fig
