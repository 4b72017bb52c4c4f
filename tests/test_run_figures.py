"""The run figures read at a glance: the event timeline's direction, kinds, labels and
sources; gaps for undefined measures; the network's camps and names; the paper and talk
styles on every command that draws; replicate fans."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import click
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from matplotlib.figure import Figure
from PIL import Image

import sim as alignsim
from sim.cli import cli
from sim.experiments.fan import QUANTILES, fan_table
from sim.figures import style as figstyle
from sim.figures import timeline
from sim.figures.runs import (
    YearDateFormatter,
    alignment_figure,
    camp_layout,
    hedging_figure,
    network_figure,
    run_figures,
)
from sim.io.scenario import load_scenario

#: Four actors; seven documented events within three weeks (their numbers must stack),
#: one CHN → PRK, and a what-if.
CROWDED = """\
name: crowded
start: 2024-05-01
end: 2024-12-31
step: week
seed: 3
focal: PRK
actors:
  - {id: PRK, name: North Korea, capability: 0.05, hedging: 0.8}
  - {id: CHN, name: China, capability: 0.5, hedging: 0.2}
  - {id: RUS, name: Russia, capability: 0.3, hedging: 0.2}
  - {id: VNM, name: Vietnam, capability: 0.15, hedging: 0.9}
alignment:
  PRK: {CHN: 0.5, RUS: 0.4, VNM: 0.1}
  CHN: {RUS: 0.6}
