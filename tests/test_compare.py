"""What-if comparisons with common random numbers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
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
