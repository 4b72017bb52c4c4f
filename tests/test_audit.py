"""The evidence audit: shares whose answer is known by construction, the flags, the command."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from click.testing import CliRunner

from sim.cli import cli
from sim.core.variants import VARIANTS
from sim.experiments.audit import audit, prior_draws
from sim.experiments.targets import load_targets
from sim.io.scenario import load_scenario


def target(id: str, lhs: dict, comparison: str, rhs: object, quote: str = "said so") -> dict:
    return {
        "id": id,
        "claim": id,
        "metric": "alignment",
        "lhs": lhs,
        "comparison": comparison,
        "rhs": rhs,
        "doc": "d.txt",
        "quote": quote,
    }


def test_shares_known_by_construction_and_the_flags(tiny: Path, write) -> None:
    """Alignment stays in [-1, 1], so "above -2" holds in every run and "above 2" in none;
    a target quoting an event's own words on its dyad, in its window, is circular."""
    text = tiny.read_text().replace(
        "type: sign_agreement,", "type: sign_agreement, quote: 'the treaty was signed',"
    )
    tiny.write_text(text)
    point = {"source": "PRK", "target": "RUS", "date": "2024-07-01"}
    targets_path = write(
        "targets.yaml",
        yaml.safe_dump(
            {
                "targets": [
                    target("always", point, ">", -2.0),
                    target("never", point, ">", 2.0),
                    target("restates", point, ">", 0.0, quote="the treaty was signed"),
                ]
            }
        ),
    )
    scenario = load_scenario(tiny)
    targets = load_targets(targets_path, scenario.actor_ids, scenario.start, scenario.end)
    table = audit(scenario, targets, draws=8, replicates=2, seed=1).table.set_index("id")
    shares = table[[f"share_{v}" for v in VARIANTS]]
    assert (shares.loc["always"] == 1.0).all() and (shares.loc["never"] == 0.0).all()
    assert table.loc["always", "uninformative"] and not table.loc["never", "uninformative"]
    assert table.loc["restates", "circular"] and table.loc["restates", "restates"] == "e1"
    assert not table.loc["always", "circular"]


def test_prior_draws_cover_the_registry_ranges() -> None:
    draws = pd.DataFrame(prior_draws(["decay", "jealousy"], 400, seed=2))
    assert draws["decay"].between(0.0, 0.02).all() and draws["jealousy"].between(0, 0.6).all()
    # a Latin hypercube: each tenth of each range holds a tenth of the draws
    counts, _ = np.histogram(draws["decay"], bins=10, range=(0.0, 0.02))
    assert (counts == 40).all()
    assert prior_draws(["decay"], 5, seed=2) == prior_draws(["decay"], 5, seed=2)


def test_the_audit_command_writes_its_table(runner: CliRunner, tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "audit"
    result = runner.invoke(
        cli,
        [
            "evidence",
            "audit",
            str(root / "scenarios" / "baseline.yaml"),
            "--draws",
            "8",
            "--replicates",
            "1",
            "--seed",
            "0",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "audit.csv")
    written = yaml.safe_load((root / "calibration" / "targets.yaml").read_text())["targets"]
    assert list(table["id"]) == [t["id"] for t in written]
    assert {"share_full", "share_null", "circular", "weight"} <= set(table.columns)
    assert "uninformative (>= 95% under every variant)" in result.output
    zero = sum(t["weight"] == 0 for t in written)
    assert f"weight 0 (reported, not in the loss): {zero}" in result.output


def test_the_shares_do_not_depend_on_the_batch_size(monkeypatch) -> None:
    from sim.experiments import audit as module

    root = Path(__file__).resolve().parents[1]
    scenario = load_scenario(root / "scenarios" / "baseline.yaml")
    targets = load_targets(
        root / "calibration" / "targets.yaml", scenario.actor_ids, scenario.start, scenario.end
    )
    whole = module.satisfied_shares(scenario, targets, 10, [1, 2], seed=3)
    monkeypatch.setattr(module, "BATCH_RUNS", 6)  # 3 draws a batch, the last one short
    np.testing.assert_array_equal(module.satisfied_shares(scenario, targets, 10, [1, 2], 3), whole)
