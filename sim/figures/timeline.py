"""The events of an actor's alignment figure: a timeline of who acted on whom, and numbered
labels of the strongest scripted events with a key that names each one and its source.

Two lanes per partner, one for each direction (``North Korea → Russia`` above ``Russia →
North Korea``), each marker in the colour of the actor who acts. The marker says the
event's kind and sign: documented (coded from a document) ▲ cooperative / ▼ conflictual,
filled; an agent's own action, the same triangles hollow; a what-if (hypothetical, no
document) ✚ cooperative / ✖ conflictual. The strongest scripted events are numbered at the
top of the alignment panel, the numbers moved up a row where they would overlap (measured
by the renderer), and listed under the figure with date, type in words, direction and
document (``doc 003`` for ``003_….txt``, or "what-if").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from sim.core.events import in_words

#: Marker of each kind of event: (cooperative, conflictual), and whether it is filled.
MARKERS = {
    "documented": (("^", "v"), True),
    "agent": (("^", "v"), False),
    "what-if": (("P", "X"), True),
}
KIND_WORDS = {
    "documented": "documented",
    "agent": "agent's own action",
    "what-if": "what-if (hypothetical)",
}
#: Most rows of numbers above the lines before a label is left out.
LABEL_ROWS = 4


def event_kinds(events: pd.DataFrame) -> np.ndarray:
    """Each event's kind: ``agent`` (an agent's own action), ``documented`` (scripted, with
    a source document) or ``what-if`` (scripted, no document)."""
    documented = events["doc"].fillna("").astype(str) != ""
    return np.select(
        [events["origin"] == "agent", documented], ["agent", "documented"], default="what-if"
    )


def document_name(doc: str) -> str:
    """A source document's short name: ``doc 003`` for ``003_8219c31f91de78d7.txt``, the
    file's stem otherwise; ``what-if`` for none."""
    if not doc:
        return "what-if"
    stem = doc.rsplit("/", 1)[-1].split(".")[0]
    number = stem.split("_")[0]
    return f"doc {number}" if number.isdigit() else stem


def lanes(actor: str, partners: list[str]) -> list[tuple[str, str]]:
    """The timeline's lanes, bottom to top: (source, target) for each partner, the actor
    acting above the partner acting."""
    return [pair for p in reversed(partners) for pair in ((p, actor), (actor, p))]


def draw_lanes(
    ax: Any,
    events: pd.DataFrame,
    actor: str,
    partners: list[str],
    names: Mapping[str, str],
    colour: Callable[[str], str],
) -> None:
    """Markers of `events` (the actor's, with a ``when`` column) in one lane per direction
    and partner, in the acting actor's colour."""
    rows = lanes(actor, partners)
    kinds = event_kinds(events)
    size = 1.6 * mpl.rcParams["lines.markersize"] ** 2
    for lane, (source, target) in enumerate(rows):
        mine = (events["source"] == source) & (events["target"] == target)
        for kind, ((up, down), filled) in MARKERS.items():
            for marker, cooperative in ((up, True), (down, False)):
                sel = events[mine & (kinds == kind) & ((events["goldstein"] >= 0) == cooperative)]
                if sel.empty:
                    continue
                ax.scatter(
                    sel["when"],
                    np.full(len(sel), lane),
                    marker=marker,
                    s=size,
                    linewidths=1,
                    facecolors=colour(source) if filled else "none",
                    edgecolors=colour(source),
                    zorder=3,  # above the grid
                )
        if lane % 4 == 1:  # every other partner's two lanes shaded
            ax.axhspan(lane - 1.5, lane + 0.5, color="0.96", lw=0, zorder=0)
    if events.empty:
        ax.text(
            0.5,
            0.5,
            "no events involve this actor",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="0.4",
        )
    labels = [f"{names[s]} → {names[t]}" for s, t in rows]
    ax.set_yticks(range(len(rows)), labels, fontsize="small")
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_ylabel("events (who → whom)")
    ax.set_axisbelow(True)
    ax.grid(axis="x", color="0.92")


def kind_legend(ax: Any) -> None:
    """The legend of markers, right of the timeline: kind and sign, colour = who acts."""
    handles = [
        Line2D(
            [],
            [],
            marker=m,
            ls="",
            color="0.3",
            mfc="0.3" if filled else "none",
            label=f"{KIND_WORDS[kind]}, {sign}",
        )
        for kind, (pair, filled) in MARKERS.items()
        for m, sign in zip(pair, ("cooperative", "conflictual"), strict=True)
    ]
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.005, 1.0),
        fontsize="small",
        title="colour = the actor\nwho acts",
        title_fontsize="small",
    )


def labelled_events(events: pd.DataFrame, count: int = 8) -> pd.DataFrame:
    """The `count` scripted events of largest |impulse| (documented and what-if), in
    date order, numbered from 1 (column ``number``)."""
    scripted = events[events["origin"] == "scripted"]
    strength = scripted["impulse"].abs()
    chosen = strength.sort_values(ascending=False, kind="stable").index[:count]
    picked = scripted.loc[chosen].sort_values(["when", "id"], kind="stable")
    return picked.assign(number=np.arange(1, len(picked) + 1))


def number_events(ax: Any, labelled: pd.DataFrame, top: float, row: float) -> list[int]:
    """Write each labelled event's number at its date above the lines, the first row at
    `top` (data units), moving a number down a `row` while it would overlap one already
    placed (the renderer's extents); a number that finds no free row among `LABEL_ROWS`
    is left out with its dotted line kept. Return the numbers written."""
    placed: list[list[Any]] = [[] for _ in range(LABEL_ROWS)]
    written = []
    for _, event in labelled.iterrows():
        ax.axvline(event["when"], color="0.75", lw=0.8, ls=":", zorder=1)
        text = ax.text(
            event["when"],
            top,
            str(event["number"]),
            ha="center",
            va="top",
            fontsize="small",
            color="0.15",
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "0.6", "lw": 0.6},
        )
        for level in range(LABEL_ROWS):
            text.set_y(top - level * row)
            box = text.get_window_extent()
            if not any(box.overlaps(other) for other in placed[level]):
                placed[level].append(box.expanded(1.1, 1.0))
                written.append(int(event["number"]))
                break
        else:
            text.remove()
    return written


def event_key(ax: Any, labelled: pd.DataFrame, names: Mapping[str, str]) -> None:
    """The list of numbered events under the figure, in two columns when more than four:
    number, date, type in words, who → whom, document (replacing a key already drawn)."""
    for drawn in list(ax.texts):
        drawn.remove()
    ax.axis("off")
    if labelled.empty:
        return
    lines = [
        f"{e['number']}  {e['date']}  {in_words(e['type'])}, {names.get(e['source'], e['source'])}"
        f" → {names.get(e['target'], e['target'])} ({document_name(str(e['doc']))})"
        for _, e in labelled.iterrows()
    ]
    half = (len(lines) + 1) // 2 if len(lines) > 4 else len(lines)
    first = ax.text(
        0.0,
        1.0,
        "\n".join(lines[:half]),
        transform=ax.transAxes,
        va="top",
        ha="left",
        fontsize="small",
        linespacing=1.5,
    )
    first.set_in_layout(False)  # the layout keeps the key's height, not its text's width
    if lines[half:]:  # the second column starts where the first ends
        ax.annotate(
            "\n".join(lines[half:]),
            (1.0, 1.0),
            xycoords=first,
            xytext=(18, 0),
            textcoords="offset points",
            va="top",
            ha="left",
            fontsize="small",
            linespacing=1.5,
        ).set_in_layout(False)
