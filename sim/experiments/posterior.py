"""A posterior: ABC on a bank of prior simulations, with its files and report.

README, "Calibration: a posterior". `posterior` grows a bank of prior runs of the
scenario's variant (`sim.experiments.bank`) until the weights reach the asked-for
effective sample size, weights them by the documents' measurement model and the votes'
likelihood (`sim.experiments.abc`) and returns a `Posterior`. Its files:

- ``posterior.parquet``: every run whose weight is at least `KEPT` of the largest: its
  parameters, ``weight`` (renormalised over them), ``claims_loglik``, ``seed`` (and
  ``vote_loglik`` with the votes); the mass left out is recorded;
- ``posterior.yaml``: per parameter the prior interval, the posterior median and 90%
  interval and the shrinkage 1 − posterior width / prior width; Kish's effective sample
  size; runs, seconds, runs per second beside the batch benchmark's, seed; the SHA-256 of
  the base scenario and of every file of evidence (`evidence_sha256`), which loading the
  posterior checks (`sim.experiments.posteriorfile`).

The report folder (`Posterior.save`) holds the tables ``parameters`` (the summary),
``predictive`` (per target, its prior and posterior predictive probability of holding)
and ``draws``, the figures ``posterior`` and ``predictive``, and ``manifest.json``.

Evidence: ``documents`` (the targets), ``unga`` (the UN vote counts through the
measurement model, ODD.md §7.15, which also set the symmetric part of the starting
alignments) or ``all`` (both).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim import __version__
from sim.core.errors import InputError, excerpt
from sim.core.streams import spawn_seeds
from sim.engine.ensemble import Ensemble
from sim.experiments.abc import KAPPA, Claims, Weights, summarise, weights_of
from sim.experiments.bank import Bank, Prior, fitted_scenario, reference_claims, simulate_bank
from sim.experiments.calibration import beside_fit
from sim.experiments.targets import Target
from sim.experiments.votes import (
    CHECK_YEARS,
    VoteEvidence,
    VoteParams,
    pair_alignment,
    vote_check,
    vote_evidence,
)
from sim.figures.folders import save_output
from sim.figures.posterior import posterior_figures
from sim.io.files import keep_previous, sha256, write_calibration_yaml, write_draws_and_record
from sim.io.posteriorfile import evidence_hashes
from sim.io.scenario import Scenario
from sim.io.votes import read_vote_counts

EVIDENCE = ("documents", "unga", "all")
#: The UN vote counts, beside a scenario's fit.
COUNTS = "unga_counts.csv"
#: Runs whose weight is below this fraction of the largest are left out of the draws file.
KEPT = 1e-6


@dataclass(frozen=True)
class Posterior:
    """ABC weights on a bank of prior runs, and what they say.

    Attributes:
        scenario: the scenario fitted (with the votes' starting alignments under ``unga``
            or ``all``).
        targets: the targets; evidence: ``documents``, ``unga`` or ``all``.
        bank: the prior runs; claims: the documents' measurement model; weights: the
            runs' posterior weights.
        seed: the seed of the prior design and the runs.
        hashes: SHA-256 of the base scenario (``scenario``) and of each evidence file, by
            path relative to the posterior's folder.
        batch_rate: the batch benchmark's runs per second, measured in the same process
            (None when not measured).
        asked: the effective sample size the bank was grown for.
        vote_score: the 2018–2019 vote check of the median's runs (`with_vote_check`).
    """

    scenario: Scenario
    targets: tuple[Target, ...]
    evidence: str
    bank: Bank
    claims: Claims
    weights: Weights
    seed: int
    hashes: Mapping[str, str]
    batch_rate: float | None = None
    asked: float = float("nan")
    vote_score: Mapping[str, Any] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The parameters inferred."""
        return self.bank.prior.names

    @property
    def kept(self) -> np.ndarray:
        """Which runs the draws file keeps: weight at least `KEPT` of the largest."""
        w = self.weights.weights
        kept: np.ndarray = w >= KEPT * w.max()
        return kept

    @property
    def draws_table(self) -> pd.DataFrame:
        """The kept runs: parameters, weight (renormalised), claims' log-likelihood, seed."""
        keep = self.kept
        table = pd.DataFrame(self.bank.theta[keep], columns=list(self.names))
        table["weight"] = self.weights.weights[keep] / self.weights.weights[keep].sum()
        table["claims_loglik"] = self.claims.loglik(self.bank.gap[keep])
        table["seed"] = self.bank.seeds[keep]
        if self.bank.votes is not None:
            table["vote_loglik"] = self.bank.votes[keep]
        return table

    @property
    def parameters_table(self) -> pd.DataFrame:
        """Per parameter: prior interval, posterior median and 90% interval, shrinkage."""
        prior = self.bank.prior
        summary = summarise(self.bank.theta, self.weights.weights, prior.span)
        return pd.DataFrame(
            {
                "parameter": list(self.names),
                "prior_low": prior.low.astype(float),
                "prior_high": prior.high.astype(float),
                "median": summary[:, 1],
                "q05": summary[:, 0],
                "q95": summary[:, 2],
                "shrinkage": summary[:, 3],
            }
        )

    @property
    def predictive_table(self) -> pd.DataFrame:
        """Per target: its prior and posterior predictive probability of holding."""
        holds = self.bank.violation() == 0
        return pd.DataFrame(
            {
                "id": [t.spec.id for t in self.targets],
                "claim": [t.spec.claim for t in self.targets],
                "weight": [t.spec.weight for t in self.targets],
                "prior": holds.mean(axis=0),
                "posterior": self.weights.weights @ holds,
                "doc": [t.spec.doc for t in self.targets],
            }
        )

    @property
    def median(self) -> dict[str, float]:
        """The posterior median of every parameter (6 decimals): the stated point that runs
        use unless asked for a draw."""
        table = self.parameters_table
        return {
            p: round(float(m), 6) for p, m in zip(table["parameter"], table["median"], strict=True)
        }

    @property
    def record(self) -> dict[str, Any]:
        """The content of ``posterior.yaml``."""
        b, w = self.bank, self.weights
        record: dict[str, Any] = {
            "method": "ABC with the documents' measurement model as kernel, on a bank of "
            "prior runs grown to the asked-for effective sample size (ODD.md §7.16)",
            "model": self.scenario.model,
            "evidence": self.evidence,
            "parameters": {
                row["parameter"]: {
                    "prior": [round(row["prior_low"], 6), round(row["prior_high"], 6)],
                    "median": round(row["median"], 6),
                    "interval_90": [round(row["q05"], 6), round(row["q95"], 6)],
                    "shrinkage": round(row["shrinkage"], 3),
                }
                for row in self.parameters_table.to_dict("records")
            },
            "effective_sample_size": round(w.ess, 1),
            "effective_sample_size_asked": self.asked,
            "kappa": KAPPA,
            "draws_kept": int(self.kept.sum()),
            "mass_left_out": float(f"{1 - self.weights.weights[self.kept].sum():.3g}"),
            "runs": b.size,
            "seconds": round(b.seconds, 1),
            "runs_per_second": round(b.size / b.seconds, 1),
            "bench_batch_runs_per_second": (
                None if self.batch_rate is None else round(self.batch_rate, 1)
            ),
            "seed": self.seed,
            "scenario_file": str(self.scenario.path),
            "evidence_sha256": dict(self.hashes),
        }
        if self.vote_score is not None:
            record["vote_check"] = dict(self.vote_score)
        if self.evidence != "documents":
            start = pair_alignment(self.scenario.alignment)
            nested: dict[str, dict[str, float]] = {}
            for one, other, value in zip(*_pair_names(self.scenario), start, strict=True):
                nested.setdefault(one, {})[other] = round(float(value), 6)
            record["starting_alignment"] = nested
        return record

    @property
    def manifest(self) -> dict[str, Any]:
        """The report's manifest: the record, with the version and scenario."""
        return {
            "alignsim_version": __version__,
            "kind": "posterior",
            "scenario": {"name": self.scenario.name, "file": str(self.scenario.path)},
            **self.record,
        }

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The report's tables by file stem."""
        return {
            "parameters": self.parameters_table,
            "predictive": self.predictive_table,
            "draws": self.draws_table,
        }

    def figures(self) -> dict[str, Figure]:
        """Prior against posterior per parameter, and the predictive check per target."""
        return posterior_figures(self.tables, self.manifest)

    def save(
        self, folder: str | Path, formats: tuple[str, ...] = ("png",), force: bool = False
    ) -> Path:
        """Write the report (tables, figures, manifest); the folder appears whole. A
        non-empty folder is refused unless `force` (then it is replaced)."""
        return save_output(folder, self.tables, self.figures(), self.manifest, formats, force)

    def with_vote_check(self, table: pd.DataFrame, params: VoteParams, runs: int = 10) -> Posterior:
        """This posterior with the 2018–2019 vote check of its median (ODD.md §7.15): the
        log predictive score of the counts under `runs` runs at the median, against
        persistence of 2015–2017 agreement, averaged over the runs. Out of sample when the
        votes are not evidence; a posterior predictive check when they are."""
        seeds = spawn_seeds(self.seed, runs)
        engine = Ensemble(self.scenario, seeds, [self.median] * runs, record_actions=False)
        history = engine.run()
        s = self.scenario
        checks = [vote_check(table, h, s.dates, s.actor_ids, params) for h in history]
        score = {
            "years": list(CHECK_YEARS),
            "out_of_sample": self.evidence == "documents",
            "median_minus_persistence": round(float(np.mean([c.difference for c in checks])), 2),
            "se": round(float(np.mean([c.se for c in checks])), 2),
            "runs": runs,
        }
        return dataclasses.replace(self, vote_score=score)

    def write(self, folder: str | Path) -> tuple[Path, Path]:
        """Write ``posterior.parquet`` and ``posterior.yaml`` into `folder`, each whole or
        not at all, keeping the previous pair as ``posterior.previous.*``."""
        return write_draws_and_record(
            Path(folder), "posterior", self.draws_table, lambda _: self.record
        )

    def write_point(self, path: str | Path, provenance: Mapping[str, Any]) -> Path:
        """Write ``fitted.yaml``: the posterior median as the point runs use, with the
        posterior's evidence hashes (checked on loading), the SHA-256 of the draws file
        beside it (which ties the two: `sim.io.posteriorfile.posterior_table`) and
        `provenance`, keeping the previous file as ``fitted.previous.yaml``."""
        target = Path(path)
        record = self.record
        draws = target.with_name("posterior.parquet")
        content = {
            "parameters": self.median,
            "point": "posterior median (posterior.yaml, posterior.parquet beside this file)",
            "model": record["model"],
            "evidence": record["evidence"],
            "effective_sample_size": record["effective_sample_size"],
            "evidence_sha256": record["evidence_sha256"],
            "posterior_sha256": sha256(draws) if draws.is_file() else None,
            **(
                {"starting_alignment": record["starting_alignment"]}
                if "starting_alignment" in record
                else {}
            ),
            **provenance,
        }
        keep_previous(target, "fitted.previous.yaml")
        write_calibration_yaml(target, content)
        return target


