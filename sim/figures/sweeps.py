"""Plots of a sweep folder: outcome heat maps, envelopes over time, outcome vs parameter.

Read from `results.parquet`, `envelopes.parquet` and `sweep.json` (`alignsim plot` writes
them to `DIR/plots/`).
Colours follow `sim.figures.runs` (Okabe–Ito for lines; a perceptually uniform map for heat maps).
A heat map's colour scale spans at least a tenth of the outcome's possible range and four
standard errors of a cell mean (`colour_limits`), and its colour bar says so: a difference
the size of the noise never fills the scale.
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
from sim.core.params import REGISTRY
from sim.figures.runs import OKABE_ITO, date_axis
from sim.io.tables import sweep_outcomes

LABELS = {
    "final_hedging_index": "hedging index of {focal} at the end (0..1)",
    "final_dependence": "dependence of {focal} at the end (largest partner share, 0..1)",
    "largest_shift": "largest one-step shift of {focal}'s alignments (alignment units)",
    "agent_actions": "actions initiated by agents (count)",
    "bloc_count": "number of blocs at the end (1 or 2)",
    "hedging_index": "hedging index of {focal} (0..1)",
}
#: Each outcome's possible range (its width sets the heat map's smallest colour span).
WIDTHS = {
    "final_hedging_index": 1.0,
    "final_dependence": 1.0,
    "largest_shift": 2.0,
    "bloc_count": 1.0,
    "final_alignment_": 2.0,
    "alignment_": 2.0,
}
#: The heat map's colour scale spans at least this share of the outcome's possible range,
#: and at least `NOISE_SPANS` standard errors of the noisiest cell mean.
SMALLEST_SPAN, NOISE_SPANS = 0.1, 4.0
#: Design points whose envelopes are drawn when none are chosen, spread over the design.
ENVELOPE_POINTS = 12
#: The most design points one envelope figure shows (each is a panel of its own).
MOST_POINTS = 60


def names_of(plan: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
    """The scenario's name, the focal actor's name and every actor's, from the plan (a
    sweep written before alignsim kept them: the file's stem and "the focal actor")."""
    return (plan.get("name") or Path(plan["scenario"]).stem, *actor_names(plan))


