"""The HTML report renders for a run, a comparison, a sweep and a calibration report, with
every plot embedded."""

from __future__ import annotations

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
