"""The teaching page's pictures, written as SVG text: cheap enough to redraw every step.

A matplotlib figure of the page took 180–210 ms to draw and encode here (one reused figure
whose lines only change, 33–46 ms; blitting onto a cached background, 7.5 ms, but not for
a network whose every tie changes), and the page draws three each step; the same pictures
written as SVG take about a millisecond each, the browser draws them natively, and they
scale with the page, so the projector mode only enlarges their type. No SVG-writing
library is installed with the project, and the pictures need only lines, circles, paths
and text, so they are written here (`Panel` for the time series, `network` for the
network). Colours are Okabe–Ito's (`sim.figures.runs`), as in the run's figures.

Every picture is an ``<svg>`` with ``data-view`` (its name) and ``data-step`` (the model
step it shows), so the page's tests and its benchmark can tell each drawing apart.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.figures.runs import NEGATIVE, OKABE_ITO, POSITIVE

FONT = "font-family='Roboto, Helvetica, Arial, sans-serif'"


def text(x: float, y: float, words: str, size: float, **attributes: str) -> str:
    """An SVG text element (its words escaped; attribute names with _ as -)."""
    extra = "".join(f" {k.replace('_', '-')}='{v}'" for k, v in attributes.items())
    return (
        f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size:.1f}'{extra}>{html.escape(words)}</text>"
    )


def svg(
    view: str, step: int | None, width: float, height: float, title: str, body: list[str]
) -> str:
    """A whole picture (or a layer of one, untitled), scaled to its container's width."""
    named = (
        f"role='img' aria-label='{html.escape(title, quote=True)}'"
        if title
        else "aria-hidden='true'"
    )
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' data-view='{view}'"
        + ("" if step is None else f" data-step='{step}'")
        + f" viewBox='0 0 {width:.0f} {height:.0f}' width='100%' {named} {FONT} "
        f"style='display:block'>"
        + (f"<title>{html.escape(title)}</title>" if title else "")
        + f"{''.join(body)}</svg>"
    )


def days_of(dates: np.ndarray) -> np.ndarray:
    """Calendar dates as day numbers."""
    return np.asarray(dates, dtype="datetime64[D]").astype(np.int64).astype(float)


@dataclass(frozen=True)
class Panel:
    """A time-series panel: dates across, a value up.

    Attributes:
        width, height: the picture's size (SVG units, about pixels at normal type).
        start, end: the time axis's first and last day numbers.
        low, high: the value axis's range.
        title: the panel's title, wrapped to its width.
        font: the type size; the margins grow with it.
    """

    width: float
    height: float
    start: float
    end: float
    low: float
    high: float
    title: str
    font: float = 14.0

    @property
    def title_lines(self) -> list[str]:
        """The title, in lines that fit the panel's width."""
        return wrap(self.title, 1.1 * self.font, self.width - 0.6 * self.font)

    @property
    def left(self) -> float:
        return 4.4 * self.font

    @property
    def right(self) -> float:
        return self.width - 1.2 * self.font

    @property
    def top(self) -> float:
        return (0.9 + 1.3 * len(self.title_lines)) * self.font

    @property
    def bottom(self) -> float:
        return self.height - 3.0 * self.font

    def x(self, day: np.ndarray) -> np.ndarray:
        """Horizontal positions of day numbers."""
        return self.left + (day - self.start) / (self.end - self.start) * (self.right - self.left)

    def y(self, value: np.ndarray) -> np.ndarray:
        """Vertical positions of values."""
        share = (value - self.low) / (self.high - self.low)
        return self.bottom - share * (self.bottom - self.top)

    def frame(self, ylabel: str, ticks: Sequence[float]) -> list[str]:
        """Title, axes, value ticks with grid lines, a year tick each 1 January (drawn
        once: the lines are a layer of their own over it)."""
        f, parts = self.font, []
        for k, line in enumerate(self.title_lines):
            parts.append(text(0.3 * f, (1.3 + 1.3 * k) * f, line, 1.1 * f, font_weight="bold"))
        for value in ticks:
            y = float(self.y(np.array(value)))
            parts.append(
                f"<line x1='{self.left:.1f}' x2='{self.right:.1f}' y1='{y:.1f}' y2='{y:.1f}' "
                f"stroke='{'#999' if value == 0 else '#e4e4e4'}' stroke-width='1'/>"
            )
            parts.append(
                text(self.left - 0.4 * f, y + 0.35 * f, f"{value:g}", 0.9 * f, text_anchor="end")
            )
        for year, day in years_between(self.start, self.end):
            x = float(self.x(np.array(day)))
            parts.append(
                f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{self.bottom:.1f}' "
                f"y2='{self.bottom + 0.4 * f:.1f}' stroke='#333'/>"
            )
            parts.append(text(x, self.bottom + 1.4 * f, str(year), 0.9 * f, text_anchor="middle"))
        parts.append(
            f"<rect x='{self.left:.1f}' y='{self.top:.1f}' width='{self.right - self.left:.1f}' "
            f"height='{self.bottom - self.top:.1f}' fill='none' stroke='#333'/>"
        )
        middle = (self.left + self.right) / 2
        parts.append(text(middle, self.height - 0.4 * f, "date", 0.9 * f, text_anchor="middle"))
        centre = (self.top + self.bottom) / 2
        parts.append(
            text(
                1.0 * f,
                centre,
                ylabel,
                0.9 * f,
                text_anchor="middle",
                transform=f"rotate(-90 {1.0 * f:.1f} {centre:.1f})",
            )
        )
        return parts

    def line(self, days: np.ndarray, values: np.ndarray, colour: str, width: float) -> str:
        """A series as one path, broken where a value is missing (NaN is a gap, never 0)."""
        xs, ys = self.x(days), self.y(np.clip(values, self.low, self.high))
        runs: list[list[str]] = []
        current: list[str] = []
        for x, y, v in zip(xs, ys, values, strict=True):
            if math.isnan(v):
                runs.append(current)
                current = []
            else:
                current.append(f"{x:.1f},{y:.1f}")
        runs.append(current)
        drawn = " ".join("M" + " L".join(r) for r in runs if r)
        if not drawn:
            return ""
        return (
            f"<path d='{drawn}' fill='none' stroke='{colour}' stroke-width='{width:.1f}' "
            f"stroke-linejoin='round'/>"
        )

    def legend(self, items: Sequence[tuple[str, str]]) -> list[str]:
        """Names and colours in a row under the title, from the left."""
        f, x, parts = self.font, self.left + 0.5 * self.font, []
        y = self.top + 1.2 * f
        for name, colour in items:
            parts.append(
                f"<line x1='{x:.1f}' x2='{x + 1.6 * f:.1f}' y1='{y - 0.3 * f:.1f}' "
                f"y2='{y - 0.3 * f:.1f}' stroke='{colour}' stroke-width='3'/>"
            )
            parts.append(text(x + 2.0 * f, y, name, 0.9 * f))
            x += 2.8 * f + 0.55 * f * len(name)
        return parts


