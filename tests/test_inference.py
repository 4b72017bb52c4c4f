"""The posterior: ABC weights, recovery on synthetic votes, SBC, model choice, its files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from sim.cli import cli
from sim.engine.ensemble import Ensemble
from sim.experiments import sbc as sbc_module
from sim.experiments.abc import Claims, claims_of, kish_ess, log_evidence, weights_of
from sim.experiments.bank import Prior, reference_claims, simulate_bank
from sim.experiments.modelchoice import model_choice
from sim.experiments.posterior import posterior
from sim.experiments.targets import load_targets
from sim.experiments.votes import VoteEvidence, VoteParams, pair_alignment, simulate_counts
from sim.io.scenario import load_scenario
from sim.io.votes import VoteCounts

ROOT = Path(__file__).resolve().parents[1]


def alignment_target(id: str, source: str, target: str, date: str, rhs: float) -> dict:
    return {
        "id": id,
        "claim": id,
        "metric": "alignment",
        "lhs": {"source": source, "target": target, "date": date},
        "comparison": ">",
        "rhs": rhs,
        "doc": "d.txt",
        "quote": "said so",
    }


@pytest.fixture
def fitted(tiny: Path, write):
    """The tiny scenario and targets that depend on the impulse and the decay."""
    targets = [
        alignment_target("rus-warm", "PRK", "RUS", "2024-07-01", 0.55),
        alignment_target("rus-stays", "PRK", "RUS", "2024-12-01", 0.5),
        alignment_target("vnm-warm", "PRK", "VNM", "2024-10-20", 0.2),
        alignment_target("chn-warm", "PRK", "CHN", "2024-11-20", 0.45),
    ]
    path = write("targets.yaml", yaml.safe_dump({"targets": targets}))
    scenario = load_scenario(tiny)
    return scenario, load_targets(path, scenario.actor_ids, scenario.start, scenario.end)


def test_kish_ess_and_the_documents_measurement_model() -> None:
    """Equal weights count fully; a claim at its margin is reported either way with
    probability ½, a claim of weight 0 carries nothing, a hedged claim is read with twice
    the error, and synthetic reports follow Φ(z)."""
    assert kish_ess(np.ones(50)) == pytest.approx(50)
    assert kish_ess(np.array([1.0, 0, 0, 0])) == pytest.approx(1)
    rng = np.random.default_rng(0)
    reference = rng.normal(size=(4000, 3)) * [1.0, 2.0, 1.0]
    claims = claims_of(reference, np.zeros(3), np.array([1.0, 0.5, 0.0]))
    assert claims.counted.tolist() == [True, True, False]
    assert claims.scale[1] / claims.scale[0] == pytest.approx(4.0, rel=0.05)  # 2x spread, 2x error
    gap = np.array([[0.0, 0.0, 5.0]])
    assert claims.loglik(gap)[0] == pytest.approx(2 * np.log(0.5))
    row = np.array([claims.scale[0], 0.0, 0.0])  # z = 1 for the first claim
    reports = np.array([claims.draw(row, rng)[0] for _ in range(4000)])
    assert (reports == 1).mean() == pytest.approx(0.8413, abs=0.02)


def test_the_evidence_is_the_mean_likelihood_over_the_prior() -> None:
    """Half the prior runs with likelihood 0.4, half with 0.1: evidence 0.25; a run of
    likelihood 0 counts in the mean, a left-out one does not."""
    loglik = np.log(np.r_[np.full(500, 0.4), np.full(500, 0.1)])
    log_z, se = log_evidence(loglik)
    assert log_z == pytest.approx(np.log(0.25)) and 0 < se < 0.05
    with np.errstate(divide="ignore"):
        four = np.log([1.0, 0.0, 1.0, 1.0])
    assert log_evidence(four)[0] == pytest.approx(np.log(0.75))
    assert log_evidence(four, leave_out=1)[0] == pytest.approx(0.0)
    weights = weights_of(loglik)
    assert weights.weights[:500].sum() == pytest.approx(0.8) and weights.ess < 1000


def test_the_posterior_recovers_a_parameter_from_synthetic_votes(fitted) -> None:
    """Counts drawn from a run at a known impulse, with many roll calls: the votes-only
    posterior's 90% interval holds the truth and is less than half as wide as the prior's."""
    scenario, targets = fitted
    truth = 0.9
    n = len(scenario.actor_ids)
    pairs = tuple(
        (scenario.actor_ids[i], scenario.actor_ids[j])
        for i, j in zip(*np.triu_indices(n, 1), strict=True)
    )
    history = Ensemble(scenario, [11], [{"impulse": truth}], record_actions=False).run()
    year = pair_alignment(history[0]).mean(axis=0)[:, None]
    params = VoteParams(0.5, 2.0, 0.0, None)
    shape = (len(pairs), 1)
    roll_calls = VoteCounts(
        scenario.actor_ids, pairs, (2024,), np.zeros(shape, int), np.full(shape, 20000)
    )
    counts = simulate_counts(roll_calls, year, params, np.random.default_rng(0))
    votes = VoteEvidence(counts, params, pair_alignment(scenario.alignment))
    result = posterior(
        scenario, targets, ("impulse",), 3000, 2, evidence="unga", votes=votes, ess=100
    )
    row = result.parameters_table.iloc[0]
    assert row["q05"] <= truth <= row["q95"]
    assert row["shrinkage"] > 0.5


def test_small_sbc_passes_and_a_broken_inference_fails(fitted, monkeypatch) -> None:
    """Ranks of the true values in the posteriors are uniform within the band; posteriors
    of the wrong datasets (reports drawn from another member's run) put the truths in
    their tails."""
    scenario, targets = fitted
    bank = simulate_bank(scenario, targets, Prior.about_defaults(("impulse", "decay")), 4000, 3)
    claims = reference_claims(scenario, targets, 3)
    good = sbc_module.sbc(bank, claims, 100, 4)
    assert good.passed.all(), good.table
    assert (good.table["mean_shrinkage"] > 0.1).any()
    honest = Claims.draw
    other = np.random.default_rng(9)
    monkeypatch.setattr(
        Claims,
        "draw",
        lambda self, gap, rng: honest(self, bank.gap[other.integers(bank.size)], rng),
    )
    bad = sbc_module.sbc(bank, claims, 100, 4)
    assert not bad.passed.all()


def test_the_band_rejects_skewed_ranks() -> None:
    rng = np.random.default_rng(0)
    uniform = rng.uniform(size=(200, 2))
    assert sbc_module.inside_band(uniform).all()
    assert not sbc_module.inside_band(uniform**2).any()


def test_model_choice_picks_the_generating_variant(fitted) -> None:
    """Synthetic evidence from the null and from the full model: each picked most often."""
    scenario, targets = fitted
    found = model_choice(
        scenario, targets, 3000, 1, variants=("full", "null"), widths=(1.0,), datasets=20
    )
    recovered = found.recovery.set_index("generated_by")["recovered"]
    assert recovered["null"] > 0.5 and recovered["full"] > 0.5, found.recovery
    assert set(found.evidence["model"]) == {"full", "null"}


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the scenarios and calibration folders, the working folder."""
    for name in ("scenarios", "calibration"):
        shutil.copytree(ROOT / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_calibrate_writes_a_posterior_runs_use_it_and_changed_evidence_is_refused(project) -> None:
    runner = CliRunner()
    baseline = "scenarios/baseline.yaml"
    done = runner.invoke(
        cli, ["calibrate", baseline, "--draws", "400", "--ess", "40", "--seed", "2", "--quiet"]
    )
    assert done.exit_code == 0, done.output
    record = yaml.safe_load((project / "calibration" / "posterior.yaml").read_text())
    assert record["runs"] == 400 and 1 <= record["effective_sample_size"] <= 400
    assert "events.csv" in record["evidence_sha256"] and record["bench_batch_runs_per_second"] > 0
    draws = pd.read_parquet(project / "calibration" / "posterior.parquet")
    assert draws["weight"].sum() == pytest.approx(1)
    point = yaml.safe_load((project / "calibration" / "fitted.yaml").read_text())
    assert point["parameters"]["impulse"] == record["parameters"]["impulse"]["median"]
    report = project / "outputs" / "calibration"
    drawn = {p.name: p.read_bytes() for p in report.glob("*.png")}
    assert set(drawn) == {"posterior.png", "predictive.png"}
    assert runner.invoke(cli, ["plot", str(report)]).exit_code == 0
    assert {p.name: p.read_bytes() for p in report.glob("*.png")} == drawn  # from the tables

    ran = runner.invoke(cli, ["run", baseline, "--draw", "3", "--out", "r3"])
    assert ran.exit_code == 0, ran.output
    manifest = json.loads((project / "r3" / "manifest.json").read_text())
    assert manifest["parameter_sources"]["impulse"] == "fitted (posterior.parquet, draw 3)"
    assert manifest["parameters"]["impulse"] == pytest.approx(draws["impulse"].iloc[3])

    events = project / "calibration" / "events.csv"
    events.write_text(events.read_text() + "\n")
    refused = runner.invoke(cli, ["run", baseline, "--out", "changed"])
    assert refused.exit_code == 2
    assert "events.csv has changed since this posterior was fitted" in refused.output
    assert len(refused.output.strip().splitlines()) == 1 and not (project / "changed").exists()
    # the remedy the message names works: a calibration loads without the fit it replaces
    again = ["calibrate", baseline, "--draws", "400", "--ess", "40", "--seed", "2", "--quiet"]
    assert runner.invoke(cli, again).exit_code == 0
    assert runner.invoke(cli, ["run", baseline, "--out", "changed"]).exit_code == 0

    point = ["calibrate", baseline, "--method", "optimize", "--budget", "300", "--quiet"]
    assert runner.invoke(cli, [*point, "--params", "impulse,decay"]).exit_code == 0
    stale = runner.invoke(cli, ["run", baseline, "--draw", "1", "--out", "stale"])
    assert stale.exit_code == 2 and "is not the median of the posterior beside it" in stale.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--model", "bogus"], "unknown model variant"),
        (["--evidence", "bogus"], "'bogus' is not one of"),
        (["--draws", "5"], "is not in the range"),
        (["--method", "abc", "--holdout", "2025-09-01"], "only with --method optimize"),
    ],
)
def test_calibrate_refuses_bad_input_in_one_line(project, arguments, message) -> None:
    before = snapshot(project)
    done = CliRunner().invoke(cli, ["calibrate", "scenarios/baseline.yaml", *arguments])
    assert done.exit_code == 2 and message in done.output
    assert len(done.output.strip().splitlines()) == 1 and snapshot(project) == before


