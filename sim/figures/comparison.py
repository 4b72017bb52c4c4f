"""Plots of a what-if comparison: bands over time, and end-of-horizon differences."""

from __future__ import annotations

import datetime as dt
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.figures.runs import OKABE_ITO, date_axis


def comparison_figures(
    bands: pd.DataFrame, differences: pd.DataFrame, summary: pd.DataFrame, manifest: dict[str, Any]
) -> dict[str, Figure]:
    """A comparison's two figures by file stem, from its tables and manifest."""
    hypothetical = [w["hypothetical"] for w in manifest["whatifs"]]
    return {
        "bands": bands_figure(bands, manifest["label"], hypothetical),
        "differences": differences_figure(summary, differences, manifest["label"]),
    }


def bands_figure(bands: pd.DataFrame, label: str, hypothetical: list[list[str]]) -> Figure:
    """Median and 5–95% band of the metric over time, one colour per scenario (the base
    first), and each what-if's hypothetical event dates in its colour."""
    fig = Figure(figsize=(11, 6), layout="constrained")
    ax = fig.subplots()
    names = list(dict.fromkeys(bands["scenario"]))
    for i, name in enumerate(names):
        band = bands[bands["scenario"] == name]
        when = pd.to_datetime(band["date"])
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        ax.fill_between(when, band["q05"], band["q95"], color=colour, alpha=0.15, lw=0)
        ax.plot(
            when,
            band["q50"],
            color=colour,
            lw=2.2 if i == 0 else 1.6,
            label=f"{name} (median, 5–95% band)",
        )
    for i, dates in enumerate(hypothetical, start=1):
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        for day in dates:
            ax.axvline(mdates.date2num(dt.date.fromisoformat(day)), color=colour, ls=":", lw=1.2)
    ax.set_ylabel(label)
    ax.set_title(
        f"What-if comparison: {label}\n(common random numbers; dotted lines: "
        f"each what-if's hypothetical events, in its colour)"
    )
    ax.legend(loc="upper center", fontsize=8, bbox_to_anchor=(0.5, -0.1), ncols=2)
    date_axis(ax)
    return fig


def differences_figure(summary: pd.DataFrame, differences: pd.DataFrame, label: str) -> Figure:
    """Difference (what-if minus base) per replicate on the comparison date, 95% intervals."""
    names = summary["whatif"].tolist()
    low, high = summary["t_low"].to_numpy(float), summary["t_high"].to_numpy(float)
    mean = summary["difference_mean"].to_numpy(float)
    fig = Figure(figsize=(9, 1.2 * len(names) + 2), layout="constrained")
    ax = fig.subplots()
    rng = np.random.default_rng(0)  # vertical jitter, for display only
    for row, name in enumerate(names):
        delta = differences.loc[differences["whatif"] == name, "difference"].to_numpy(float)
        ax.scatter(
            delta,
            row + rng.uniform(-0.15, 0.15, len(delta)),
            s=10,
            alpha=0.4,
            color=OKABE_ITO[2],
            label="replicates" if row == 0 else None,
        )
        ax.plot(
            [low[row], high[row]],
            [row, row],
            color=OKABE_ITO[5],
            lw=4,
            label="95% t-interval of the mean" if row == 0 else None,
        )
        ax.plot(
            [mean[row]], [row], "o", color="black", label="mean difference" if row == 0 else None
        )
    ax.axvline(0, color="0.5", lw=1)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel(f"what-if minus base on {pd.Timestamp(summary['date'].iloc[0]).date()}: {label}")
    ax.set_title("What-if minus base, per replicate, and the mean")
    ax.legend(fontsize=8, loc="best")
    return fig
