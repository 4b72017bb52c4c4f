"""The figures of sweeps, comparisons and calibrations read at a glance (issue 16): a heat
map's colour scale never narrower than the noise, the base drawn over every what-if in
distinct colours, targets titled by their claims with a change over time as one series."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex

from sim.figures.calibration import targets_figure
from sim.figures.comparison import bands_figure
from sim.figures.sweeps import SMALLEST_SPAN, envelope_figure, envelope_points, heatmap_figure

PLAN = {
    "scenario": "scenarios/x.yaml",
    "name": "Two patrons",
    "focal": "SML",
    "actor_names": {"SML": "Small State", "EST": "East"},
    "sampler": "grid",
    "replicates": 5,
    "vary": [{"name": "decay"}, {"name": "spillover"}],
    "design": [{"decay": d, "spillover": s} for d in (0.002, 0.004) for s in (0.0, 0.1)],
}


def flat_results() -> pd.DataFrame:
    """Results whose cell means differ by about 0.001 only: noise, not structure."""
    rng = np.random.default_rng(0)
    rows = [
        {**point, "point": i, "final_hedging_index": 0.747 + rng.normal(0, 0.0005)}
        for i, point in enumerate(PLAN["design"])
        for _ in range(PLAN["replicates"])
    ]
    return pd.DataFrame(rows)


def test_a_flat_heat_map_is_not_stretched_over_its_noise() -> None:
    fig = heatmap_figure(PLAN, flat_results(), "final_hedging_index")
    mesh = fig.axes[0].collections[0]
    low, high = mesh.norm.vmin, mesh.norm.vmax
    means = mesh.get_array()
    assert high - low >= SMALLEST_SPAN * 1.0 > 50 * (means.max() - means.min())
    assert low <= means.min() and means.max() <= high
    bar = fig.axes[1].get_ylabel()
    assert (
        f"colour scale {low:.3g} to {high:.3g}, widened to 0.1 (10% of the outcome's range)" in bar
    )
    title = fig.axes[0].get_title()
    assert "Two patrons" in title and "Small State" in title and "final_" not in title


def test_envelopes_show_the_chosen_design_points_and_say_which() -> None:
    envelopes = pd.DataFrame(
        [
            {"point": p, "variable": "hedging_index", "date": d, "q05": 0.1, "q50": 0.5, "q95": 0.9}
            for p in range(4)
            for d in ("2024-01-01", "2024-02-01")
        ]
    )
    fig = envelope_figure(PLAN, envelopes, "hedging_index", envelope_points(PLAN, (3, 1)))
    shown = [ax for ax in fig.axes if ax.axison]
    assert [ax.get_title().split(":")[0] for ax in shown] == ["point 3", "point 1"]
    assert "design points 3, 1 of 0 to 3" in fig.get_suptitle()
    assert envelope_points(PLAN, ()) == [0, 1, 2, 3]  # --points all
    assert (
        "all 4 design points"
        in envelope_figure(PLAN, envelopes, "hedging_index", [0, 1, 2, 3]).get_suptitle()
    )


def test_the_base_is_drawn_over_every_whatif_in_distinct_colours() -> None:
    dates = pd.date_range("2024-01-01", periods=5, freq="MS").strftime("%Y-%m-%d")
    names = ["Base", "What if A", "What if B", "What if C"]
    bands = pd.DataFrame(
        [
            {"scenario": n, "date": d, "q05": -0.5, "q50": 0.0, "q95": 0.5}
            for n in names
            for d in dates
        ]
    )
    fig = bands_figure(bands, "alignment", [["2024-03-01"], [], []], "Base")
    colours = []
    for ax, whatif in zip(fig.axes[:3], names[1:], strict=True):
        lines = {line.get_label(): line for line in ax.get_lines()}
        base, other = lines["Base (median, 5–95% band)"], lines[f"{whatif} (median, 5–95% band)"]
        drawn = [a for a in [*ax.lines, *ax.collections] if a is not base]
        assert base.get_zorder() > max(a.get_zorder() for a in drawn)
        assert to_hex(base.get_color()) == "#000000" and to_hex(other.get_color()) != "#000000"
        assert all(band.get_alpha() < 0.5 for band in ax.collections)
        colours.append((to_hex(other.get_color()), other.get_linestyle()))
    assert len(set(colours)) == 3 and len({c for c, _ in colours}) == 3
    assert not {"#e69f00", "#d55e00"} <= {c for c, _ in colours}  # orange and vermilion
    assert len({s for _, s in colours}) == 3


def test_targets_are_titled_by_their_claims_and_a_rise_is_one_series() -> None:
    targets = pd.DataFrame(
        [
            {"id": "rus-rises", "claim": "Russia rises after the treaty", "metric": "alignment",
             "comparison": ">", "satisfied_share": 1.0},
            {"id": "chn-over-rus", "claim": "China above Russia", "metric": "alignment",
             "comparison": ">", "satisfied_share": 0.25},
        ]
    )  # fmt: skip
    dates = pd.date_range("2024-01-01", periods=30, freq="W").strftime("%Y-%m-%d")
    rows = []
    for target, side, actors, day in (
        ("rus-rises", "lhs", "PRK→RUS", "2024-06-30"),
        ("rus-rises", "rhs", "PRK→RUS", "2024-03-03"),
        ("chn-over-rus", "lhs", "PRK→CHN", "2024-05-05"),
        ("chn-over-rus", "rhs", "PRK→RUS", "2024-05-05"),
    ):
        rows += [
            {"target": target, "side": side, "actors": actors, "claim_date": day, "date": d,
             "q05": i / 40, "q50": i / 30, "q95": i / 20}
            for i, d in enumerate(dates)
        ]  # fmt: skip
    one = pd.DataFrame(rows)
    copies = ("", "-2", "-3")  # six panels: two rows of three
    series = pd.concat([one.assign(target=one["target"] + c) for c in copies])
    every = pd.concat([targets.assign(id=targets["id"] + c) for c in copies])
    fig = targets_figure(every, series, "t")
    FigureCanvasAgg(fig).draw()
    rise, other = fig.axes[:2]
    assert rise.get_title().startswith("Russia rises after the treaty")
    assert "read: rises" in rise.get_title() and "rus-rises" not in rise.get_title()
    assert other.get_title().startswith("China above Russia")
    lines = [line for line in rise.get_lines() if len(line.get_xdata()) == len(dates)]
    assert len(lines) == 1  # one series, read before and after
    legend = [t.get_text() for t in rise.get_legend().get_texts()]
    assert "before: 2024-03-03" in legend and "after: 2024-06-30" in legend
    for ax in fig.axes[:6]:  # years under every panel, not only the bottom row's
        assert any(t.get_visible() and t.get_text() for t in ax.get_xticklabels())
