"""The figure of a sensitivity analysis: Sobol' indices or Morris screening, per parameter."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.figures.runs import OKABE_ITO
from sim.figures.sweeps import label


def sensitivity_figures(table: pd.DataFrame, manifest: dict[str, Any]) -> dict[str, Figure]:
    """A sensitivity analysis's figure by file stem, from its indices and manifest."""
    method, outcome = manifest["method"].capitalize(), label(manifest["outcome"], manifest)
    title = f"{manifest['scenario']['name']}\n{method} sensitivity of {outcome}"
    figure = sensitivity_figure(table, manifest["method"], title, manifest["runs"])
    return {"indices": figure}


def sensitivity_figure(table: pd.DataFrame, method: str, title: str, runs: int) -> Figure:
    """First-order and total Sobol' indices, or Morris μ* and σ, with 95% intervals, under
    `title` (the scenario, the method and the outcome in words)."""
    fig = Figure(figsize=(max(8.5, 1.1 * len(table) + 2), 5.0), layout="constrained")
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
    ax.legend(fontsize="small")
    ax.set_title(
        f"{title}\n({runs} model runs over the parameters' registry ranges)", fontsize="large"
    )
    return fig
