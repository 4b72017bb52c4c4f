"""UN General Assembly votes: the copied counts, and the measurement model linking them to
alignment (sim.io.votes, sim.experiments.votes; calibration/UNGA.md).

The raw files stay out of the project; the tests that rebuild the copied table from them
read ../shared/data/ where it exists and skip with a message where it does not.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT
from scipy.special import expit, logit
from scipy.stats import betabinom, binom

from sim.core.errors import InputError
from sim.experiments import votes as vm
from sim.io.files import sha256
from sim.io.scenario import Scenario, load_scenario
from sim.io.votes import (
    VoteCounts,
    agreement_differences,
    count_arrays,
    counts_table,
    read_vote_counts,
    read_votes,
    vote_counts,
)

CALIBRATION = ROOT / "calibration"
RAW = ROOT.parent / "shared" / "data"
needs_raw = pytest.mark.skipif(
    not (RAW / "unga_votes.csv").is_file(),
    reason=f"raw UN votes not found at {RAW}; the copied counts are not rebuilt",
)
TRUTH = vm.VoteParams(a=0.7, b=1.5, c=-1.8, phi=25.0)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return read_vote_counts(CALIBRATION / "unga_counts.csv")


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario(ROOT / "scenarios" / "baseline.yaml")


def noted_hashes() -> dict[str, str]:
    text = (CALIBRATION / "UNGA.md").read_text(encoding="utf-8")
    return dict(re.findall(r"\| `([\w./]+)` \| `([0-9a-f]{64})` \|", text))


@needs_raw
def test_the_copied_counts_rebuild_from_the_raw_votes(table: pd.DataFrame) -> None:
    rebuilt = vote_counts(read_votes(RAW / "unga_votes.csv"))
    pd.testing.assert_frame_equal(rebuilt, table)
    published = pd.read_csv(RAW / "unga_agreement.csv")
    assert agreement_differences(rebuilt, published).empty
    hashes = noted_hashes()
    for name in ("unga_votes.csv", "unga_agreement.csv"):
        assert hashes[name] == sha256(RAW / name), name


def test_the_note_records_the_copied_tables_hash() -> None:
    assert noted_hashes()["calibration/unga_counts.csv"] == sha256(CALIBRATION / "unga_counts.csv")


def test_the_copied_table_covers_eight_states_and_29_years(table: pd.DataFrame) -> None:
    assert len(table) == 28 * 29
    assert (table["year"].min(), table["year"].max()) == (1991, 2019)


def test_counts_from_a_small_raw_table(write) -> None:
    raw = write(
        "votes.csv",
        """\
        rcid,session,date,unres,importantvote,actor,vote
        1,72,2017-12-20,R/72/1,0,CHN,yes
        1,72,2017-12-20,R/72/1,0,USA,no
        1,72,2017-12-20,R/72/1,0,PRK,yes
        2,72,2017-12-21,,0,CHN,abstain
        2,72,2017-12-21,,0,USA,abstain
        3,73,2018-01-05,R/72/2,1,CHN,no
        3,73,2018-01-05,R/72/2,1,PRK,no
        """,
    )
    counts = vote_counts(read_votes(raw))
    assert counts.values.tolist() == [
        [2017, "CHN", "PRK", 1, 1],
        [2017, "CHN", "USA", 2, 1],
        [2017, "PRK", "USA", 1, 0],
        [2018, "CHN", "PRK", 1, 1],
    ]
    assert counts_table(count_arrays(counts, ("USA", "CHN", "PRK"), (2017, 2018))).equals(counts)


def test_a_changed_share_or_a_missing_row_is_found(table: pd.DataFrame) -> None:
    published = table.assign(agreement=(table["identical"] / table["roll_calls"]).round(4))
    published = published.drop(columns="identical")
    assert agreement_differences(table, published).empty
    changed = published.copy()
    changed.loc[5, "agreement"] += 0.01
    assert agreement_differences(table, changed).index.tolist() == [5]
    assert len(agreement_differences(table, published.drop(index=7))) == 1


def test_bad_raw_votes_are_refused(write) -> None:
    header = "rcid,session,date,unres,importantvote,actor,vote\n"
    with pytest.raises(InputError, match="vote 'absent' on line 2"):
        read_votes(write("bad.csv", header + "1,72,2017-12-20,R,0,CHN,absent\n"))
    with pytest.raises(InputError, match="twice"):
        read_votes(write("twice.csv", header + "1,72,2017-12-20,R,0,CHN,yes\n" * 2))
    with pytest.raises(InputError, match="between 0 and roll_calls"):
        read_vote_counts(write("counts.csv", "year,a,b,roll_calls,identical\n2017,CHN,USA,3,4\n"))


def synthetic(
    table: pd.DataFrame, baseline: Scenario, params: vm.VoteParams, seed: int
) -> tuple[VoteCounts, np.ndarray]:
    """Counts drawn from `params` with the real roll calls of the baseline's 15 pairs in
    1991-2019 (435 pair-years), and their alignments: the hand-set values plus a yearly
    N(0, 0.3) variation, clipped to [-1, 1]."""
    rng = np.random.default_rng(seed)
    real = count_arrays(table, baseline.actor_ids, range(1991, 2020))
    hand = vm.pair_alignment(baseline.alignment)
    drift = rng.normal(0, 0.3, real.identical.shape)
    alignment = np.clip(hand[:, None] + drift, -1, 1)
    return vm.simulate_counts(real, alignment, params, rng), alignment


def test_vote_loglik_is_the_binomial_and_beta_binomial_vectorised(table, baseline) -> None:
    counts = count_arrays(table, baseline.actor_ids, vm.BASIS_YEARS)
    sets = np.random.default_rng(1).uniform(-1, 1, (5, *counts.identical.shape))
    a, b, c, phi = np.array([0.5, 0.7, 0.9, 1.1, 1.3]), 1.2, -1.5, np.array([5, 10, 20, 40, 1e5])
    p = expit(a[:, None, None] + b * sets + c * counts.involves("USA")[:, None])
    k, n = counts.identical, counts.roll_calls
    binomial = binom.logpmf(k, n, p).sum(axis=(1, 2))
    beta = betabinom.logpmf(k, n, p * phi[:, None, None], (1 - p) * phi[:, None, None])
    np.testing.assert_allclose(vm.vote_loglik(counts, sets, a, b, c), binomial, rtol=1e-10)
    np.testing.assert_allclose(
        vm.vote_loglik(counts, sets, a, b, c, phi), beta.sum(axis=(1, 2)), rtol=1e-10
    )
    assert abs(vm.vote_loglik(counts, sets[0], 0.5, b, c, 1e9) - binomial[0]) < 1e-3
    assert vm.vote_loglik(counts, sets[0], 0.5, b, c).shape == ()


@pytest.mark.parametrize("params", [TRUTH, vm.VoteParams(0.7, 1.5, -1.8)])
def test_the_fit_recovers_known_parameters(table, baseline, params: vm.VoteParams) -> None:
    """Within 3 standard errors of the observed information, with realistic roll calls and
    alignments (`synthetic`)."""
    counts, alignment = synthetic(table, baseline, params, seed=7)
    fit = vm.fit_votes(counts, alignment, dispersion=params.phi is not None)
    truth = [v for v in (params.a, params.b, params.c, params.phi) if v is not None]
    assert fit.converged
    assert np.all(np.abs(fit.estimate - truth) < 3 * fit.se), (fit.estimate, fit.se)
    assert fit.se[1] < 0.3  # b is measured, so the tolerance is informative


def test_standard_errors_cover_the_truth(table, baseline) -> None:
    """Over 20 synthetic data sets, each parameter within 2 SE in at least 16."""
    z = []
    for seed in range(20):
        counts, alignment = synthetic(table, baseline, TRUTH, seed)
        fit = vm.fit_votes(counts, alignment)
        z.append((fit.estimate - [TRUTH.a, TRUTH.b, TRUTH.c, TRUTH.phi]) / fit.se)
    assert np.all((np.abs(np.array(z)) < 2).sum(axis=0) >= 16), np.round(z, 1)


def test_aic_picks_the_generating_family(table, baseline) -> None:
    for params, preferred in ((TRUTH, True), (vm.VoteParams(0.7, 1.5, -1.8), False)):
        counts, alignment = synthetic(table, baseline, params, seed=3)
        model = vm.dispersion_table(counts, alignment).query("model == 'a + b·S + c·US'")
        assert model.set_index("beta_binomial")["aic"].idxmin() == preferred


def test_implied_alignment_is_the_binomial_inverse(table, baseline) -> None:
    params = vm.VoteParams(0.7, 1.5, -1.8)
    implied = vm.implied_alignment(table, baseline, params)
    counts = count_arrays(table, baseline.actor_ids, vm.BASIS_YEARS)
    us = counts.involves("USA")
    exact = (logit(counts.share()) - params.a - params.c * us) / params.b
    np.testing.assert_allclose(implied["implied"], np.clip(exact, -1, 1), atol=1e-5)
    p = expit(params.a + params.b * implied["implied"] + params.c * us)
    se = 1 / (params.b * np.sqrt(counts.roll_calls.sum(axis=1) * p * (1 - p)))
    np.testing.assert_allclose(implied["se"], se, rtol=1e-3)
    assert implied["at_bound"].tolist() == (np.abs(exact) > 1).tolist()
    assert implied["pair"].iloc[0] == "PRK-CHN" and implied["hand_set"].iloc[0] == 0.4


def test_implied_alignment_recovers_the_generating_alignment(table, baseline) -> None:
    """Counts drawn from the hand-set alignments with beta-binomial noise are inverted to
    them within 3 standard errors."""
    real = count_arrays(table, baseline.actor_ids, vm.BASIS_YEARS)
    hand = vm.pair_alignment(baseline.alignment)
    rng = np.random.default_rng(11)
    aligned = np.broadcast_to(hand[:, None], real.identical.shape)
    drawn = vm.simulate_counts(real, aligned, TRUTH, rng)
    implied = vm.implied_alignment(counts_table(drawn), baseline, TRUTH)
    assert np.all(np.abs(implied["implied"] - hand) < 3 * implied["se"])
    grid = [TRUTH, vm.VoteParams(1.0, 2.0, -1.8)]
    profile = vm.implied_profile(counts_table(drawn), baseline, grid)
    assert len(profile) == 30 and profile["b"].tolist() == [1.5] * 15 + [2.0] * 15


def test_the_vote_check_scores_a_run_against_persistence(table, baseline) -> None:
    dates = np.arange("2018-01-01", "2020-01-01", 7, dtype="datetime64[D]")
    counts = count_arrays(table, baseline.actor_ids, vm.BASIS_YEARS)
    # alignments whose implied agreement is exactly the 2015-2017 share: a tie
    params = vm.VoteParams(0.7, 1.5, -1.8, 25.0)
    s = (logit(counts.share()) - params.a - params.c * counts.involves("USA")) / params.b
    history = np.zeros((len(dates), 6, 6))
    rows, cols = np.triu_indices(6, 1)
    history[:, rows, cols] = history[:, cols, rows] = s
    tie = vm.vote_check(table, history, dates, baseline.actor_ids, params)
    assert tie.difference == pytest.approx(0, abs=1e-9) and len(tie.table) == 30
    # the hand-set alignments, held still, lose to persistence on the real 2018-2019 votes
    still = np.broadcast_to(baseline.alignment, history.shape)
    check = vm.vote_check(table, still, dates, baseline.actor_ids, params)
    assert check.difference < 0 and check.se > 0


def test_pair_year_alignment_averages_each_year() -> None:
    dates = np.array(["2018-06-01", "2018-12-01", "2019-06-01"], dtype="datetime64[D]")
    history = np.zeros((3, 2, 2))
    history[:, 0, 1] = [0.2, 0.4, 0.9]
    np.testing.assert_allclose(vm.pair_year_alignment(history, dates, (2018, 2019)), [[0.15, 0.45]])
    with pytest.raises(ValueError, match="no date in 2020"):
        vm.pair_year_alignment(history, dates, (2020,))


def test_the_votes_command_reports_fit_implied_alignments_and_check(tmp_path) -> None:
    from pathlib import Path

    from click.testing import CliRunner

    from sim.cli import cli

    root = Path(__file__).resolve().parents[1]
    result = CliRunner().invoke(
        cli, ["evidence", "votes", str(root / "scenarios" / "baseline.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert "beta-binomial" in result.output and "PRK-CHN  +0.40" in result.output
    assert "log score of a run" in result.output
    missing = CliRunner().invoke(
        cli,
        [
            "evidence",
            "votes",
            str(root / "scenarios" / "baseline.yaml"),
            "--counts",
            str(tmp_path / "no.csv"),
        ],
    )
    assert missing.exit_code == 2 and "no.csv: vote counts table not found" in missing.stderr
