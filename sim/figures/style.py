"""Figure styles: the screen look (the default), figures for papers and figures for talks.

A style is chosen once for everything a command draws (`use_style`, behind every drawing
command's ``--style``): it sets matplotlib's rcParams while the figures are built, and
`finish` applies what rcParams cannot just before a figure is written. ``paper``: no
embedded titles (a paper's caption says what a figure shows), the width of one or two
journal columns (`COLUMN_WIDTHS`), type of 7 points and thinner lines; ``talk``: type of
15 points, on figures 1.3 times as large, for a projector. Figures size their type
relative to ``font.size`` ("small", "large"), so every text follows the style.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure

#: Journal column widths in inches: one column, two columns (a full page width).
COLUMN_WIDTHS = {1: 3.5, 2: 7.2}
#: Figures at most this wide on screen (inches) take one column in a paper, wider ones two.
ONE_COLUMN_BELOW = 6.0


@dataclass(frozen=True)
class Style:
    """A figure style.

    Attributes:
        name: screen, paper or talk.
        rc: the rcParams it sets while figures are built and saved.
        titles: whether figures keep their embedded titles.
        journal: whether figures are resized to a journal column width (`finish`).
        dpi: resolution of PNGs (dots per inch).
        enlarge: how much larger than on screen a figure is drawn (not in a paper).
        formats: figure formats a command asked for through the style (`use_style`), for
            commands whose results save without a formats argument; () to keep theirs.
    """

    name: str
    rc: dict[str, Any] = field(default_factory=dict)
    titles: bool = True
    journal: bool = False
    dpi: int = 130
    enlarge: float = 1.0
    formats: tuple[str, ...] = ()


STYLES = {
    "screen": Style("screen"),
    "paper": Style(
        "paper",
        {
            "font.size": 7,
            "axes.titlesize": "medium",
            "axes.labelsize": "medium",
            "xtick.labelsize": "small",
            "ytick.labelsize": "small",
            "legend.fontsize": "small",
            "legend.title_fontsize": "small",
            "lines.linewidth": 1.0,
            "axes.linewidth": 0.6,
            "xtick.major.width": 0.6,
            "ytick.major.width": 0.6,
            "lines.markersize": 4,
            "pdf.fonttype": 42,  # TrueType in PDFs, as journals ask
            "svg.fonttype": "none",  # text stays text in SVGs
        },
        titles=False,
        journal=True,
        dpi=300,
    ),
    "talk": Style(
        "talk",
        {
            "font.size": 15,
            "axes.titlesize": "large",
            "axes.labelsize": "medium",
            "xtick.labelsize": "medium",
            "ytick.labelsize": "medium",
            "legend.fontsize": "small",
            "legend.title_fontsize": "medium",
            "lines.linewidth": 2.5,
            "axes.linewidth": 1.2,
        },
        dpi=100,
        enlarge=1.3,
    ),
}

_current: ContextVar[Style] = ContextVar("figure_style", default=STYLES["screen"])


def current() -> Style:
    """The style figures are drawn in now (screen outside `use_style`)."""
    return _current.get()


@contextmanager
def use_style(name: str, formats: tuple[str, ...] = ()) -> Iterator[Style]:
    """Draw and save every figure inside in the style `name` (one of `STYLES`); `formats`,
    when given, are the formats `sim.figures.runs.save_figures` writes."""
    chosen = replace(STYLES[name], formats=formats)
    token = _current.set(chosen)
    try:
        with mpl.rc_context(chosen.rc):  # type: ignore[arg-type]
            yield chosen
    finally:
        _current.reset(token)


def figure_size(width: float, height: float, columns: int | None = None) -> tuple[float, float]:
    """The size of a figure drawn `width` × `height` inches on screen, in the current
    style: in a paper, `columns` journal columns wide (by default one for a figure at
    most `ONE_COLUMN_BELOW` wide, else two), its height scaled alike but kept at least
    half the width; elsewhere as on screen (`finish` enlarges it for a talk)."""
    if not current().journal:
        return width, height
    wide = COLUMN_WIDTHS[columns or (1 if width <= ONE_COLUMN_BELOW else 2)]
    return wide, max(height * wide / width, wide / 2)


def finish(figure: Figure) -> Figure:
    """Make a figure built in any style ready to write, once: in a paper, without its
    titles and at a journal column width (`figure_size`) if it is not one already; for a
    talk, enlarged by `Style.enlarge` (its type keeps its size in points)."""
    style = current()
    if getattr(figure, "finished_as", None) == style.name:
        return figure
    if not style.titles:
        if getattr(figure, "_suptitle", None) is not None:
            figure.suptitle("")
        for ax in figure.axes:
            for loc in ("left", "center", "right"):
                ax.set_title("", loc=loc)
    width, height = (float(x) for x in figure.get_size_inches())
    if style.journal and round(width, 2) not in COLUMN_WIDTHS.values():
        figure.set_size_inches(*figure_size(width, height))
    elif style.enlarge != 1:
        figure.set_size_inches(width * style.enlarge, height * style.enlarge)
    figure.finished_as = style.name  # type: ignore[attr-defined]
    return figure
