"""Figures of a calibration, drawn from its report's tables (README, "Calibration: what the
documents say, and how well the model says it"), so `alignsim plot` redraws a saved report.

``targets``: each target's two sides over time at the best fit (median and 5–95% band over
replicates), the dates the claim reads marked, the panel's title green where most
replicates satisfy it. ``parameters``: each fitted parameter's best value and its interval
over the plateau, placed on its allowed range from the registry (`sim.core.params`).
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

import matplotlib.dates as mdates
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
        "parameters": parameters_figure(
            plateau, manifest["best"], manifest["epsilon"], manifest["scenario"]["name"]
        ),
    }


def targets_figure(targets: pd.DataFrame, series: pd.DataFrame, title: str) -> Figure:
    """Each target's sides over time at the best fit (median, 5–95% band), claim marked,
    the claim in words as the panel's title and years on every panel's axis."""
    rows = math.ceil(len(targets) / COLUMNS)
    fig = Figure(figsize=(5.4 * COLUMNS, 3.9 * rows + 1.0), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, COLUMNS, sharex=True)).ravel()
    for ax, target in zip(axes, targets.itertuples(index=False), strict=False):
        draw_target(ax, target, series[series["target"] == target.id])
        date_axis(ax)
        ax.xaxis.set_tick_params(labelbottom=True, labelsize=7)
        ax.set_xlabel("")
    for ax in axes[len(targets) :]:
        ax.axis("off")
    fig.suptitle(
        f"{title}: calibration targets at the best fit\neach panel: a claim of the documents "
        f"and how often the runs satisfy it; median and 5–95% band over replicates, dots on "
        f"the dates the claim reads\ntitle green where most replicates satisfy the claim, "
        f"vermilion where they do not"
    )
    return fig


def draw_target(ax: Any, target: Any, sides: pd.DataFrame) -> None:
    """One target's panel: its two sides (one series read on two dates for a change over
    time), titled with the claim in words and its satisfaction."""
    lhs, rhs = (sides[sides["side"] == side] for side in ("lhs", "rhs"))
    above = target.comparison == ">"
    if rhs["actors"].iloc[0] == lhs["actors"].iloc[0]:
        later_first = lhs["claim_date"].iloc[0] > rhs["claim_date"].iloc[0]
        draw_change(ax, *((lhs, rhs) if later_first else (rhs, lhs)))
        reading = "rises" if above == later_first else "falls"
    else:
        draw_side(ax, lhs, "-", OKABE_ITO[4])
        draw_side(ax, rhs, "--", OKABE_ITO[5])
        other = "the dashed line" if rhs["actors"].iloc[0] else "the level"
        reading = f"solid {'above' if above else 'below'} {other}"
    rate = target.satisfied_share
    ax.set_title(
        f"{textwrap.fill(target.claim, 58)}\n(read: {reading}; {rate:.0%} of runs satisfy)",
        fontsize="small",
        color=SATISFIED if rate >= 0.5 else UNSATISFIED,
    )
    ax.set_ylabel(METRIC_LABELS[target.metric], fontsize="x-small")
    ax.legend(fontsize="x-small", loc="best")
    ax.tick_params(labelsize=7)


def draw_side(ax: Any, part: pd.DataFrame, style: str, colour: str) -> None:
    """One side of a claim, its median and band with a dot on the date the claim reads (or
    a level line for a number)."""
    actors, day = part["actors"].iloc[0], pd.Timestamp(part["claim_date"].iloc[0]).date()
    if not actors:  # a number
        level = float(part["q50"].iloc[0])
        ax.axhline(level, color="0.4", ls="--", lw=1, label=f"level {level:g}")
        return
    when = pd.to_datetime(part["date"])
    ax.plot(when, part["q50"], ls=style, lw=1.5, color=colour, label=f"{actors}, read {day}")
    ax.fill_between(when, part["q05"], part["q95"], color=colour, alpha=0.2)
    mark(ax, part, colour, "o")


def draw_change(ax: Any, later: pd.DataFrame, earlier: pd.DataFrame) -> None:
    """A claim about one series on two dates (a rise or a fall): the series once, a hollow
    dot on the earlier date, a filled one on the later, an arrow from the one to the other."""
    actors = later["actors"].iloc[0]
    when = pd.to_datetime(later["date"])
    ax.plot(when, later["q50"], lw=1.5, color=OKABE_ITO[4], label=f"{actors} (median)")
    ax.fill_between(when, later["q05"], later["q95"], color=OKABE_ITO[4], alpha=0.2)
    before = mark(ax, earlier, OKABE_ITO[5], "o", hollow=True, text="before")
    after = mark(ax, later, OKABE_ITO[5], "o", text="after")
    ax.annotate("", after, before, arrowprops={"arrowstyle": "->", "color": OKABE_ITO[5]})


def mark(
    ax: Any, part: pd.DataFrame, colour: str, marker: str, hollow: bool = False, text: str = ""
) -> tuple[float, float]:
    """A dot on the first recorded date on or after the one the claim reads, a dotted line
    at that date; returns the dot's place (in data coordinates)."""
    day = pd.Timestamp(part["claim_date"].iloc[0]).date()  # a date, read or made
    when = pd.to_datetime(part["date"])
    k = min(int(when.searchsorted(pd.Timestamp(day))), len(when) - 1)
    x, y = mdates.date2num(when.iloc[k]), float(part["q50"].iloc[k])
    ax.plot(
        x,
        y,
        marker,
        color=colour,
        mfc="white" if hollow else colour,
        ms=6,
        mew=1.5,
        label=f"{text}: {day}" if text else None,
        zorder=4,
    )
    ax.axvline(pd.Timestamp(day), color=colour, lw=0.8, ls=":")
    return x, y


def parameters_figure(
    plateau: pd.DataFrame, best: dict[str, float], epsilon: float, title: str
) -> Figure:
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
            fontsize="small",
        )
    ranges = [f"{n}\n{REGISTRY[n].low:g} to {REGISTRY[n].high:g}" for n in names]
    ax.set_yticks(range(len(names)), ranges, fontsize="small")
    ax.set_xlim(0, 1)
    ax.set_xlabel("position within the parameter's allowed range (0 = low, 1 = high)")
    fig.suptitle(
        f"{title}: fitted parameters, best value (dot) and the range over the plateau (bar)\n"
        f"{len(plateau)} evaluated vectors within ε = {epsilon:g} of the best loss; right: "
        f"best [plateau low, high] unit; left: each parameter's allowed range",
        x=0.02,
        ha="left",
    )
    return fig
