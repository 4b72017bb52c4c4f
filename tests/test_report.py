"""The HTML report renders for a run, a comparison, a sweep and a calibration report, with
every plot embedded."""

from __future__ import annotations

import html
import re
from pathlib import Path

from click.testing import CliRunner

from sim.cli import cli


def images(page: str) -> int:
    return page.count('<img alt="')


def test_run_report_embeds_every_plot_and_the_sources(
    runner: CliRunner, tiny: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    assert runner.invoke(cli, ["run", str(tiny), "--out", str(out)]).exit_code == 0
    result = runner.invoke(cli, ["report", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text()
    assert images(page) == len(list(out.glob("*.png"))) == 4
    assert "data:image/png;base64," in page and 'src="http' not in page
    assert "Scripted events and their sources" in page and "seat_of_honour" in page


def test_comparison_and_sweep_reports(runner: CliRunner, tiny: Path, write, tmp_path: Path) -> None:
    other = write("other.yaml", "extends: tiny.yaml\nname: other\nparameters: {decay: 0.01}\n")
    cmp = tmp_path / "cmp"
    made = runner.invoke(
        cli, ["compare", str(tiny), str(other), "--replicates", "4", "--out", str(cmp)]
    )
    assert made.exit_code == 0, made.output
    assert runner.invoke(cli, ["report", str(cmp)]).exit_code == 0
    assert images((cmp / "report.html").read_text()) == 2
    sweep = tmp_path / "sweep"
    made = runner.invoke(
        cli,
        [
            "sweep",
            str(tiny),
            "--vary",
            "decay=0:0.01:2",
            "--vary",
            "balance=0:0.01:2",
            "--replicates",
            "2",
            "--out",
            str(sweep),
            "--quiet",
        ],
    )
    assert made.exit_code == 0, made.output
    plotted = runner.invoke(cli, ["plot", str(sweep)])
    assert plotted.exit_code == 0, plotted.output
    assert runner.invoke(cli, ["report", str(sweep)]).exit_code == 0
    page = (sweep / "report.html").read_text()
    assert images(page) == 3 and "Mean outcomes per design point" in page
    bad = runner.invoke(cli, ["report", str(tmp_path)])
    assert bad.exit_code == 2 and "not an alignsim output folder" in bad.stderr


def test_calibration_report(runner: CliRunner, tiny: Path, write, tmp_path: Path) -> None:
    targets = write(
        "targets.yaml",
        """\
        targets:
          - {id: rus-rises, claim: Russia rises in June, metric: alignment, comparison: ">",
             lhs: {source: PRK, target: RUS, date: 2024-07-01},
             rhs: {source: PRK, target: RUS, date: 2024-06-03}, doc: d, quote: q}
          - {id: late-hedge, claim: PRK hedges, metric: hedging_index, comparison: ">",
             lhs: {actor: PRK, date: 2024-12-31}, rhs: 0.3, doc: d, quote: q}
        """,
    )
    out = tmp_path / "holdout"
    made = runner.invoke(
        cli,
        [
            *("calibrate", str(tiny), "--targets", str(targets), "--params", "impulse,decay"),
            *("--budget", "120", "--replicates", "1", "--holdout", "2024-09-01"),
            *("--out", str(out), "--quiet", "--method", "optimize"),
        ],
    )
    assert made.exit_code == 0, made.output
    result = runner.invoke(cli, ["report", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text()
    assert images(page) == len(list(out.glob("*.png"))) == 2
    assert "<h1>Calibration of tiny</h1>" in page and "Targets at the best fit" in page
    assert "Holdout forecast: the targets from 2024-09-01 on" in page and "late-hedge" in page
    assert "Projections at 2024-12-31 across the plateau" in page


def figures_of(page: str) -> list[tuple[str, str]]:
    """(file, caption) of each embedded figure, in the page's order."""
    found = re.findall(r"<figcaption>(.*?) <small>\((.*?)\)</small></figcaption>", page)
    return [(name, html.unescape(text)) for text, name in found]


def test_a_report_shows_its_summary_then_this_drawings_figures_with_captions(
    runner: CliRunner, tiny: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    assert runner.invoke(cli, ["run", str(tiny), "--out", str(out)]).exit_code == 0
    assert runner.invoke(cli, ["report", str(out)]).exit_code == 0
    page = (out / "report.html").read_text()
    shown = figures_of(page)
    assert [name for name, _ in shown] == [
        "alignment_PRK.png",
        "hedging.png",
        "network_2024-12-31.png",
        "heatmap_2024-12-31.png",
    ]
    assert shown[0][1].startswith("How PRK stands toward each partner over time")
    assert all(len(text) > 40 for _, text in shown)
    assert page.index("scripted events") < page.index("<figure>") < page.index("Measures at the")
    redrawn = runner.invoke(cli, ["plot", str(out), "--actor", "CHN"])
    assert redrawn.exit_code == 0, redrawn.output
    assert runner.invoke(cli, ["report", str(out)]).exit_code == 0
    names = [name for name, _ in figures_of((out / "report.html").read_text())]
    assert (out / "alignment_PRK.png").is_file()  # the earlier drawing's, left out
    assert names[0] == "alignment_CHN.png" and "alignment_PRK.png" not in names


def test_a_run_drawn_in_svg_gets_a_report_with_its_svg_figures(
    runner: CliRunner, tiny: Path, tmp_path: Path
) -> None:
    out = tmp_path / "svg"
    made = runner.invoke(cli, ["run", str(tiny), "--out", str(out), "--format", "svg"])
    assert made.exit_code == 0, made.output
    assert runner.invoke(cli, ["report", str(out)]).exit_code == 0
    page = (out / "report.html").read_text()
    assert page.count("data:image/svg+xml;base64,") == 4 and "data:image/png" not in page
    assert next(n for n, _ in figures_of(page)) == "alignment_PRK.svg"


def test_a_sensitivity_report_has_its_figure_and_caption(
    runner: CliRunner, tiny: Path, tmp_path: Path
) -> None:
    out = tmp_path / "sens"
    made = runner.invoke(
        cli,
        [
            *("sensitivity", str(tiny), "--method", "morris", "--samples", "2"),
            *("--params", "decay,impulse", "--replicates", "1", "--out", str(out), "--quiet"),
        ],
    )
    assert made.exit_code == 0, made.output
    assert runner.invoke(cli, ["report", str(out)]).exit_code == 0
    shown = figures_of((out / "report.html").read_text())
    assert [n for n, _ in shown] == ["indices.png"] and "Morris" in shown[0][1]


def test_a_posterior_folder_gets_a_report(
    runner: CliRunner, tiny: Path, write, tmp_path: Path
) -> None:
    targets = write(
        "targets.yaml",
        """\
        targets:
          - {id: late-hedge, claim: PRK hedges, metric: hedging_index, comparison: ">",
             lhs: {actor: PRK, date: 2024-12-31}, rhs: 0.3, doc: d, quote: q}
        """,
    )
    out = tmp_path / "posterior"
    made = runner.invoke(
        cli,
        [
            *("calibrate", str(tiny), "--targets", str(targets), "--params", "impulse,decay"),
            *("--draws", "200", "--ess", "10", "--out", str(out), "--quiet"),
        ],
    )
    assert made.exit_code == 0, made.output
    result = runner.invoke(cli, ["report", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text()
    assert "<h1>Posterior of tiny</h1>" in page
    assert [n for n, _ in figures_of(page)] == ["posterior.png", "predictive.png"]
