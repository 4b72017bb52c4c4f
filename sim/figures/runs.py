"""Plots of a run, drawn from its tables (so `alignsim plot RUN_DIR` redraws saved runs).

Four figures: an actor's alignment toward every partner over time with the events that
moved it; hedging index and dependence of every actor over time; a network snapshot of
the alignment matrix at a date; and a heat map of the matrix. Colours come from the
Okabe–Ito palette (Okabe & Ito 2008), safe for the common forms of colour blindness; each
actor keeps its colour in every figure. Figures are built with `matplotlib.figure.Figure`
(no pyplot state, no display needed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.dates as mdates
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D

from sim.core import metrics
from sim.engine.history import AlignmentHistory
from sim.figures import style as figstyle
from sim.figures import timeline
from sim.io.files import read_manifest, read_table

OKABE_ITO = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442")
LINESTYLES = ("-", "--", ":", "-.")
POSITIVE, NEGATIVE = "#0072B2", "#D55E00"
ALIGNMENT_LABEL = "alignment (−1 hostile … +1 aligned)"


@dataclass(frozen=True)
class RunView:
    """What the plots need of a run: its tables and a few facts from its manifest.

    Attributes:
        title: the scenario's name.
        actors: actor ids in order; names: display names; capability: sizes.
        focal: the actor whose view the alignment plot takes by default.
        history: the alignment matrix at every recorded date.
        metrics, events: the run's tables (see the README's data dictionary).
    """

    title: str
    actors: tuple[str, ...]
    names: dict[str, str]
    capability: dict[str, float]
    focal: str
    history: AlignmentHistory
    metrics: pd.DataFrame
    events: pd.DataFrame

    @classmethod
    def of(
        cls,
        manifest: dict[str, Any],
        tables: Mapping[str, pd.DataFrame],
        history: AlignmentHistory | None = None,
    ) -> RunView:
        """The view of a run from its manifest and its tables (the alignment table's
        `history`, when given, in place of the table)."""
        actors = manifest["actors"]
        ids = tuple(a["id"] for a in actors)
        changed = model_note(manifest) + overridden(manifest)
        name = manifest["scenario"]["name"]
        return cls(
            title=f"{name} [{'; '.join(changed)}]" if changed else name,
            actors=ids,
            names={a["id"]: a["name"] for a in actors},
            capability={a["id"]: a["capability"] for a in actors},
            focal=manifest["scenario"]["focal"],
            history=history or AlignmentHistory.of_table(tables["alignment"], ids),
            metrics=tables["metrics"],
            events=tables["events"],
        )

    @classmethod
    def load(cls, folder: Path) -> RunView:
        """The view of a run folder, from its manifest and tables (the alignment table read
        into its `AlignmentHistory` a row group at a time)."""
        manifest = read_manifest(folder)
        tables = {name: read_table(folder, name) for name in ("metrics", "events")}
        actors = tuple(a["id"] for a in manifest["actors"])
        history = AlignmentHistory.of_file(folder / "alignment.parquet", actors)
        return cls.of(manifest, tables, history)

    @cached_property
    def featured(self) -> tuple[str, ...]:
        """The focal actor and the partners its figures show (`strongest_partners`)."""
        return (self.focal, *strongest_partners(self, self.focal))

    def style(self, actor: str) -> dict[str, Any]:
        """Colour and line style of an actor, the same in every figure: by its place among
        the actors, or among the `featured` ones when there are more than they (so the lines
        the figures show never share a style)."""
        many = len(self.actors) > len(self.featured) and actor in self.featured
        i = self.featured.index(actor) if many else self.actors.index(actor)
        return {
            "color": OKABE_ITO[i % len(OKABE_ITO)],
            "linestyle": LINESTYLES[(i // len(OKABE_ITO)) % len(LINESTYLES)],
        }

    def matrix(self, date: dt.date) -> np.ndarray:
        """Alignment matrix at the recorded date nearest to `date`."""
        return np.asarray(self.history.values[self.history.nearest(date)])

    def nearest_date(self, date: dt.date) -> dt.date:
        """The recorded date nearest to `date`."""
        return self.history.dates[self.history.nearest(date)]

    @property
    def first_date(self) -> dt.date:
        """The run's first recorded date."""
        return self.history.dates[0]

    @property
    def last_date(self) -> dt.date:
        """The run's last recorded date."""
        return self.history.dates[-1]

    def series(self, actor: str, partner: str) -> np.ndarray:
        """`actor`'s alignment toward `partner` at every recorded date."""
        i, j = self.actors.index(actor), self.actors.index(partner)
        return np.asarray(self.history.values[:, i, j])


