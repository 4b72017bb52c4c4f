"""What-if comparisons with common random numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sim.cli import cli
from sim.experiments.compare import Metric, compare
from sim.io.scenario import load_scenario


def test_identical_whatif_gives_exactly_zero_difference(tiny: Path, write) -> None:
    same = write("same.yaml", "extends: tiny.yaml\nname: same again\n")
    result = compare(
        load_scenario(tiny),
        [load_scenario(same)],
        Metric("alignment_CHN", "PRK"),
        replicates=20,
        seed=5,
    )
    assert (result.differences["difference"] == 0.0).all()
    row = result.summary.iloc[0]
    assert row["difference_mean"] == 0.0 and row["t_low"] == 0.0 and row["t_high"] == 0.0


def test_whatif_event_moves_the_outcome_in_its_direction(tiny: Path, write) -> None:
    hostile = write(
        "hostile.yaml",
        """\
        extends: tiny.yaml
        name: hostile
        events:
          - {id: clash, date: 2024-11-01, source: CHN, target: PRK, type: threaten,
             magnitude: 2}
        """,
    )
    result = compare(
        load_scenario(tiny),
        [load_scenario(hostile)],
        Metric("alignment_CHN", "PRK"),
        replicates=30,
        seed=5,
    )
    row = result.summary.iloc[0]
    assert row["t_high"] < 0 and row["share_positive"] == 0.0
    assert row["bootstrap_low"] <= row["difference_mean"] <= row["bootstrap_high"]


def test_compare_command_writes_tables_and_plots(
    runner: CliRunner, tiny: Path, write, tmp_path: Path
) -> None:
    other = write("other.yaml", "extends: tiny.yaml\nname: other\nparameters: {decay: 0.01}\n")
    out = tmp_path / "cmp"
    result = runner.invoke(
        cli,
        [
            "compare",
            str(tiny),
            str(other),
            "--replicates",
            "10",
            "--metric",
            "dependence",
            "--at",
            "2024-10-15",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "other: difference" in result.output
    assert {p.name for p in out.iterdir()} >= {
        "bands.parquet",
        "differences.parquet",
        "summary.csv",
        "bands.png",
        "differences.png",
        "manifest.json",
    }
    summary = pd.read_csv(out / "summary.csv")
    assert summary["date"].iloc[0] == "2024-10-21"  # the first weekly state on or after
    bad = runner.invoke(cli, ["compare", str(tiny), str(other), "--metric", "alignment_USA"])
    assert bad.exit_code == 2 and "has no actor 'USA'" in bad.stderr


def test_a_whatif_without_a_name_of_its_own_is_compared_with_the_base(tiny: Path, write) -> None:
    unnamed = write(
        "unnamed.yaml",
        """\
        extends: tiny.yaml
        events:
          - {id: clash, date: 2024-11-01, source: CHN, target: PRK, type: threaten,
             magnitude: 2}
        """,
    )
    base, whatif = load_scenario(tiny), load_scenario(unnamed)
    assert whatif.name == base.name  # inherited through extends
    result = compare(base, [whatif], Metric("alignment_CHN", "PRK"), replicates=10, seed=5)
    row = result.summary.iloc[0]
    assert row["whatif"] == "tiny (unnamed.yaml)"
    assert row["difference_mean"] < -0.01 and row["t_high"] < 0
    assert set(result.bands["scenario"]) == {"tiny (tiny.yaml)", "tiny (unnamed.yaml)"}


MODEL_TARGETS = """\
targets:
  - {id: rus-rises, claim: c, metric: alignment, comparison: ">", doc: d, quote: q,
     lhs: {source: PRK, target: RUS, date: 2024-07-01},
     rhs: {source: PRK, target: RUS, date: 2024-06-03}}
  - {id: chn-cools, claim: c, metric: alignment, comparison: "<", doc: d, quote: q,
     lhs: {source: CHN, target: PRK, date: 2024-11-04},
     rhs: {source: CHN, target: PRK, date: 2024-10-01}}