events:
"""
DOCUMENTED = [
    ("2024-06-03", "PRK", "RUS", "military_aid"),
    ("2024-06-05", "RUS", "PRK", "sign_agreement"),
    ("2024-06-07", "PRK", "CHN", "economic_aid"),
    ("2024-06-10", "CHN", "PRK", "summit"),
    ("2024-06-12", "PRK", "VNM", "sign_agreement"),
    ("2024-06-14", "VNM", "PRK", "summit"),
    ("2024-06-17", "PRK", "RUS", "summit"),
]


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> alignsim.Run:
    """One run of the crowded scenario."""
    folder = tmp_path_factory.mktemp("crowded")
    rows = [
        f"  - {{id: d{i}, date: {d}, source: {s}, target: {t}, type: {k}, "
        f"doc: 003_8219c31f91de78d7.txt, quote: q}}"
        for i, (d, s, t, k) in enumerate(DOCUMENTED)
    ]
    rows.append(
        "  - {id: w, date: 2024-09-02, source: PRK, target: CHN, type: criticize, "
        "note: hypothetical}"
    )
    (folder / "s.yaml").write_text(CROWDED + "\n".join(rows) + "\n", encoding="utf-8")
    return alignsim.run(folder / "s.yaml")


def overlapping(boxes: list) -> list[tuple[int, int]]:
    """Pairs of boxes (renderer extents) that overlap."""
    return [
        (i, j)
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if boxes[i].overlaps(boxes[j])
    ]


def test_timeline_numbers_never_overlap_and_the_key_names_each_source(
    crowded: alignsim.Run,
) -> None:
    fig = alignment_figure(crowded.view)
    fig.draw_without_rendering()
    top, _, key = fig.axes[:3]
    numbers = [t for t in top.texts if t.get_text().isdigit()]
    assert len(numbers) == 8  # the eight strongest scripted events, all placed
    assert overlapping([t.get_window_extent() for t in numbers]) == []
    assert len({round(t.get_position()[1], 3) for t in numbers}) > 1  # stacked, not spread
    listed = "\n".join(t.get_text() for t in key.texts)
    keyed = {line.split()[0] for line in listed.splitlines()}
    assert keyed == {t.get_text() for t in numbers}  # the key lists what the plot numbers
    assert listed.count("(doc 003)") == 7 and "(what-if)" in listed
    assert "_" not in listed and "sign agreement" in listed and "North Korea → Russia" in listed
    page = fig.bbox
    for text in key.texts:  # the key stays inside the figure
        box = text.get_window_extent()
        assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0, text.get_text()


def test_numbers_without_room_leave_the_key_too(
    crowded: alignsim.Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timeline, "LABEL_ROWS", 1)
    fig = alignment_figure(crowded.view)
    fig.draw_without_rendering()
    numbers = [t for t in fig.axes[0].texts if t.get_text().isdigit()]
    assert 0 < len(numbers) < 8
    assert overlapping([t.get_window_extent() for t in numbers]) == []
    listed = "\n".join(t.get_text() for t in fig.axes[2].texts)
    assert {line.split()[0] for line in listed.splitlines()} == {t.get_text() for t in numbers}


def test_timeline_lane_and_colour_say_who_acted_and_marker_the_kind(
    crowded: alignsim.Run,
) -> None:
    view = crowded.view
    fig = alignment_figure(view)
    lanes = timeline.lanes("PRK", list(view.actors[1:]))
    events = crowded.tables["events"]
    kinds = timeline.event_kinds(events.assign(when=pd.to_datetime(events["date"])))
    assert set(kinds[events["origin"] == "scripted"]) == {"documented", "what-if"}
    found = {}
    for points in fig.axes[1].collections:
        for x, y in points.get_offsets():
            found[(mdates.num2date(x).date(), int(y))] = points.get_edgecolor()[0][:3]
    china_acts = (dt.date(2024, 6, 10), lanes.index(("CHN", "PRK")))
    korea_acts = (dt.date(2024, 6, 7), lanes.index(("PRK", "CHN")))
    assert china_acts in found and korea_acts in found
    rgb = {
        a: tuple(int(view.style(a)["color"][k : k + 2], 16) / 255 for k in (1, 3, 5))
        for a in ("CHN", "PRK")
    }
    assert np.allclose(found[china_acts], rgb["CHN"]) and np.allclose(found[korea_acts], rgb["PRK"])


def test_every_date_axis_names_the_year_of_its_first_tick_and_each_new_year() -> None:
    days = [dt.date(2025, 5, 1), dt.date(2025, 7, 1), dt.date(2026, 1, 1), dt.date(2026, 3, 1)]
    labels = YearDateFormatter().format_ticks(mdates.date2num(days))
    assert labels == ["May 2025", "Jul", "2026", "Mar"]
    assert YearDateFormatter().format_ticks(
        mdates.date2num([dt.date(2024, 11, 1), dt.date(2025, 2, 1)])
    ) == [
        "Nov 2024",
        "Feb 2025",
    ]


def test_an_actor_without_a_positive_tie_is_a_gap_not_zero(
    write: Callable[[str, str], Path],
) -> None:
    path = write(
        "lonely.yaml",
        """\
        name: lonely
        start: 2024-01-01
        end: 2024-06-30
        step: week
        seed: 1
        focal: AAA
        agents_from: 2024-06-30
        parameters: {noise: 0, spinup: 0}
        actors:
          - {id: AAA, capability: 0.1, hedging: 0.5}
          - {id: BBB, capability: 0.5, hedging: 0.5}
          - {id: CCC, capability: 0.4, hedging: 0.5}
        alignment:
          AAA: {BBB: -0.5, CCC: 0.4}
          BBB: {CCC: -0.6}
        """,
    )
    view = alignsim.run(path).view
    lonely = view.metrics[view.metrics["actor"] == "BBB"]
    assert lonely["dependence"].isna().any()
    fig = hedging_figure(view)
    name = view.names["BBB"]
    for ax in fig.axes:
        (line,) = [ln for ln in ax.get_lines() if ln.get_label() == name]
        drawn = np.asarray(line.get_ydata(), dtype=float)
        assert np.isnan(drawn).sum() >= lonely["dependence"].isna().sum()
        assert not np.any(drawn[np.isnan(lonely["dependence"].to_numpy())] == 0)


def test_network_puts_camps_on_either_side_and_names_beside_the_nodes() -> None:
    camps = np.array([1, 1, 1, 1, -1, -1, -1, -1])
    matrix = 0.6 * np.outer(camps, camps)
    np.fill_diagonal(matrix, 0)
    actors = tuple("ABCDEFGH")
    order = (0, 4, 1, 5, 2, 6, 3, 7)  # interleaved, as ids might be
    shuffled = tuple(actors[i] for i in order)
    position = camp_layout(shuffled, matrix[np.ix_(order, order)])
    xs = {a: position[a][0] for a in actors}
    assert all(xs[a] < -0.1 for a in "ABCD") and all(xs[a] > 0.1 for a in "EFGH")

    view = alignsim.run(Path("scenarios/balance.yaml")).view
    fig = network_figure(view)
    fig.draw_without_rendering()
    ax = fig.axes[0]
    nodes = ax.collections[-1]  # drawn after the edges
    centres = ax.transData.transform(nodes.get_offsets())
    radii = np.sqrt(nodes.get_sizes()) / 2 * fig.dpi / 72
    names = [t for t in ax.texts if t.get_text() in view.names.values()]
    assert len(names) == len(view.actors)
    for text in names:
        box = text.get_window_extent()
        nearest_x = np.clip(centres[:, 0], box.x0, box.x1)
        nearest_y = np.clip(centres[:, 1], box.y0, box.y1)
        gap = np.hypot(centres[:, 0] - nearest_x, centres[:, 1] - nearest_y) - radii
        assert gap.min() > 0, f"{text.get_text()} covers a node"


def font_sizes(fig: Figure) -> list[float]:
    """Sizes of every tick label and text of a figure, drawn."""
    fig.draw_without_rendering()
    texts = [
        t for ax in fig.axes for t in (*ax.get_xticklabels(), *ax.get_yticklabels(), *ax.texts)
    ]
    return [t.get_fontsize() for t in texts if t.get_text()]


def test_paper_style_has_no_titles_and_journal_widths_talk_larger_type(
    crowded: alignsim.Run,
) -> None:
    screen = run_figures(crowded.view)
    with figstyle.use_style("paper"):
        paper = {name: figstyle.finish(f) for name, f in run_figures(crowded.view).items()}
    widths = {name: round(float(f.get_size_inches()[0]), 2) for name, f in paper.items()}
    assert widths["alignment_PRK"] == 7.2 and widths["network_2024-12-31"] == 3.5
    assert set(widths.values()) <= {3.5, 7.2}
    for name, fig in paper.items():
        assert all(not ax.get_title() for ax in fig.axes), name
        assert any(ax.get_title() for ax in screen[name].axes), name  # screen keeps them
    with figstyle.use_style("talk"):
        talk = alignment_figure(crowded.view)
    assert min(font_sizes(talk)) > min(font_sizes(screen["alignment_PRK"]))
    assert np.median(font_sizes(talk)) >= 1.4 * np.median(font_sizes(screen["alignment_PRK"]))


def drawing_commands() -> dict[str, click.Command]:
    """Every command that writes figures: those with --format, and animate."""
    found = {}

    def visit(command: click.Command, name: str) -> None:
        if isinstance(command, click.Group):
            for sub, child in command.commands.items():
                visit(child, f"{name} {sub}".strip())
        elif any("--format" in p.opts for p in command.params) or name == "animate":
            found[name] = command

    visit(cli, "")
    return found


def test_every_drawing_command_accepts_style_and_format() -> None:
    commands = drawing_commands()
    assert {"run", "plot", "compare", "sensitivity", "calibrate", "evidence sbc", "animate"} <= set(
        commands
    )
    for name, command in commands.items():
        styles = [p for p in command.params if "--style" in p.opts]
        assert styles and list(styles[0].type.choices) == ["screen", "paper", "talk"], name


def test_run_writes_paper_figures_as_vectors_and_a_fan_over_replicates(
    tiny: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    args = ["run", str(tiny), "--replicates", "30", "--style", "paper", "--format", "png,pdf,svg"]
    result = CliRunner().invoke(cli, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert {
        "fan_PRK.png",
        "fan_PRK.pdf",
        "fan_PRK.svg",
        "alignment_PRK.svg",
        "fan.parquet",
    } <= names
    fan = pd.read_parquet(out / "fan.parquet")
    levels = fan[list(QUANTILES)].to_numpy()
    assert (np.diff(levels, axis=1) >= 0).all() and (fan["replicates"] == 30).all()
    assert (levels[:, 4] - levels[:, 0]).max() > 0  # the seeds differ
    again = fan_table(load_scenario(tiny), 30, 3)  # the scenario's seed, as the run's
    assert np.array_equal(again[list(QUANTILES)].to_numpy(), levels)
    assert Image.open(out / "alignment_PRK.png").size[0] == round(7.2 * 300)
    assert "<text" in (out / "hedging.svg").read_text()  # type stays text in a paper's SVG
