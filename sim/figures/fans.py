"""The replicate fan of a run: its focal actor's alignment toward each partner over many
seeds (`sim.experiments.fan`), a median line with 50% and 90% bands per partner."""

from __future__ import annotations

import matplotlib as mpl
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.figures import style as figstyle
from sim.figures.runs import ALIGNMENT_LABEL, RunView, date_axis, strongest_partners


def fan_figure(view: RunView, fan: pd.DataFrame) -> Figure:
    """Median and 50% / 90% bands over the replicates of the focal actor's alignment
    toward each of its partners (the `strongest_partners`), in each partner's colour."""
    actor = view.focal
    replicates = int(fan["replicates"].iloc[0])
    fig = Figure(figsize=figstyle.figure_size(11, 6, columns=2), layout="constrained")
    ax = fig.subplots()
    for partner in strongest_partners(view, actor):
        rows = fan[fan["partner"] == partner]
        when = pd.to_datetime(rows["date"])
        colour = view.style(partner)["color"]
        ax.fill_between(when, rows["q05"], rows["q95"], color=colour, alpha=0.15, lw=0)
        ax.fill_between(when, rows["q25"], rows["q75"], color=colour, alpha=0.35, lw=0)
        ax.plot(
            when,
            rows["q50"],
            lw=1.35 * mpl.rcParams["lines.linewidth"],
            label=view.names[partner],
            **view.style(partner),
        )
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_ylim(-1.05, 1.05)
    ax.set_ylabel(ALIGNMENT_LABEL)
    ax.set_title(
        f"{view.title}: {view.names[actor]}'s alignment toward each actor over "
        f"{replicates} replicates\n(median line; bands: the middle 50% and 90% of the runs)"
    )
    handles, _ = ax.get_legend_handles_labels()
    bands = [
        Patch(color="0.5", alpha=0.45, label="middle 50% of runs"),
        Patch(color="0.5", alpha=0.15, label="middle 90% of runs"),
    ]
    ax.legend(
        handles=[*handles, *bands],
        title=f"{view.names[actor]}\ntoward",
        loc="upper left",
        fontsize="small",
        bbox_to_anchor=(1.005, 1.0),
    )
    date_axis(ax)
    return fig