def overridden(manifest: dict[str, Any]) -> list[str]:
    """What a run changed from its scenario as written and fitted: ``--set`` values (and a
    Python caller's parameters), a posterior draw; empty when nothing."""
    sources, values = manifest.get("parameter_sources", {}), manifest.get("parameters", {})
    given = [
        f"{k}={values[k]:g}"
        for k, v in sources.items()
        if v in ("--set", "parameters", "AlignmentModel")
    ]
    found = [f"--set {', '.join(given)}"] if given else []
    draws = sorted({v.split("draw ")[-1].rstrip(")") for v in sources.values() if "draw " in v})
    return found + [f"posterior draw {d}" for d in draws]


def model_note(manifest: dict[str, Any]) -> list[str]:
    """The model variant a run used, when it is not the full model (its fit's, or
    ``--model``)."""
    model = manifest["scenario"].get("model", "full")
    return [] if model == "full" else [f"model {model}"]


class YearDateFormatter(mdates.DateFormatter):
    """Date tick labels with a year on every tick where the year changes, and on the
    first: ``2024``, ``Mar``, ``May``, ..., ``2025`` (a tick on 1 January is its year);
    ``May 2024`` for a first tick that is not in January."""

    def __init__(self) -> None:
        super().__init__("%b")

    def format_ticks(self, values: Any) -> list[str]:
        """The labels of all the ticks at once (the year shown where it changes)."""
        days = [mdates.num2date(v) for v in values]
        labels, year = [], None
        for day in days:
            if (day.month, day.day) == (1, 1):
                labels.append(f"{day.year}")
            elif day.year != year:
                labels.append(f"{day:%b} {day.year}")
            else:
                labels.append(f"{day:%b}" if day.day == 1 else f"{day:%d %b}")
            year = day.year
        return labels


def date_axis(ax: Any) -> None:
    """Format a time axis with years (and months when the span is short): a year on every
    tick where it changes (`YearDateFormatter`)."""
    size = FontProperties(size=mpl.rcParams["xtick.labelsize"]).get_size_in_points()
    width = ax.get_position().width * ax.get_figure().get_size_inches()[0] * 72
    most = int(np.clip(width / (6 * size), 4, 12))  # room for labels like "May 2024"
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3 if most < 8 else 4, maxticks=most))
    ax.xaxis.set_major_formatter(YearDateFormatter())
    ax.set_xlabel("date")


def focal_events(view: RunView, actor: str) -> pd.DataFrame:
    """Events the actor takes part in, with the counterpart named."""
    events = view.events[(view.events["source"] == actor) | (view.events["target"] == actor)]
    counterpart = np.where(events["source"] == actor, events["target"], events["source"])
    return events.assign(counterpart=counterpart, when=pd.to_datetime(events["date"]))


#: Most partners an actor's alignment and the hedging figure show: its strongest ties.
SHOWN_PARTNERS = 8
#: Most actors the network and heat map show in full; beyond, the network keeps its
#: `SHOWN_TIES` strongest ties and the heat map is ordered by bloc, without labels.
FULL_MATRIX = 20
SHOWN_TIES = 40


def strongest_partners(view: RunView, actor: str) -> list[str]:
    """Every other actor, or with more than `SHOWN_PARTNERS`, the ones toward which
    `actor`'s alignment is largest in size on the last date, strongest first."""
    others = [a for a in view.actors if a != actor]
    if len(others) <= SHOWN_PARTNERS:
        return others
    row = view.matrix(view.last_date)[view.actors.index(actor)]
    strength = [-abs(row[view.actors.index(a)]) for a in others]
    return [others[i] for i in np.argsort(strength, kind="stable")[:SHOWN_PARTNERS]]


