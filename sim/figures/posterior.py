"""Figures of a posterior, drawn from its report's tables (README, "Calibration: a
posterior"), so `alignsim plot` redraws a saved report.

``posterior``: per parameter, the weighted histogram of the posterior draws over the flat
prior density, with the median and 90% interval. ``predictive``: per target, the prior and
posterior predictive probability that the claim holds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.core.params import REGISTRY
from sim.figures.runs import NEGATIVE, OKABE_ITO

PRIOR, POSTERIOR = OKABE_ITO[2], OKABE_ITO[4]
COLUMNS = 3
BINS = 30


def posterior_figures(
    tables: Mapping[str, pd.DataFrame], manifest: dict[str, Any]
) -> dict[str, Figure]:
    """The posterior report's figures by file stem, from its tables and manifest."""
    title = (
        f"{manifest['scenario']['name']} ({manifest['model']}, evidence: {manifest['evidence']})"
    )
    return {
        "posterior": parameters_figure(tables["parameters"], tables["draws"], manifest, title),
        "predictive": predictive_figure(tables["predictive"], title),
    }


def parameters_figure(
    summary: pd.DataFrame, draws: pd.DataFrame, manifest: dict[str, Any], title: str
) -> Figure:
    """Prior density against the weighted posterior histogram, one panel per parameter."""
    rows = max(1, math.ceil(len(summary) / COLUMNS))
    fig = Figure(figsize=(4.6 * COLUMNS, 2.9 * rows + 0.9), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, COLUMNS)).ravel()
    for ax, row in zip(axes, summary.to_dict("records"), strict=False):
        edges = np.linspace(row["prior_low"], row["prior_high"], BINS + 1)
        ax.hist(
            draws[row["parameter"]],
            bins=edges,
            weights=draws["weight"],
            density=True,
            color=POSTERIOR,
            alpha=0.75,
            label="posterior",
        )
        ax.axhline(1 / (row["prior_high"] - row["prior_low"]), color=PRIOR, lw=2, label="prior")
        ax.axvspan(row["q05"], row["q95"], color=NEGATIVE, alpha=0.12, label="90% interval")
        ax.axvline(row["median"], color=NEGATIVE, lw=1.5, label="median")
        ax.set_xlim(row["prior_low"], row["prior_high"])
        ax.set_title(f"{row['parameter']}: shrinkage {row['shrinkage']:.2f}", fontsize="medium")
        ax.set_xlabel(REGISTRY[row["parameter"]].unit, fontsize="small")
        ax.set_ylabel("density", fontsize="small")
        ax.tick_params(labelsize=8)
    for ax in axes[len(summary) :]:
        ax.axis("off")
    if len(summary):
        axes[0].legend(fontsize="x-small", loc="upper right")
    fig.suptitle(
        f"{title}: prior and posterior of each parameter\n{manifest['runs']} prior runs, "
        f"effective sample size {manifest['effective_sample_size']:g}; shrinkage = 1 − "
        "posterior 90% width / prior 90% width",
        fontsize="large",
    )
    return fig


def predictive_figure(predictive: pd.DataFrame, title: str) -> Figure:
    """Per target, the prior and posterior predictive probability that it holds."""
    fig = Figure(figsize=(11, 0.32 * len(predictive) + 1.8), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(predictive))
    ax.barh(y + 0.2, predictive["prior"], height=0.4, color=PRIOR, label="prior predictive")
    ax.barh(y - 0.2, predictive["posterior"], height=0.4, color=POSTERIOR, label="posterior")
    labels = [
        f"{claim[:70]}{'…' if len(claim) > 70 else ''}{' (weight 0)' if w == 0 else ''}"
        for claim, w in zip(predictive["claim"], predictive["weight"], strict=True)
    ]
    ax.set_yticks(y, labels, fontsize="x-small")
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.axvline(0.5, color="0.5", lw=0.8, ls=":")
    ax.set_xlabel("probability that the claim holds in a run (0..1)")
    ax.legend(loc="lower right", fontsize="small")
    fig.suptitle(
        f"{title}\nposterior predictive check: how often each target's claim holds",
        fontsize="large",
    )
    return fig


def sbc_figure(ranks: pd.DataFrame, summary: pd.DataFrame, manifest: dict[str, Any]) -> Figure:
    """Each parameter's rank ECDF minus the uniform CDF, inside its simultaneous band."""
    names = list(summary["parameter"])
    rows = max(1, math.ceil(len(names) / COLUMNS))
    fig = Figure(figsize=(4.6 * COLUMNS, 2.8 * rows + 1.0), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, COLUMNS, sharey=True)).ravel()
    band = manifest.get("band")
    for ax, row in zip(axes, summary.to_dict("records"), strict=False):
        values = np.sort(ranks[row["parameter"]].to_numpy())
        z = np.linspace(0, 1, 201)
        ecdf = np.searchsorted(values, z, side="right") / len(values)
        if band is not None:
            bz, lower, upper = (np.asarray(band[k]) for k in ("z", "lower", "upper"))
            ax.fill_between(bz, lower - bz, upper - bz, color=PRIOR, alpha=0.3, label="95% band")
        colour = POSTERIOR if row["inside_band"] else NEGATIVE
        ax.step(z, ecdf - z, where="post", color=colour, lw=1.5, label="rank ECDF − uniform")
        ax.axhline(0, color="0.4", lw=0.8)
        verdict = "inside" if row["inside_band"] else "OUTSIDE"
        ax.set_title(
            f"{row['parameter']}: {verdict} the band; shrinkage {row['mean_shrinkage']:.2f}",
            fontsize="small",
        )
        ax.set_xlabel("fractional rank of the true value (0..1)", fontsize="small")
        ax.set_ylabel("ECDF − uniform CDF", fontsize="small")
        ax.tick_params(labelsize=8)
    for ax in axes[len(names) :]:
        ax.axis("off")
    if names:
        axes[0].legend(fontsize="x-small", loc="lower left")
    fig.suptitle(
        f"Simulation-based calibration: {manifest['datasets']} synthetic datasets from a bank "
        f"of {manifest['bank_runs']} prior runs ({manifest.get('model', '')})\nsimultaneous "
        f"band family-wise {manifest['level']:.0%} over the parameters (Säilynoja et al. "
        "2022); a posterior equal to its prior also passes, hence the shrinkage",
        fontsize="large",
    )
    return fig
