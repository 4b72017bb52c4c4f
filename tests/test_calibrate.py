"""Calibration: parameter recovery on quantitative synthetic targets, determinism, errors;
the report's tables and figures, redrawn from its folder."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from sim.cli import cli
from sim.core.params import defaults
from sim.engine.model import run_model
from sim.experiments.calibrate import calibrate
from sim.experiments.calibration import calibration
from sim.experiments.targets import load_targets
from sim.io.files import read_table, write_table
from sim.io.scenario import load_scenario

TRUE = {"impulse": 0.7, "decay": 0.008}
PAIRS = [(0, 1), (0, 2), (2, 0), (0, 3)]
DATES = ["2024-03-01", "2024-06-24", "2024-08-01", "2024-10-14", "2024-12-31"]
REPORT_TABLES = ("targets", "plateau", "projections", "series")

# One target per metric, sides of both kinds (a point, a number), few panels to draw.
MIXED = """\
targets:
  - {id: rus-rises, claim: c, metric: alignment, comparison: ">", doc: d, quote: q,
     lhs: {source: PRK, target: RUS, date: 2024-07-01},
     rhs: {source: PRK, target: RUS, date: 2024-06-03}}
  - {id: chn-share, claim: c, metric: share, comparison: ">", doc: d, quote: q,
     lhs: {actor: PRK, partner: CHN, date: 2024-03-01},
     rhs: {actor: PRK, partner: VNM, date: 2024-03-01}}
  - {id: vnm-honoured, claim: c, metric: protocol_rank, comparison: "<", doc: d, quote: q,
     lhs: {source: PRK, target: VNM, date: 2024-10-14}, rhs: 1.5}
  - {id: hedges, claim: c, metric: hedging_index, comparison: ">", doc: d, quote: q,
     lhs: {actor: PRK, date: 2024-12-31}, rhs: 0.3}
  - {id: depends, claim: c, metric: dependence, comparison: "<", doc: d, quote: q,
     lhs: {actor: PRK, date: 2024-12-31}, rhs: 0.9}