def partners_note(view: RunView, actor: str, partners: list[str], verb: str) -> str:
    """What a figure of `actor`'s partners leaves out ('' when it shows them all)."""
    left = len(view.actors) - 1 - len(partners)
    if not left:
        return ""
    return (
        f"\nonly the {len(partners)} partners of {view.names[actor]} with the largest "
        f"|alignment| on {view.last_date}; the other {left:,} {verb} left out"
    )


def alignment_figure(view: RunView, actor: str | None = None) -> Figure:
    """An actor's alignment toward every other actor over time, with its events.

    Top: one line per partner, the strongest scripted events numbered above the lines.
    Middle: the timeline of the events the actor takes part in, a lane per direction and
    partner, markers in the acting actor's colour (`sim.figures.timeline`). Bottom: the
    numbered events, each with its date, type, direction and source document.
    """
    actor = actor or view.focal
    partners = strongest_partners(view, actor)
    events = focal_events(view, actor)
    events = events[events["counterpart"].isin(partners)]
    labelled = timeline.labelled_events(events)
    key_rows = (len(labelled) + 1) // 2 if len(labelled) > 4 else len(labelled)
    lanes = 2 * len(partners)
    fig = Figure(
        figsize=figstyle.figure_size(11, 6.2 + 0.16 * lanes + 0.2 * key_rows, columns=2),
        layout="constrained",
    )
    top, bottom, key = fig.subplots(
        3, 1, height_ratios=(3, 0.4 + 0.14 * lanes, 0.05 + 0.13 * key_rows)
    )
    bottom.sharex(top)
    when = pd.to_datetime(pd.Series(view.history.dates))
    for partner in partners:
        top.plot(
            when,
            view.series(actor, partner),
            lw=1.35 * mpl.rcParams["lines.linewidth"],
            label=view.names[partner],
            **view.style(partner),
        )
    top.axhline(0, color="0.6", lw=0.8)
    top.axhspan(1.05, 1.5, color="0.96", lw=0)
    top.set_ylim(-1.05, 1.5)
    top.set_yticks(np.linspace(-1, 1, 9))
    top.set_ylabel(ALIGNMENT_LABEL)
    top.tick_params(labelbottom=False)
    top.set_title(
        f"{view.title}\n{view.names[actor]}'s alignment toward each actor"
        + partners_note(view, actor, partners, "and their events are")
    )
    top.legend(
        title=f"{view.names[actor]}\ntoward",
        loc="upper left",
        fontsize="small",
        bbox_to_anchor=(1.005, 1.0),
    )
    colour = lambda a: view.style(a)["color"]  # noqa: E731
    timeline.draw_lanes(bottom, events, actor, partners, view.names, colour)
    timeline.kind_legend(bottom)
    date_axis(bottom)
    timeline.event_key(key, labelled, view.names)
    fig.draw_without_rendering()  # lay out first: the numbers are placed by their extents
    numbered = timeline.number_events(top, labelled, top=1.46, row=0.1)
    if len(numbered) < len(labelled):  # the key lists only the numbers the plot shows
        timeline.event_key(key, labelled[labelled["number"].isin(numbered)], view.names)
    return fig