def test_votes_as_evidence_need_the_counts(project) -> None:
    (project / "calibration" / "unga_counts.csv").unlink()
    before = snapshot(project)
    done = CliRunner().invoke(
        cli, ["calibrate", "scenarios/baseline.yaml", "--evidence", "all", "--draws", "200"]
    )
    assert done.exit_code == 2 and "no UN vote counts" in done.output
    assert snapshot(project) == before


def test_odd_lists_every_parameter_with_its_registry_values_and_prior() -> None:
    """One place for meaning, unit, default, range, prior and domain: ODD.md's table is the
    registry's."""
    from sim.core.params import AGENT_PARAMETERS, CALIBRATED, PARAMETERS

    text = (ROOT / "ODD.md").read_text(encoding="utf-8")
    for p in PARAMETERS:
        prior = "uniform over the range" if p.name in CALIBRATED else "fixed"
        if p.name in AGENT_PARAMETERS:
            prior = "fixed in fits (agents act after the documents); uniform over the range in "
            prior += "projections"
        row = next(line for line in text.splitlines() if line.startswith(f"| `{p.name}` |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1:5] == [p.meaning, p.unit, str(p.default), f"{p.low} – {p.high}"], p.name
        assert cells[5].startswith(prior) and cells[6] == f"{p.limits[0]} – {p.limits[1]}"


def test_a_fitted_starting_alignment_sets_the_symmetric_part_only(tiny: Path, write) -> None:
    """A fit on the votes records each pair's symmetric starting alignment; a scenario that
    reads it starts there, each pair's antisymmetric part as it was."""
    before = load_scenario(tiny)
    write("fitted.yaml", "parameters: {impulse: 0.5}\nstarting_alignment: {PRK: {CHN: 0.1}}\n")
    tiny.write_text(tiny.read_text() + "parameters_from: fitted.yaml\n")
    after = load_scenario(tiny)
    i, j = after.actor_ids.index("PRK"), after.actor_ids.index("CHN")
    assert (after.alignment[i, j] + after.alignment[j, i]) / 2 == pytest.approx(0.1)
    half = (before.alignment[i, j] - before.alignment[j, i]) / 2
    assert (after.alignment[i, j] - after.alignment[j, i]) / 2 == pytest.approx(half)
    others = np.ones_like(after.alignment, bool)
    others[[i, j], [j, i]] = False
    assert np.array_equal(after.alignment[others], before.alignment[others])


def test_the_page_runs_a_posterior_draw_where_asked(project) -> None:
    """`alignsim serve --draw K`: scenarios that read the fit run with draw K; the others
    are as they load."""
    from sim.page.catalogue import build_catalogue
    from sim.page.limits import PageLimits

    draws = pd.read_parquet(project / "calibration" / "posterior.parquet")
    median = build_catalogue(project / "scenarios" / "baseline.yaml", PageLimits())
    drawn = build_catalogue(project / "scenarios" / "baseline.yaml", PageLimits(), draw=2)
    assert drawn.scenarios["baseline.yaml"].parameters["impulse"] == draws["impulse"].iloc[2]
    assert median.scenarios["baseline.yaml"].parameters["impulse"] != draws["impulse"].iloc[2]
    lesson = "two-patrons.yaml"  # reads no fit
    assert drawn.scenarios[lesson].parameters == median.scenarios[lesson].parameters


def test_compare_draws_from_the_posterior_and_its_intervals_are_wider(project) -> None:
    """Base and what-if share each replicate's posterior draw and seed: an identical
    what-if differs by exactly zero, and the summit's 90% interval over replicates is wider
    than when every replicate runs at the fitted point."""
    from sim.api import compare

    write = project / "scenarios" / "same.yaml"
    write.write_text("extends: baseline.yaml\nname: the same\n", encoding="utf-8")
    summit = "scenarios/whatif/us-summit-2026.yaml"
    options = {"metric": "alignment_USA", "at": "2026-07-06", "replicates": 40, "seed": 3}
    drawn = compare("scenarios/baseline.yaml", summit, "scenarios/same.yaml", **options)
    fixed = compare("scenarios/baseline.yaml", summit, conditional=True, **options)
    assert drawn.manifest["parameters"] == "posterior"
    assert fixed.manifest["parameters"] == "conditional"
    same = drawn.differences[drawn.differences["whatif"] == "the same"]["difference"]
    assert (same == 0).all()
    width = lambda c: float(c.summary["q95"].iloc[0] - c.summary["q05"].iloc[0])  # noqa: E731
    assert width(drawn) > 1.5 * width(fixed)