"""


def synthetic(tiny: Path, write: Callable[[str, str], Path], tolerance: float) -> Path:
    """Targets bracketing the alignments a run with known parameters produces."""
    deterministic = tiny.read_text() + "parameters: {noise: 0, activity: 0}\n"
    tiny.write_text(deterministic)
    scenario = load_scenario(tiny)
    truth = run_model(scenario, parameters=TRUE).alignment
    ids, targets = scenario.actor_ids, []
    for date in DATES:
        k = int(np.searchsorted(scenario.dates, np.datetime64(date), side="left"))
        for s, t in PAIRS:
            value = float(truth[k, s, t])
            for comparison, bound in ((">", value - tolerance), ("<", value + tolerance)):
                targets.append(
                    {
                        "id": f"{ids[s]}-{ids[t]}-{date}-{'lo' if comparison == '>' else 'hi'}",
                        "claim": "synthetic",
                        "metric": "alignment",
                        "comparison": comparison,
                        "lhs": {"source": ids[s], "target": ids[t], "date": date},
                        "rhs": bound,
                        "doc": "synthetic",
                        "quote": "made by the model",
                    }
                )
    return write("targets.yaml", yaml.safe_dump({"targets": targets}))


def calibrate_cli(runner: CliRunner, scenario: Path, targets: Path, *args: str):
    """`alignsim calibrate SCENARIO --targets TARGETS --quiet ARGS...` through the real CLI."""
    return runner.invoke(
        cli,
        [
            "calibrate",
            str(scenario),
            "--targets",
            str(targets),
            "--quiet",
            "--method",
            "optimize",
            *args,
        ],
    )


def test_parameters_are_recovered_from_quantitative_targets(tiny: Path, write) -> None:
    """Known impulse and decay come back within 10% of their ranges from 40 targets."""
    targets_path = synthetic(tiny, write, tolerance=0.002)
    scenario = load_scenario(tiny)
    targets = load_targets(targets_path, scenario.actor_ids, scenario.start, scenario.end)
    fit = calibrate(scenario, targets, ["impulse", "decay"], budget=12 * 40, replicates=1, seed=4)
    assert fit.best["impulse"] == pytest.approx(TRUE["impulse"], abs=0.145)  # 10% of 1.45
    assert fit.best["decay"] == pytest.approx(TRUE["decay"], abs=0.002)  # 10% of 0.02
    assert fit.loss < 0.002
    assert fit.runs == len(fit.losses) and fit.runs <= 12 * 40


def test_calibration_is_deterministic_for_a_seed(tiny: Path, write) -> None:
    targets_path = synthetic(tiny, write, tolerance=0.01)
    scenario = load_scenario(tiny).with_parameters({"noise": 0.004})
    targets = load_targets(targets_path, scenario.actor_ids, scenario.start, scenario.end)
    a, b = (calibrate(scenario, targets, ["impulse", "decay"], 12 * 6, 3, seed=9) for _ in range(2))
    assert a.best == b.best
    np.testing.assert_array_equal(a.losses, b.losses)


def test_calibrate_command_writes_fitted_and_report(
    runner: CliRunner, tiny: Path, write, tmp_path: Path
) -> None:
    targets_path = synthetic(tiny, write, tolerance=0.01)
    tiny.write_text(tiny.read_text() + "parameters_from: fitted.yaml\n")
    fitted = tmp_path / "fitted.yaml"
    previous = "parameters: {decay: 0.001, jealousy: 0.3}\n"  # jealousy is not refitted
    fitted.write_text(previous)
    out = tmp_path / "report"
    result = calibrate_cli(
        runner,
        tiny,
        targets_path,
        "--params",
        "impulse,decay",
        "--budget",
        "240",
        "--replicates",
        "2",
        "--out",
        str(out),
        "--fitted",
        str(fitted),
    )
    assert result.exit_code == 0, result.output
    content = yaml.safe_load(fitted.read_text())
    assert set(content["parameters"]) == {"impulse", "decay"}
    assert content["runs"] <= 240 and len(content["satisfaction"]) == 40
    assert (tmp_path / "fitted.previous.yaml").read_text() == previous
    # the recorded hash is that of the scenario as it loads with the fit it records
    reloaded = load_scenario(tiny)
    assert reloaded.parameters["jealousy"] == defaults()["jealousy"]
    assert content["scenario_hash"] == reloaded.hash
    tables = {f"{n}.{kind}" for n in REPORT_TABLES for kind in ("parquet", "csv")}
    assert {p.name for p in out.iterdir()} == tables | {
        "targets.png",
        "parameters.png",
        "figures.json",
        "manifest.json",
        "datapackage.json",
    }
    lines = result.output.splitlines()
    assert (
        lines[0].startswith("fit: loss ")
        and "of the 40 counted targets hold in most replicates" in lines[0]
    )
    assert lines[1].startswith("best: impulse=") and lines[2].startswith("plateau: ")
    assert lines[-2:] == [
        f"wrote {fitted} (previous kept as fitted.previous.yaml)",
        f"report: {out}/",
    ]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (("metric: alignment", "metric: mood"), "Input should be 'alignment'"),
        (("source: PRK", "source: KOR"), "unknown actor 'KOR'"),
        (("date: '2024-03-01'", "date: '2030-03-01'"), "is outside the scenario"),
        (("quote: made by the model", "quote: ''"), "String should have at least 1 character"),
    ],
)
def test_bad_targets_are_refused(
    runner: CliRunner, tiny: Path, write, tmp_path: Path, change: tuple[str, str], fragment: str
) -> None:
    targets_path = synthetic(tiny, write, tolerance=0.01)
    targets_path.write_text(targets_path.read_text().replace(*change, 1))
    fitted = tmp_path / "fitted.yaml"
    result = calibrate_cli(
        runner,
        tiny,
        targets_path,
        "--budget",
        "500",
        "--fitted",
        str(fitted),
        "--out",
        str(tmp_path / "out"),
    )
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1 and fragment in lines[0], result.stderr
    assert "targets.yaml line" in lines[0]
    assert not fitted.exists() and not (tmp_path / "out").exists()


def test_too_small_a_budget_is_refused(
    runner: CliRunner, tiny: Path, write, tmp_path: Path
) -> None:
    targets_path = synthetic(tiny, write, tolerance=0.01)
    result = calibrate_cli(
        runner,
        tiny,
        targets_path,
        "--budget",
        "10",
        "--out",
        str(tmp_path / "o"),
        "--fitted",
        str(tmp_path / "fitted.yaml"),
    )
    assert result.exit_code == 2 and "--budget 10: too small" in result.stderr


def test_holdout_fits_early_targets_and_forecasts_the_rest(
    runner: CliRunner, tiny: Path, write, tmp_path: Path
) -> None:
    targets_path = synthetic(tiny, write, tolerance=0.01)
    fitted = tmp_path / "fitted.yaml"
    out = tmp_path / "holdout"
    result = calibrate_cli(
        runner,
        tiny,
        targets_path,
        "--params",
        "impulse,decay",
        "--budget",
        "240",
        "--holdout",
        "2024-07-01",
        "--fitted",
        str(fitted),
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert (
        "holdout forecast:" in result.output
        and "of the 24 counted later targets hold" in result.output
    )
    assert "16 counted targets" in result.output.splitlines()[0]  # the 2 early dates x 4 pairs x 2
    forecast = (out / "forecast.csv").read_text().splitlines()
    assert len(forecast) == 25 and not fitted.exists()


def test_a_holdouts_fit_is_not_written(runner: CliRunner, tiny: Path, write) -> None:
    """The holdout fits the events and targets before the cutoff and forecasts the others;
    its fit saw only part of the events, so it is no calibration to record."""
    scenario = load_scenario(tiny)
    path = write("mixed.yaml", MIXED)
    targets = load_targets(path, scenario.actor_ids, scenario.start, scenario.end)
    cutoff = dt.date(2024, 9, 1)
    result = calibration(
        scenario, targets, ["impulse", "decay"], 120, 1, 2, holdout=cutoff, progress=False
    )
    assert [t.spec.id for t in result.targets] == ["rus-rises", "chn-share"]
    assert result.forecast is not None
    assert result.forecast.table["id"].tolist() == ["vnm-honoured", "hedges", "depends"]
    assert [e.id for e in result.scenario.events] == ["e1"]  # e2 is on 2024-10-09
    with pytest.raises(ValueError, match="holdout"):
        result.write_fitted(tiny.parent / "fitted.yaml", {})
    assert not (tiny.parent / "fitted.yaml").exists()


def test_a_calibrations_tables_are_what_its_folder_holds(tiny: Path, write, tmp_path) -> None:
    scenario = load_scenario(tiny)
    path = write("mixed.yaml", MIXED)
    targets = load_targets(path, scenario.actor_ids, scenario.start, scenario.end)
    result = calibration(scenario, targets, ["impulse", "decay"], 120, 1, 5, progress=False)
    folder = result.save(tmp_path / "report")
    for name, table in result.tables.items():
        pd.testing.assert_frame_equal(read_table(folder, name), table)
    assert read_table(folder, "projections").attrs == {"after": "2024-12-31"}
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest == result.manifest and manifest["best"] == result.fit.best
    # each side's series at the date its claim reads is the value the targets table holds
    series = result.series_table
    for row in result.targets_table.itertuples():
        for side, mean in (("lhs", row.lhs_mean), ("rhs", row.rhs_mean)):
            part = series[(series["target"] == row.id) & (series["side"] == side)]
            day = part["claim_date"].iloc[0] or dt.date(2024, 1, 1)  # a number: any date
            at = part[part["date"] >= day].iloc[0]
            assert at["q05"] == at["q50"] == at["q95"] == pytest.approx(mean, rel=1e-12)
    assert series.groupby(["target", "side"]).size().eq(len(scenario.dates)).all()


def test_plot_redraws_a_calibration_report_from_its_tables(
    runner: CliRunner, tiny: Path, write, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    made = calibrate_cli(
        runner,
        tiny,
        write("mixed.yaml", MIXED),
        "--params",
        "impulse,decay",
        "--budget",
        "120",
        "--replicates",
        "1",
        "--out",
        str(out),
        "--fitted",
        str(tmp_path / "fitted.yaml"),
    )
    assert made.exit_code == 0, made.output
    drawn = {p.name: p.read_bytes() for p in out.glob("*.png")}
    assert set(drawn) == {"targets.png", "parameters.png"}

    def redraw() -> dict[str, bytes]:
        result = runner.invoke(cli, ["plot", str(out)])
        assert result.exit_code == 0, result.output
        assert sorted(result.output.split()) == sorted(str(out / name) for name in drawn)
        return {name: (out / name).read_bytes() for name in drawn}

    assert redraw() == drawn  # the same tables give the same bytes
    series = read_table(out, "series")
    write_table(series.assign(q50=series["q50"] + 0.1), out, "series")
    assert redraw()["targets.png"] != drawn["targets.png"]
    plateau = read_table(out, "plateau")
    write_table(plateau.assign(impulse=plateau["impulse"].min()), out, "plateau")
    assert redraw()["parameters.png"] != drawn["parameters.png"]
    (out / "series.parquet").unlink()
    old = runner.invoke(cli, ["plot", str(out)])
    assert old.exit_code == 2 and "rerun `alignsim calibrate`" in old.stderr