def hedging_figure(view: RunView) -> Figure:
    """Hedging index and dependence of every actor over time (the focal actor in bold).

    An undefined value is a gap in its line, never 0: the index of an actor without a
    patron, the dependence of one without a positive tie (both NaN in the metrics table).
    """
    fig = Figure(figsize=figstyle.figure_size(11, 7, columns=2), layout="constrained")
    axes = fig.subplots(2, 1, sharex=True)
    labels = {
        "hedging_index": "hedging index (patron balance, 0–1)",
        "dependence": "dependence (largest partner share, 0–1)",
    }
    partners = strongest_partners(view, view.focal)
    shown = [a for a in view.actors if a == view.focal or a in partners]
    for ax, column in zip(axes, labels, strict=True):
        for actor in shown:
            rows = view.metrics[view.metrics["actor"] == actor]
            bold = actor == view.focal
            ax.plot(
                pd.to_datetime(rows["date"]),
                rows[column],
                lw=(2 if bold else 0.9) * mpl.rcParams["lines.linewidth"],
                alpha=1 if bold else 0.8,
                label=view.names[actor],
                **view.style(actor),
            )
        ax.set_ylim(-0.03, 1.03)  # a line at exactly 0 or 1 stays visible
        ax.set_ylabel(labels[column])
        rug = focal_events(view, view.focal)
        rug = rug[rug["origin"] == "scripted"]
        ax.plot(
            rug["when"],
            np.full(len(rug), 0.015),
            "|",
            color="0.35",
            ms=10,
            label=f"events of {view.names[view.focal]}",
        )
    axes[0].set_title(
        f"{view.title}: hedging and dependence of each actor"
        + partners_note(view, view.focal, partners, "are")
        + "\nhedging index: 1 = both patrons held equally close, 0 = one patron; "
        "a gap: no patron (index) or no positive tie (dependence)",
        fontsize="medium",
    )
    axes[0].legend(loc="upper left", fontsize="small", bbox_to_anchor=(1.005, 1.0), title="actor")
    date_axis(axes[1])
    return fig


def draw_network(
    ax: Any, view: RunView, day: dt.date, floor: float = 0.05, scale: float = 1.0
) -> str:
    """Draw the alignment network of `day` on `ax` (see `network_figure`), sizes times
    `scale`; return what it leaves out ('' when nothing)."""
    return draw_matrix_network(
        ax, view.actors, view.names, view.capability, view.matrix(day), view.style, floor, scale
    )


def shown_ties(matrix: np.ndarray, floor: float) -> tuple[list[tuple[int, int]], str]:
    """The ties a network draws: every one at least `floor` strong, or with more than
    `FULL_MATRIX` actors the `SHOWN_TIES` strongest of them; and what is left out."""
    n = len(matrix)
    strength = np.where(np.eye(n, dtype=bool), 0.0, np.abs(matrix))
    source, target = np.nonzero(strength >= floor)
    if n <= FULL_MATRIX or len(source) <= SHOWN_TIES:
        return list(zip(source.tolist(), target.tolist(), strict=True)), ""
    order = np.argsort(-strength[source, target], kind="stable")[:SHOWN_TIES]
    ties = sorted(zip(source[order].tolist(), target[order].tolist(), strict=True))
    weakest = min(strength[i, j] for i, j in ties)
    kept = len({a for tie in ties for a in tie})
    return ties, (
        f"only the {SHOWN_TIES} strongest of {n * (n - 1):,} ties (|alignment| ≥ {weakest:.2f});\n"
        f"the {n - kept:,} actors without one of them are left out"
    )


def camp_layout(actors: tuple[str, ...], matrix: np.ndarray) -> dict[str, np.ndarray]:
    """Positions on a circle with each camp on its own side: the two blocs of the matrix
    (`sim.core.metrics.blocs`, the signs of its leading eigenvector) on the left and the
    right, evenly spaced in their order, with two spaces' gap between the camps; one camp
    takes the whole circle."""
    side = metrics.blocs(matrix)
    camps = [[a for a, s in zip(actors, side, strict=True) if s == k] for k in (0, 1)]
    if not camps[1]:
        return {a: np.asarray(p) for a, p in nx.circular_layout(actors).items()}
    spacing = 2 * np.pi / (len(actors) + 2)
    position = {}
    for centre, direction, camp in ((np.pi, -1, camps[0]), (0.0, 1, camps[1])):
        for i, actor in enumerate(camp):  # the first at the top of its side
            angle = centre + direction * spacing * ((len(camp) - 1) / 2 - i)
            position[actor] = np.array([np.cos(angle), np.sin(angle)])
    return position