def actor_names(manifest: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The focal actor's name and every actor's, from a sweep's plan or a sensitivity
    analysis's manifest ("the focal actor" and none where it has none)."""
    actors = manifest.get("actor_names", {})
    return actors.get(manifest.get("focal", ""), "the focal actor"), actors


def label(column: str, names: dict[str, Any] | None = None) -> str:
    """An outcome or envelope variable in words, naming the actors of `names` (a sweep's
    plan or a sensitivity analysis's manifest)."""
    focal, actors = actor_names(names or {})
    for prefix in ("final_alignment_", "alignment_"):
        if column.startswith(prefix):
            other = column.removeprefix(prefix)
            end = " at the end" if prefix.startswith("final") else ""
            return f"alignment of {focal} toward {actors.get(other, other)}{end} (−1..1)"
    return LABELS.get(column, column.replace("_", " ")).format(focal=focal)


def width_of(column: str) -> float | None:
    """The possible range of an outcome (None for counts, which have none)."""
    return next((w for k, w in WIDTHS.items() if column.startswith(k)), None)


def colour_limits(means: np.ndarray, errors: np.ndarray, column: str) -> tuple[float, float, str]:
    """The heat map's colour scale: the means' range, widened about its middle to at least
    `SMALLEST_SPAN` of the outcome's possible range and `NOISE_SPANS` standard errors, so
    that differences the size of the noise do not fill the scale; and how it was chosen."""
    low, high = float(np.nanmin(means)), float(np.nanmax(means))
    width = width_of(column)
    noise = NOISE_SPANS * float(np.nanmax(errors, initial=0.0))
    floor = max(noise, SMALLEST_SPAN * width if width else 0.0, 1e-12)
    if high - low >= floor:
        return low, high, f"colour scale {low:.3g} to {high:.3g}: the means' range"
    middle = (low + high) / 2
    why = (
        f"{SMALLEST_SPAN:.0%} of the outcome's range"
        if width and SMALLEST_SPAN * width >= noise
        else f"{NOISE_SPANS:g} standard errors of a cell mean"
    )
    low, high = middle - floor / 2, middle + floor / 2
    return low, high, f"colour scale {low:.3g} to {high:.3g}, widened to {floor:.3g} ({why})"


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
    """Mean outcome over replicates across the first two varied parameters, each cell's
    mean written in it, on a colour scale that does not magnify noise (`colour_limits`)."""
    x, y = (v["name"] for v in plan["vary"][:2])
    grouped = results.groupby([y, x])[outcome]
    means = grouped.mean().rename("mean").to_frame().join(grouped.sem().rename("se"))
    means = means.reset_index()
    low, high, how = colour_limits(means["mean"].to_numpy(), means["se"].to_numpy(), outcome)
    fig = Figure(figsize=(8, 6), layout="constrained")
    ax = fig.subplots()
    image: Any
    if plan["sampler"] == "grid":
        table = means.pivot(index=y, columns=x, values="mean")
        columns, rows = table.columns.to_numpy(), table.index.to_numpy()
        image = ax.pcolormesh(
            edges(columns),
            edges(rows),
            table.to_numpy(),
            cmap="viridis",
            shading="flat",
            vmin=low,
            vmax=high,
        )
        ax.set_xticks(columns, [f"{v:.3g}" for v in columns])
        ax.set_yticks(rows, [f"{v:.3g}" for v in rows])
        if table.size <= 100:
            write_cells(ax, table, image)
    else:
        image = ax.scatter(
            means[x], means[y], c=means["mean"], cmap="viridis", s=60, vmin=low, vmax=high
        )
    fig.colorbar(image, ax=ax, label=f"mean {label(outcome, plan)}\n{how}")
    ax.set_xlabel(parameter_label(x))
    ax.set_ylabel(parameter_label(y))
    ax.set_title(
        f"{names_of(plan)[0]}\n{label(outcome, plan)}\nmean over {plan['replicates']} "
        f"replicates per design point"
    )
    return fig


def write_cells(ax: Any, table: pd.DataFrame, image: Any) -> None:
    """Each grid cell's mean, in black or white to read on its colour."""
    values = table.to_numpy(float)
    for i, row in enumerate(table.index):
        for j, column in enumerate(table.columns):
            value = values[i, j]
            shade = np.mean(image.cmap(image.norm(value))[:3])
            colour = "black" if shade > 0.5 else "white"
            ax.text(
                column,
                row,
                f"{value:.3g}",
                ha="center",
                va="center",
                color=colour,
                fontsize="small",
            )


def parameter_label(name: str) -> str:
    """A varied parameter's axis label: its name and unit from the registry."""
    unit = REGISTRY[name].unit if name in REGISTRY else ""
    return f"{name} ({unit})" if unit else name


def edges(centres: np.ndarray) -> np.ndarray:
    """Cell edges around sorted centre values (for pcolormesh)."""
    if len(centres) == 1:
        return np.array([centres[0] - 0.5, centres[0] + 0.5])
    middle = (centres[1:] + centres[:-1]) / 2
    return np.concatenate([[2 * centres[0] - middle[0]], middle, [2 * centres[-1] - middle[-1]]])


def envelope_points(plan: dict[str, Any], points: tuple[int, ...] | None) -> list[int]:
    """The design points whose envelopes are drawn: those chosen (every one for an empty
    tuple), else `ENVELOPE_POINTS` spread evenly over the design (all of a design that small).

    Raises:
        InputError: a chosen point not in the design; all of more than `MOST_POINTS`.
    """
    size = len(plan["design"])
    if points == ():
        if size > MOST_POINTS:
            raise InputError(
                f"--points all: this sweep has {size} design points, one panel each; name at "
                f"most {MOST_POINTS} (e.g. --points 0,10,20)"
            )
        return list(range(size))
    if points:
        bad = [p for p in points if not 0 <= p < size]
        if bad:
            raise InputError(
                f"--points {bad[0]}: not a design point; this sweep has points 0 to {size - 1}"
            )
        return list(dict.fromkeys(points))
    if size <= ENVELOPE_POINTS:
        return list(range(size))
    return sorted({round(v) for v in np.linspace(0, size - 1, ENVELOPE_POINTS)})


def which_points(shown: list[int], size: int) -> str:
    """The design points a figure shows, in words."""
    if len(shown) == size:
        return f"all {size} design points"
    return f"design points {', '.join(map(str, shown))} of 0 to {size - 1}"


def envelope_figure(
    plan: dict[str, Any], envelopes: pd.DataFrame, variable: str, points: list[int]
) -> Figure:
    """Median and 5–95% band over replicates of a variable, one panel per chosen design
    point (`envelope_points`)."""
    cols = min(3, len(points))
    rows = math.ceil(len(points) / cols)
    fig = Figure(figsize=(5 * cols, 3 * rows + 1.0), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, sharex=True, sharey=True)).ravel()
    names = [v["name"] for v in plan["vary"]]
    for ax, point in zip(axes, points, strict=False):
        sel = envelopes[(envelopes["point"] == point) & (envelopes["variable"] == variable)]
        when = pd.to_datetime(sel["date"])
        ax.fill_between(when, sel["q05"], sel["q95"], color=OKABE_ITO[2], alpha=0.35, label="5–95%")
        ax.plot(when, sel["q50"], color=OKABE_ITO[4], lw=1.8, label="median")
        values = plan["design"][point]
        ax.set_title(
            f"point {point}: " + ", ".join(f"{n} = {values[n]:.3g}" for n in names),
            fontsize="small",
        )
        ax.set_ylabel(label(variable, plan), fontsize="small")
        date_axis(ax)
        ax.xaxis.set_tick_params(labelbottom=True)
    for ax in axes[len(points) :]:
        ax.axis("off")
    axes[0].legend(fontsize="small")
    fig.suptitle(
        f"{names_of(plan)[0]}: {label(variable, plan)} over time\nmedian and 5–95% band over "
        f"{plan['replicates']} replicates; {which_points(points, len(plan['design']))}"
    )
    return fig