"""


def test_compare_models_answers_under_each_variant_and_averages_them(
    runner: CliRunner, tiny: Path, write, tmp_path: Path
) -> None:
    """A real (small) model comparison beside the fit; `compare --models` answers under
    each variant at draws of its own posterior and averages by the variants' probabilities."""
    from sim.experiments.modelchoice import model_choice
    from sim.experiments.posterior import evidence_of
    from sim.experiments.targets import load_targets

    write("fitted.yaml", "parameters: {}\n")
    tiny.write_text(tiny.read_text() + "parameters_from: fitted.yaml\n")
    targets_path = write("targets.yaml", MODEL_TARGETS)
    base = load_scenario(tiny)
    targets = load_targets(targets_path, base.actor_ids, base.start, base.end)
    variants = ("full", "no-hedging", "null")
    choice = model_choice(base, targets, 256, 1, variants=variants, widths=(1.0,), datasets=2)
    choice.write_models(tmp_path, evidence_of(base, targets_path, None, tmp_path))
    hostile = write(
        "hostile.yaml",
        "extends: tiny.yaml\nevents:\n  - {id: clash, date: 2024-11-01, source: CHN, "
        "target: PRK, type: threaten, magnitude: 2}\n",
    )
    same = write("same.yaml", "extends: tiny.yaml\n")
    out = tmp_path / "cmp"
    args = ["compare", str(tiny), str(hostile), str(same), "--models", "full,null"]
    result = runner.invoke(
        cli, [*args, "--metric", "alignment_CHN", "--replicates", "30", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(out / "models.parquet")
    assert set(table["model"]) == {"full", "null", "averaged"}
    hostile_rows = table[table["whatif"] == table["whatif"].iloc[0]].set_index("model")
    p_full, p_null = (
        hostile_rows.loc["full", "probability"],
        hostile_rows.loc["null", "probability"],
    )
    assert p_full + p_null == pytest.approx(1.0)
    expected = (
        p_full * hostile_rows.loc["full", "difference_mean"]
        + p_null * hostile_rows.loc["null", "difference_mean"]
    )
    assert hostile_rows.loc["averaged", "difference_mean"] == pytest.approx(expected)
    assert (hostile_rows["difference_mean"] < 0).all()
    same_rows = table[table["whatif"] != table["whatif"].iloc[0]]
    assert (same_rows["difference_mean"] == 0.0).all()
    assert "averaged" in result.output
    refused = runner.invoke(cli, [*args, "--conditional", "--out", str(tmp_path / "x")])
    assert refused.exit_code == 2 and "--conditional" in refused.output


#: Each what-if of `scenarios/whatif/` with the measure its question asks about.
QUESTIONS = {
    "us-summit-2026.yaml": "alignment_USA",
    "ukraine-war-ends.yaml": "alignment_RUS",
    "china-pressure.yaml": "alignment_CHN",
    "vietnam-steps-back.yaml": "alignment_VNM",
    "korea-japan.yaml": "alignment_USA",
}


@pytest.mark.parametrize(("whatif", "measure"), QUESTIONS.items())
def test_on_the_baselines_whatifs_posterior_intervals_are_wider_than_conditional_ones(
    whatif: str, measure: str
) -> None:
    """Drawing each replicate from the posterior (and the agents from their priors) adds the
    uncertainty a fixed fit leaves out: on the measure its question asks about, the
    replicates' 90% range of each what-if's difference is wider than at the fitted point."""
    from conftest import ROOT

    from sim.experiments.compare import posterior_draws

    base = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    other = [load_scenario(ROOT / "scenarios" / "whatif" / whatif)]
    metric, at = Metric(measure, "PRK"), dt.date(2026, 7, 6)
    draws = posterior_draws(base, 40, 0)
    assert draws is not None
    wide = compare(base, other, metric, 40, 0, at, draws).summary.iloc[0]
    narrow = compare(base, other, metric, 40, 0, at).summary.iloc[0]
    assert wide["q95"] - wide["q05"] > narrow["q95"] - narrow["q05"]