def _pair_names(scenario: Scenario) -> tuple[list[str], list[str]]:
    """The actors of each pair i < j, in `np.triu_indices` order."""
    rows, cols = np.triu_indices(len(scenario.actor_ids), 1)
    ids = scenario.actor_ids
    return [ids[i] for i in rows], [ids[j] for j in cols]


def check_evidence(evidence: str) -> str:
    """The evidence name, checked.

    Raises:
        InputError: an unknown name.
    """
    if evidence not in EVIDENCE:
        raise InputError(
            f"--evidence {excerpt(evidence)}: unknown; choose from {', '.join(EVIDENCE)}"
        )
    return evidence


def posterior(
    scenario: Scenario,
    targets: Sequence[Target],
    names: Sequence[str],
    draws: int,
    seed: int,
    *,
    evidence: str = "documents",
    votes: VoteEvidence | None = None,
    ess: float = 1000.0,
    hashes: Mapping[str, str] | None = None,
    batch_rate: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> Posterior:
    """The posterior of `names` (module docstring).

    Args:
        scenario: the scenario, with its variant.
        targets: the documents' targets (scored in every run whatever the evidence).
        names: the free parameters inferred, each with a uniform prior over its range.
        draws: the most prior runs; the bank stops growing once the weights' effective
            sample size reaches `ess`.
        evidence: ``documents``, ``unga`` or ``all``; votes: the counts for the last two.

    Raises:
        InputError: the votes are evidence but none are given.
    """
    check_evidence(evidence)
    if evidence != "documents" and votes is None:
        raise InputError(f"--evidence {evidence}: needs the UN vote counts (unga_counts.csv)")
    used = votes if evidence != "documents" else None
    fitted = fitted_scenario(scenario, used)
    claims = reference_claims(fitted, targets, seed)
    scored = evidence != "unga"
    enough = GrowthRule(claims, scored, ess)
    prior = Prior.about_defaults(names)
    bank = simulate_bank(fitted, targets, prior, draws, seed, used, progress, enough)
    weights = weights_of(enough.loglik, bank.votes)
    return Posterior(
        fitted,
        tuple(targets),
        evidence,
        bank,
        claims,
        weights,
        seed,
        dict(hashes or {}),
        batch_rate,
        asked=ess,
    )


@dataclass
class GrowthRule:
    """Stops a bank once its weights' effective sample size reaches `ess`; keeps each
    batch's claims' log-likelihood (`loglik`, so it is computed once) and votes'."""

    claims: Claims
    scored: bool
    ess: float
    logs: list[np.ndarray] = dataclasses.field(default_factory=list)
    votes: list[np.ndarray] = dataclasses.field(default_factory=list)

    def __call__(self, gap: np.ndarray, votes: np.ndarray | None) -> bool:
        self.logs.append(self.claims.loglik(gap) if self.scored else np.zeros(len(gap)))
        if votes is not None:
            self.votes.append(votes)
        return (
            weights_of(self.loglik, np.concatenate(self.votes) if self.votes else None).ess
            >= self.ess
        )

    @property
    def loglik(self) -> np.ndarray:
        """The claims' log-likelihood of every run so far, [M]."""
        return np.concatenate(self.logs)


def votes_beside(scenario: Scenario, evidence: str) -> tuple[VoteEvidence | None, Path | None]:
    """The vote counts beside the scenario's fit (``unga_counts.csv``) and the measurement
    model fitted to them, when `evidence` includes them (else None, None).

    Raises:
        InputError: the votes are evidence and there are no counts.
    """
    check_evidence(evidence)
    if evidence == "documents":
        return None, None
    counts = beside_fit(scenario, COUNTS)
    if counts is None or not counts.is_file():
        raise InputError(
            f"--evidence {evidence}: no UN vote counts (unga_counts.csv) beside the "
            f"scenario's `parameters_from`"
        )
    return vote_evidence(read_vote_counts(counts), scenario), counts


def checked_on_votes(
    result: Posterior, scenario: Scenario, votes: VoteEvidence | None
) -> Posterior:
    """The posterior with its 2018–2019 vote check, when the counts are beside the fit
    (unchanged when they are not)."""
    counts = beside_fit(scenario, COUNTS)
    if counts is None or not counts.is_file():
        return result
    table = read_vote_counts(counts)
    measurement = votes or vote_evidence(table, scenario)
    return result.with_vote_check(table, measurement.params)


def evidence_of(
    scenario: Scenario, targets: Path, counts: Path | None, home: Path
) -> dict[str, str]:
    """SHA-256 of the base scenario and of every evidence file (its event tables, the
    targets, the vote counts when used), by path relative to `home`."""
    top = scenario.path.parent
    files = {"scenario": scenario.path, "targets": targets}
    files |= {name: top / name for name in scenario.files if name.endswith(".csv")}
    if counts is not None:
        files["votes"] = counts
    return evidence_hashes(files, home)