def wrap(words: str, size: float, width: float) -> list[str]:
    """Words in lines of at most `width` (a character taken as 0.56 of the type size)."""
    most = max(8, int(width / (0.56 * size)))
    lines: list[str] = []
    for word in words.split():
        if lines and len(lines[-1]) + 1 + len(word) <= most:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def years_between(start: float, end: float) -> list[tuple[int, float]]:
    """(year, day number) of each 1 January from day `start` to day `end`."""
    first = dt.date(1970, 1, 1) + dt.timedelta(days=int(start))
    last = dt.date(1970, 1, 1) + dt.timedelta(days=int(end))
    found = []
    for year in range(first.year, last.year + 1):
        day = (dt.date(year, 1, 1) - dt.date(1970, 1, 1)).days
        if start <= day <= end:
            found.append((year, float(day)))
    return found


def colour_of(index: int) -> str:
    """An actor's colour, by its place in the scenario (as in the run's figures)."""
    return OKABE_ITO[index % len(OKABE_ITO)]


@dataclass(frozen=True)
class Ring:
    """The network's layout: a node per actor on a circle, sized by capability, its name
    beside it on the outer side; drawn in two layers, the frame (nodes, names, legend:
    drawn once) over the ties (redrawn each step).

    Attributes:
        names: the actors' names; capability: their capabilities.
        font: the type size.
    """

    names: tuple[str, ...]
    capability: tuple[float, ...]
    font: float = 14.0

    @property
    def size(self) -> tuple[float, float]:
        return network_size(self.font)

    @property
    def radius(self) -> list[float]:
        f = self.font
        return [0.5 * f + 2.0 * f * math.sqrt(max(c, 0.0)) for c in self.capability]

    @property
    def words(self) -> list[list[str]]:
        """Each name, a word a line."""
        return [name.split() or [name] for name in self.names]

    @property
    def centre(self) -> tuple[float, float]:
        width, height = self.size
        return width / 2, 2.4 * self.font + (height - 4.4 * self.font) / 2

    @property
    def where(self) -> list[tuple[float, float]]:
        """Each node's centre."""
        (width, height), f, n = self.size, self.font, len(self.names)
        label = max(0.6 * f * len(word) for words in self.words for word in words)
        ring = min(
            width / 2 - max(self.radius) - 0.4 * f - label - 4,
            (height - 4.4 * f) / 2 - max(self.radius) - 4,
        )
        cx, cy = self.centre
        return [
            (cx + ring * math.cos(2 * math.pi * i / n), cy - ring * math.sin(2 * math.pi * i / n))
            for i in range(n)
        ]

    def frame(self) -> str:
        """The nodes, their names and the legend (transparent between them)."""
        f, (width, height), radius = self.font, self.size, self.radius
        body = []
        for i, (x, y) in enumerate(self.where):
            body.append(
                f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{radius[i]:.1f}' fill='white' "
                f"stroke='{colour_of(i)}' stroke-width='{0.25 * f:.1f}'/>"
            )
            body.append(node_label(x, y, x >= self.centre[0] - 1, radius[i], self.words[i], f))
        legend_y = height - 0.6 * f
        for k, (words, colour) in enumerate(
            (("positive (width = strength)", POSITIVE), ("negative", NEGATIVE))
        ):
            x = f * 0.3 + k * 15 * f
            body.append(
                f"<line x1='{x:.1f}' x2='{x + 1.6 * f:.1f}' y1='{legend_y - 0.3 * f:.1f}' "
                f"y2='{legend_y - 0.3 * f:.1f}' stroke='{colour}' stroke-width='3'/>"
            )
            body.append(text(x + 2.0 * f, legend_y, words, 0.9 * f))
        return svg("network-frame", None, width, height, "", body)

    def ties(self, step: int, matrix: np.ndarray, title: str, floor: float = 0.05) -> str:
        """The title and a curved arrow from each actor toward each partner, blue for
        positive, vermilion for negative, its width the alignment's size; ties weaker
        than `floor` left out."""
        f, (width, height), where, radius = self.font, self.size, self.where, self.radius
        body = [arrowheads(), text(f * 0.3, 1.3 * f, title, 1.1 * f, font_weight="bold")]
        n = len(self.names)
        for i in range(n):
            for j in range(n):
                value = float(matrix[i, j])
                if i != j and abs(value) >= floor:
                    body.append(tie(where[i], where[j], radius[i], radius[j], value, f))
        return svg("network", step, width, height, title, body)