def draw_matrix_network(
    ax: Any,
    actors: tuple[str, ...],
    names: dict[str, str],
    capability: dict[str, float],
    matrix: np.ndarray,
    style: Any,
    floor: float = 0.05,
    scale: float = 1.0,
) -> str:
    """Draw an alignment matrix as a network: node size = capability, node colour = the
    actor's, edge = sign and strength, camps on either side (`camp_layout`), names outside
    the nodes so no arrowhead is hidden; sizes times `scale` (a smaller figure); return
    what it leaves out (`shown_ties`)."""
    ties, note = shown_ties(matrix, floor)
    everyone = actors
    if note:
        actors = tuple(a for i, a in enumerate(everyone) if any(i in tie for tie in ties))
    kept = [everyone.index(a) for a in actors]
    graph = nx.DiGraph()
    graph.add_nodes_from(actors)
    for i, j in ties:
        graph.add_edge(everyone[i], everyone[j], value=matrix[i, j])
    position = camp_layout(actors, matrix[np.ix_(kept, kept)])
    base, area = (100, 1300) if note else (300, 4000)  # many nodes: smaller
    sizes = [scale**2 * (base + area * np.sqrt(capability[a])) for a in actors]
    values = [graph.edges[e]["value"] for e in graph.edges]
    nx.draw_networkx_edges(
        graph,
        position,
        ax=ax,
        width=[scale * (0.5 + 5 * abs(v)) for v in values],
        edge_color=[POSITIVE if v > 0 else NEGATIVE for v in values],
        arrows=True,
        arrowsize=14 * scale,
        connectionstyle="arc3,rad=0.12",
        node_size=sizes,
        alpha=0.8,
    )
    nx.draw_networkx_nodes(
        graph,
        position,
        ax=ax,
        node_size=sizes,
        node_color=[style(a)["color"] for a in actors],
        edgecolors="0.15",
        linewidths=scale,
    )
    font = "x-small" if note else "small"
    for actor, size in zip(actors, sizes, strict=True):
        name_outside(ax, names[actor], position[actor], np.sqrt(size) / 2, font)
    ax.legend(
        handles=[
            Line2D(
                [], [], color=POSITIVE, lw=3 * scale, label="positive alignment (width = strength)"
            ),
            Line2D(
                [], [], color=NEGATIVE, lw=3 * scale, label="negative alignment (width = strength)"
            ),
        ],
        loc="lower center",
        bbox_to_anchor=(0.5, -0.08),
        ncols=2,
        fontsize="small",
        frameon=False,
    )
    ax.axis("off")
    ax.margins(0.25)
    return note


def name_outside(ax: Any, name: str, at: np.ndarray, radius: float, font: str) -> None:
    """An actor's name beside its node, on the side away from the circle's centre and
    `radius` points (the node's) plus a little from the node's centre, in size `font`."""
    direction = at / (np.hypot(*at) or 1.0)
    ax.annotate(
        name,
        tuple(at),
        xytext=tuple((radius + 3) * direction),
        textcoords="offset points",
        ha="left" if direction[0] > 0.3 else "right" if direction[0] < -0.3 else "center",
        va="bottom" if direction[1] > 0.3 else "top" if direction[1] < -0.3 else "center",
        fontsize=font,
        fontweight="bold",
        zorder=4,
    )


def network_figure(view: RunView, date: dt.date | None = None, floor: float = 0.05) -> Figure:
    """The alignment network at a date: nodes sized by capability, edges by sign and strength.

    Each directed tie is a curved arrow from the row actor to the column actor; blue is
    positive, vermilion negative, width proportional to |alignment|; ties weaker than
    `floor` are left out.
    """
    day = view.nearest_date(date or view.last_date)
    size = figstyle.figure_size(8.5, 8, columns=1 if len(view.actors) <= 8 else 2)
    fig = Figure(figsize=size, layout="constrained")
    ax = fig.subplots()
    note = draw_network(ax, view, day, floor, scale=size[0] / 8.5)
    ax.set_title(
        f"{view.title}\nalignment network on {day}: an arrow from an actor to the actor it "
        f"aligns with,\nnode size = capability, camps (blocs) on the left and the right"
        + (f"\n{note}" if note else "")
    )
    return fig


