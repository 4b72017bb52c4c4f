"""`alignsim animate`: the alignment network and the hedging index over time, for slides.

Each frame shows the network on a date (as `sim.figures.runs.network_figure`) beside every actor's
hedging index up to that date. GIF through Pillow; MP4 only where ffmpeg is installed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from matplotlib import animation
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.core.errors import InputError
from sim.figures import style as figstyle
from sim.figures.runs import RunView, date_axis, draw_network


def frame_dates(view: RunView, every: int) -> list[dt.date]:
    """Every `every`-th recorded date, and the last."""
    dates = list(view.history.dates)
    chosen = dates[::every]
    return chosen if chosen[-1] == dates[-1] else [*chosen, dates[-1]]


def writer_for(out: Path, fps: int) -> animation.AbstractMovieWriter:
    """Pillow for .gif, ffmpeg for .mp4 (with a clear error where ffmpeg is missing)."""
    if out.suffix.lower() == ".gif":
        return animation.PillowWriter(fps=fps)
    if out.suffix.lower() != ".mp4":
        raise InputError(f"--out {out}: unknown format '{out.suffix}'; allowed .gif or .mp4")
    if not animation.writers.is_available("ffmpeg"):
        raise InputError(
            f"--out {out}: MP4 needs ffmpeg, which is not installed (e.g. "
            f"apt-get install ffmpeg); write a .gif instead"
        )
    return animation.FFMpegWriter(fps=fps)


def animate(view: RunView, out: Path, every: int = 4, fps: int = 8) -> int:
    """Write the animation to `out`; return the number of frames."""
    writer = writer_for(out, fps)
    dates = frame_dates(view, every)
    fig = figstyle.finish(
        Figure(figsize=figstyle.figure_size(13, 6, columns=2), layout="constrained")
    )
    FigureCanvasAgg(fig)
    network, hedging = fig.subplots(1, 2, width_ratios=(1.1, 1))
    lines = {}
    for actor in view.actors:
        lines[actor] = hedging.plot(
            [],
            [],
            lw=3 if actor == view.focal else 1.3,
            label=view.names[actor],
            **view.style(actor),
        )[0]
    when = pd.to_datetime(pd.Series(view.history.dates))
    hedging.set_xlim(when.iloc[0], when.iloc[-1])
    hedging.set_ylim(0, 1)
    hedging.set_ylabel("hedging index (balance between patrons, 0..1)")
    hedging.legend(fontsize="small", loc="lower left")
    date_axis(hedging)
    series = {a: view.metrics[view.metrics["actor"] == a] for a in view.actors}
    titled = figstyle.current().titles

    def draw(frame: int) -> None:
        day = dates[frame]
        network.clear()
        draw_network(network, view, day, scale=fig.get_size_inches()[0] / 13)
        network.set_title(f"{view.title}\nalignment network on {day}" if titled else "")
        for actor, rows in series.items():
            shown = rows[rows["date"] <= day]
            lines[actor].set_data(pd.to_datetime(shown["date"]), shown["hedging_index"])
        hedging.set_title(f"hedging index up to {day}" if titled else "")

    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.stem}.partial{out.suffix}")
    animation.FuncAnimation(fig, draw, frames=len(dates)).save(partial, writer=writer)
    partial.replace(out)
    return len(dates)
