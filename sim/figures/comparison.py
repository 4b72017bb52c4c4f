"""Plots of a what-if comparison: bands over time, and end-of-horizon differences.

The bands are small multiples, one panel per what-if against the base: overlaid, five
translucent bands over one another mix into a single colour. In every panel the base is
black and drawn last, so no what-if hides it.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.figures.runs import LINESTYLES, OKABE_ITO, date_axis

#: The what-ifs' colours: the Okabe–Ito hues furthest apart for the common colour
#: blindnesses and from the base's black (orange and vermilion, or sky blue and blue, are
#: never both used before the others), each with its own line style.
WHATIF_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
#: The base: a thin black median over a grey band without edges, so that a what-if equal to
#: the base shows as its colour's halo around the black line.
BASE_STYLE = {"color": "#000000", "ls": "-", "edges": False, "lw": 1.5}
BASE_BAND = "0.5"


def comparison_figures(
    bands: pd.DataFrame, differences: pd.DataFrame, summary: pd.DataFrame, manifest: dict[str, Any]
) -> dict[str, Figure]:
    """A comparison's two figures by file stem, from its tables and manifest."""
    hypothetical = [w["hypothetical"] for w in manifest["whatifs"]]
    base = manifest["base"]["label"]
    return {
        "bands": bands_figure(bands, manifest["label"], hypothetical, base),
        "differences": differences_figure(summary, differences, manifest["label"], base),
    }


def whatif_style(i: int) -> dict[str, Any]:
    """The colour and line style of the i-th what-if (from 0)."""
    colour = WHATIF_COLOURS[i % len(WHATIF_COLOURS)]
    return {"color": colour, "ls": LINESTYLES[(i + 1) % len(LINESTYLES)], "edges": True, "lw": 3.2}


def bands_figure(
    bands: pd.DataFrame, label: str, hypothetical: list[list[str]], base: str | None = None
) -> Figure:
    """One panel per what-if against the base: medians and 5–95% bands over time, the
    base's black line drawn over the what-if's, and the what-if's hypothetical event dates."""
    names = list(dict.fromkeys(bands["scenario"]))
    base = base or names[0]
    whatifs = [n for n in names if n != base]
    cols = 1 if len(whatifs) == 1 else 2
    rows = math.ceil(len(whatifs) / cols)
    fig = Figure(figsize=(11 if cols == 1 else 14, 3.6 * rows + 1.2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, sharex=True, sharey=True)).ravel()
    reference = bands[bands["scenario"] == base]
    for i, (ax, name) in enumerate(zip(axes, whatifs, strict=False)):
        draw_band(ax, bands[bands["scenario"] == name], name, whatif_style(i), zorder=2)
        draw_band(ax, reference, base, BASE_STYLE, zorder=3)
        for day in hypothetical[i] if i < len(hypothetical) else []:
            ax.axvline(
                mdates.date2num(dt.date.fromisoformat(day)),
                color=whatif_style(i)["color"],
                ls=":",
                lw=1.2,
                zorder=1,
            )
        ax.set_title(name, fontsize="medium")
        ax.set_ylabel(label, fontsize="small")
        ax.legend(loc="best", fontsize="small")
        date_axis(ax)
        ax.xaxis.set_tick_params(labelbottom=True)
    for ax in axes[len(whatifs) :]:
        ax.axis("off")
    fig.suptitle(
        f"{base}: {label}, each what-if against the base\nmedian (line) and 5–95% band "
        f"over replicates with common random numbers; dotted: the what-if's hypothetical events"
    )
    return fig


def draw_band(ax: Any, band: pd.DataFrame, name: str, style: dict[str, Any], zorder: int) -> None:
    """A scenario's median line and translucent 5–95% band (a what-if's edged in its colour
    and line style)."""
    when = pd.to_datetime(band["date"])
    colour = style["color"]
    fill = colour if style["edges"] else BASE_BAND
    ax.fill_between(when, band["q05"], band["q95"], color=fill, alpha=0.2, lw=0, zorder=zorder)
    if style["edges"]:
        for edge in ("q05", "q95"):
            ax.plot(when, band[edge], color=colour, lw=0.8, ls=style["ls"], zorder=zorder)
    ax.plot(
        when,
        band["q50"],
        color=colour,
        ls=style["ls"],
        lw=style["lw"],
        label=f"{name} (median, 5–95% band)",
        zorder=zorder + 0.5,
    )


def differences_figure(
    summary: pd.DataFrame, differences: pd.DataFrame, label: str, base: str = "the base"
) -> Figure:
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
    ax.invert_yaxis()  # the what-ifs top to bottom, in the bands' order
    ax.set_title(f"{base}\neach what-if minus the base, per replicate, and the mean")
    ax.legend(fontsize="small", loc="best")
    return fig