def scatter_figure(plan: dict[str, Any], results: pd.DataFrame, outcome: str) -> Figure:
    """Outcome of every run against each varied parameter, with the mean per value."""
    names = [v["name"] for v in plan["vary"]]
    fig = Figure(figsize=(4.5 * len(names), 4.4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(names), sharey=True))
    for ax, name in zip(axes, names, strict=True):
        ax.scatter(
            results[name], results[outcome], s=8, alpha=0.35, color=OKABE_ITO[2], label="runs"
        )
        means = results.groupby(name)[outcome].mean()
        if len(means) <= 50:
            ax.plot(means.index, means.to_numpy(), "o-", color=OKABE_ITO[5], label="mean")
        ax.set_xlabel(parameter_label(name))
        ax.xaxis.set_major_locator(MaxNLocator(5))
    axes[0].set_ylabel(label(outcome, plan))
    axes[0].legend(fontsize="small")
    fig.suptitle(
        f"{names_of(plan)[0]}: {label(outcome, plan)}\nagainst each varied parameter "
        f"({len(results)} runs)"
    )
    return fig


def sweep_figures(
    folder: Path, outcome: str, variable: str, points: tuple[int, ...] | None = None
) -> dict[str, Figure]:
    """A finished sweep's figures by file stem (after checking the outcome, variable and
    design points); `points`: the design points whose envelopes are drawn."""
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
        f"envelopes_{variable}": envelope_figure(
            plan, envelopes, variable, envelope_points(plan, points)
        ),
        f"scatter_{outcome}": scatter_figure(plan, results, outcome),
    }
    if len(plan["vary"]) >= 2:
        figures[f"heatmap_{outcome}"] = heatmap_figure(plan, results, outcome)
    return figures