def heatmap_figure(view: RunView, date: dt.date | None = None) -> Figure:
    """The alignment matrix at a date as a heat map, each cell annotated with its value;
    beyond `FULL_MATRIX` actors, ordered by bloc and without labels (`bloc_heatmap`)."""
    day = view.nearest_date(date or view.last_date)
    matrix = view.matrix(day)
    n = len(view.actors)
    if n > FULL_MATRIX:
        return bloc_heatmap(view, day, matrix)
    shown = np.where(np.eye(n, dtype=bool), np.nan, matrix)
    fig = Figure(figsize=figstyle.figure_size(1.1 * n + 3, 0.9 * n + 2), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(shown, cmap="RdBu", vmin=-1, vmax=1)
    labels = [view.names[a] for a in view.actors]
    ax.set_xticks(range(n), labels, rotation=45, ha="right")
    ax.set_yticks(range(n), labels)
    ax.set_xlabel("toward (column actor)")
    ax.set_ylabel("from (row actor)")
    for i in range(n):
        for j in range(n):
            if i != j:
                ax.text(
                    j,
                    i,
                    f"{matrix[i, j]:+.2f}",
                    ha="center",
                    va="center",
                    fontsize="small",
                    color="white" if abs(matrix[i, j]) > 0.6 else "black",
                )
    fig.colorbar(image, ax=ax, label=ALIGNMENT_LABEL, shrink=0.8)
    ax.set_title(f"{view.title}: alignment matrix on {day}")
    return fig


def bloc_heatmap(view: RunView, day: dt.date, matrix: np.ndarray) -> Figure:
    """The heat map of many actors: rows and columns ordered by bloc on `day` (the
    metrics table's spectral split), a line between the blocs, no actor labels or values."""
    at = view.metrics[view.metrics["date"] == day].set_index("actor")["bloc"]
    order = np.argsort([at[a] for a in view.actors], kind="stable")
    first = int((at == 0).sum())
    n = len(order)
    shown = np.where(np.eye(n, dtype=bool), np.nan, matrix)[np.ix_(order, order)]
    fig = Figure(figsize=figstyle.figure_size(10, 8.5, columns=2), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(shown, cmap="RdBu", vmin=-1, vmax=1, interpolation="nearest")
    for line in (ax.axhline, ax.axvline):
        line(first - 0.5, color="black", lw=1)
    ax.set_xlabel(f"toward (column actor): bloc 0, {first} actors | bloc 1, {n - first}")
    ax.set_ylabel("from (row actor), in the same order")
    ax.set_xticks([])
    ax.set_yticks([])
    fig.colorbar(image, ax=ax, label=ALIGNMENT_LABEL, shrink=0.8)
    ax.set_title(
        f"{view.title}: alignment matrix on {day}, {n} actors ordered by bloc "
        f"(actor order within a bloc)\nactor names and cell values left out"
    )
    return fig


def run_figures(
    view: RunView, actor: str | None = None, date: dt.date | None = None
) -> dict[str, Figure]:
    """The four figures of a run by file stem: an actor's alignment (the focal actor's by
    default), hedging, and the network and heat map on a date (the last by default)."""
    actor = actor or view.focal
    day = view.nearest_date(date or view.last_date)
    return {
        f"alignment_{actor}": alignment_figure(view, actor),
        "hedging": hedging_figure(view),
        f"network_{day}": network_figure(view, day),
        f"heatmap_{day}": heatmap_figure(view, day),
    }


def save_figures(
    figures: dict[str, Figure], folder: Path, formats: tuple[str, ...] = ("png",)
) -> list[Path]:
    """Write figures as ``<stem>.<format>`` in `folder`, in each format (those the current
    style names, when it names any: `sim.figures.style.use_style`), each finished for the
    style (`sim.figures.style.finish`); return the paths.

    PNGs carry no software metadata, so the same figure gives the same bytes.
    """
    paths = []
    chosen = figstyle.current()
    formats = chosen.formats or formats
    for name, figure in figures.items():
        figstyle.finish(figure)
        for fmt in formats:
            path = folder / f"{name}.{fmt}"
            figure.savefig(
                path,
                dpi=chosen.dpi if fmt == "png" else None,
                metadata={"Software": None} if fmt == "png" else None,
            )
            paths.append(path)
    return paths