def network_size(font: float) -> tuple[float, float]:
    """The network picture's size (SVG units): wider with larger type, so that the names
    beside the nodes leave the circle room."""
    return 440.0 + 20 * (font - 14), 400.0 + 8 * (font - 14)


def arrowheads() -> str:
    """The arrowheads of positive and negative ties."""
    return (
        "<defs>"
        + "".join(
            f"<marker id='head-{k}' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='4' "
            f"markerHeight='4' orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' "
            f"fill='{colour}'/></marker>"
            for k, colour in (("pos", POSITIVE), ("neg", NEGATIVE))
        )
        + "</defs>"
    )


def tie(
    a: tuple[float, float], b: tuple[float, float], ra: float, rb: float, value: float, font: float
) -> str:
    """A curved arrow from node a to node b (bending to its left, so a→b and b→a part)."""
    (x1, y1), (x2, y2) = a, b
    length = math.hypot(x2 - x1, y2 - y1)
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    nx, ny = uy, -ux
    bend = 0.12 * length
    start = (x1 + ux * ra + nx * ra * 0.25, y1 + uy * ra + ny * ra * 0.25)
    end = (x2 - ux * (rb + 2) + nx * rb * 0.25, y2 - uy * (rb + 2) + ny * rb * 0.25)
    control = ((x1 + x2) / 2 + nx * bend, (y1 + y2) / 2 + ny * bend)
    colour, head = (POSITIVE, "pos") if value > 0 else (NEGATIVE, "neg")
    stroke = 0.08 * font + 0.4 * font * abs(value)
    return (
        f"<path d='M{start[0]:.1f},{start[1]:.1f} Q{control[0]:.1f},{control[1]:.1f} "
        f"{end[0]:.1f},{end[1]:.1f}' fill='none' stroke='{colour}' stroke-opacity='0.85' "
        f"stroke-width='{stroke:.1f}' marker-end='url(#head-{head})'/>"
    )


def node_label(x: float, y: float, right: bool, r: float, words: list[str], font: float) -> str:
    """An actor's name beside its node, on the circle's outer side (right of a node on the
    right half, left of one on the left), a word a line: it covers no arrowhead."""
    anchor, lx = ("start", x + r + 0.4 * font) if right else ("end", x - r - 0.4 * font)
    first = y + 0.35 * font - 0.55 * font * (len(words) - 1)
    spans = "".join(
        f"<tspan x='{lx:.1f}' y='{first + 1.1 * font * k:.1f}'>{html.escape(w)}</tspan>"
        for k, w in enumerate(words)
    )
    return f"<text font-size='{font:.1f}' font-weight='bold' text-anchor='{anchor}'>{spans}</text>"
