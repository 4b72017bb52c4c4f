"""Which mechanisms the evidence supports: every variant compared on the same evidence.

ODD.md §7.16 states the rule before any comparison is run. For the full model, each
ablation and the null (`sim.core.variants`), each with a bank of prior runs
(`sim.experiments.bank`) under three prior widths (the registry's ranges, and each side of
the default halved and doubled, `Prior.about_defaults`):

- **Bayes factors against the null**: the evidence of each variant under one measurement
  model of the documents common to all (`sim.experiments.abc`), with Monte Carlo standard
  errors (`sim.experiments.abc.log_evidence`).
- **Out-of-sample score**: each variant's posterior from the targets that read only dates
  before the cutoff (every event kept as an input), then the log predictive probability
  that each later claim is reported as written; standard errors over the later targets,
  and of each difference, paired by target.
- **Recovery**: synthetic evidence drawn from members of every variant's bank (the
  directions a document would report of their runs), scored by every variant's evidence;
  the share of datasets where the generating variant has the largest evidence (ABC model
  choice is only as good as its summaries: Robert, Cornuet, Marin & Pillai 2011).

For `alignsim compare --models`, the comparison also keeps `KEPT_DRAWS` draws of each
variant's posterior (registry widths; resampled by weight) and each variant's posterior
probability under equal prior odds (Bayesian model averaging: Hoeting, Madigan, Raftery &
Volinsky 1999, Statistical Science 14(4)), written beside the fit as ``models.parquet`` and
``models.yaml`` (`write_models`).

A mechanism is *supported* when its Bayes factor (full over the full model without it)
exceeds `SUPPORT_FACTOR` under every prior width and the full model's out-of-sample score
is not worse than the ablation's by more than `SUPPORT_SE` standard errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import __version__
from sim.core.errors import InputError
from sim.core.params import CALIBRATED
from sim.core.streams import spawn_seeds, substream
from sim.core.variants import MECHANISMS, VARIANTS, variant
from sim.experiments.abc import KAPPA, Claims, log_evidence, weights_of
from sim.experiments.bank import (
    CHECK_STREAM,
    MODELS_STREAM,
    Bank,
    Prior,
    fitted_scenario,
    reference_claims,
    simulate_bank,
)
from sim.experiments.targets import Target
from sim.experiments.votes import VoteEvidence
from sim.figures.folders import save_output
from sim.io.files import sha256, write_draws_and_record
from sim.io.scenario import Scenario

WIDTHS = (1.0, 0.5, 2.0)
CUTOFF = dt.date(2025, 9, 1)
#: A mechanism is supported when its Bayes factor exceeds this under every prior width …
SUPPORT_FACTOR = 3.0
#: … and the full model's out-of-sample score is not worse by more than this many SEs.
SUPPORT_SE = 2.0
#: Draws kept of each variant's posterior for `alignsim compare --models`.
KEPT_DRAWS = 2000


def early_mask(targets: Sequence[Target], cutoff: dt.date) -> np.ndarray:
    """Whether each target reads only dates before the cutoff."""
    return np.array([max(t.dates) < cutoff for t in targets])


@dataclass(frozen=True)
class ModelChoice:
    """The comparison's tables (module docstring) and its record."""

    evidence: pd.DataFrame
    out_of_sample: pd.DataFrame
    recovery: pd.DataFrame
    verdicts: pd.DataFrame
    probabilities: pd.DataFrame
    posteriors: pd.DataFrame
    manifest: dict[str, Any]

    def save(self, folder: str | Path, force: bool = False) -> Path:
        """Write the tables and the manifest, whole or not at all; a non-empty folder is
        refused unless `force`."""
        tables = {
            "evidence": self.evidence,
            "out_of_sample": self.out_of_sample,
            "recovery": self.recovery,
            "verdicts": self.verdicts,
            "probabilities": self.probabilities,
            "posteriors": self.posteriors,
        }
        return save_output(folder, tables, {}, self.manifest, force=force)

    def write_models(self, folder: str | Path, evidence_sha256: dict[str, str]) -> Path:
        """Write ``models.parquet`` (each variant's kept posterior draws) and ``models.yaml``
        (the variants' probabilities, the evidence's hashes, the draws' SHA-256) into
        `folder`, beside the fit, keeping the previous pair as ``models.previous.*``."""

        def record(draws: Path) -> dict[str, Any]:
            return {
                "method": "posterior probabilities of the model variants under equal prior "
                "odds, from their evidence on the registry's prior ranges (ODD.md §7.16)",
                "evidence": self.manifest["evidence"],
                "draws_per_model": KEPT_DRAWS,
                "probabilities": {
                    r["model"]: round(float(r["probability"]), 6)
                    for r in self.probabilities.to_dict("records")
                },
                "evidence_sha256": evidence_sha256,
                "draws_sha256": sha256(draws),
                "seed": self.manifest["seed"],
                "draws_per_bank": self.manifest["draws_per_bank"],
            }

        return write_draws_and_record(Path(folder), "models", self.posteriors, record)[1]


def variant_banks(
    scenario: Scenario,
    targets: Sequence[Target],
    variants: Sequence[str],
    widths: Sequence[float],
    draws: int,
    seed: int,
    votes: VoteEvidence | None,
    progress: Callable[[int], None] | None,
) -> dict[tuple[str, float], Bank]:
    """One bank per variant and prior width, each from its own spawned seed."""
    seeds = spawn_seeds(seed, len(variants) * len(widths))
    banks = {}
    for i, (name, width) in enumerate((v, w) for v in variants for w in widths):
        prior = Prior.about_defaults(variant(name).free(CALIBRATED), width)
        banks[name, width] = simulate_bank(
            scenario.with_model(name), targets, prior, draws, seeds[i], votes, progress
        )
    return banks


def evidence_table(banks: dict[tuple[str, float], Bank], claims: Claims) -> pd.DataFrame:
    """Per variant and width: log evidence and log Bayes factor against the null at the
    same width, each with its standard error, and the posterior's effective sample size."""
    scores = {key: claims.loglik(bank.gap) for key, bank in banks.items()}
    rows = []
    for (name, width), bank in banks.items():
        log_z, se = log_evidence(scores[name, width], bank.votes)
        null = banks["null", width]
        null_z, null_se = log_evidence(scores["null", width], null.votes)
        rows.append(
            {
                "model": name,
                "prior_width": width,
                "parameters": len(bank.prior.names),
                "log_evidence": log_z,
                "log_evidence_se": se,
                "log_bf_vs_null": log_z - null_z,
                "log_bf_se": float(np.hypot(se, null_se)) if name != "null" else 0.0,
                "posterior_ess": weights_of(scores[name, width], bank.votes).ess,
            }
        )
    return pd.DataFrame(rows)


def predictive_log_scores(
    bank: Bank, claims: Claims, early: np.ndarray, later: np.ndarray
) -> tuple[np.ndarray, float]:
    """Each later claim's log posterior predictive probability of being reported as
    written, from the posterior on the early claims, and that posterior's ESS."""
    weights = weights_of(claims.loglik(bank.gap, mask=early), bank.votes)
    reported = claims.reported(bank.gap)[:, later[claims.counted]]
    return np.log(weights.weights @ reported), weights.ess


def out_of_sample_table(
    banks: dict[tuple[str, float], Bank],
    claims: Claims,
    targets: Sequence[Target],
    cutoff: dt.date,
) -> pd.DataFrame:
    """Per variant (registry widths): the later claims' summed log score, its standard
    error, and its difference from the null's and the full model's, paired by claim."""
    early = early_mask(targets, cutoff)
    later = ~early & claims.counted
    scores = {
        name: predictive_log_scores(bank, claims, early, later)
        for (name, width), bank in banks.items()
        if width == 1.0
    }
    rows = []
    for name, (score, size) in scores.items():
        row = {"model": name, "later_targets": int(later.sum()), "posterior_ess": size}
        row["log_score"], row["log_score_se"] = paired(score, np.zeros_like(score))
        for other in ("null", "full"):
            row[f"minus_{other}"], row[f"minus_{other}_se"] = paired(score, scores[other][0])
        rows.append(row)
    return pd.DataFrame(rows)


def paired(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Σ(a − b) and its standard error √n · sd(a − b) over paired terms."""
    d = a - b
    return float(d.sum()), float(np.sqrt(len(d)) * d.std(ddof=1)) if len(d) > 1 else 0.0


def recovery_table(
    banks: dict[tuple[str, float], Bank], claims: Claims, datasets: int, seed: int
) -> pd.DataFrame:
    """Per generating variant: how often each variant has the largest evidence on the
    synthetic evidence of `datasets` of its members (registry widths)."""
    names = [name for name, width in banks if width == 1.0]
    rng = np.random.default_rng(substream(seed, CHECK_STREAM))
    rows = []
    for truth in names:
        bank = banks[truth, 1.0]
        picked = dict.fromkeys(names, 0)
        for member in rng.choice(bank.size, datasets, replace=False):
            direction = claims.draw(bank.gap[member], rng)
            scores = {
                name: log_evidence(
                    claims.loglik(banks[name, 1.0].gap, direction),
                    None,
                    member if name == truth else None,  # the truth is not evidence for itself
                )[0]
                for name in names
            }
            picked[max(scores, key=lambda n: scores[n])] += 1
        rows.append(
            {
                "generated_by": truth,
                "datasets": datasets,
                "recovered": picked[truth] / datasets,
                **{f"picked_{name}": count / datasets for name, count in picked.items()},
            }
        )
    return pd.DataFrame(rows)


def probability_table(evidence: pd.DataFrame) -> pd.DataFrame:
    """Each variant's posterior probability under equal prior odds (registry widths): its
    evidence over the sum of all variants' evidence."""
    at = evidence[evidence["prior_width"] == 1.0]
    log_z = at["log_evidence"].to_numpy()
    weight = np.exp(log_z - log_z.max())
    return pd.DataFrame(
        {
            "model": at["model"].to_numpy(),
            "log_evidence": log_z,
            "log_evidence_se": at["log_evidence_se"].to_numpy(),
            "probability": weight / weight.sum(),
        }
    )


def posterior_samples(
    banks: dict[tuple[str, float], Bank], claims: Claims, seed: int
) -> pd.DataFrame:
    """`KEPT_DRAWS` parameter vectors of each variant's posterior (registry widths),
    resampled by weight with replacement; every calibrated parameter is a column, 0 where
    the variant fixes it."""
    rng = np.random.default_rng(substream(seed, MODELS_STREAM))
    frames = []
    for (name, width), bank in banks.items():
        if width != 1.0:
            continue
        weights = weights_of(claims.loglik(bank.gap), bank.votes).weights
        rows = rng.choice(bank.size, KEPT_DRAWS, p=weights)
        frame = pd.DataFrame(bank.theta[rows], columns=list(bank.prior.names))
        values = {p: frame.get(p, 0.0) for p in CALIBRATED}
        frames.append(pd.DataFrame({"model": name, "draw": np.arange(KEPT_DRAWS), **values}))
    return pd.concat(frames, ignore_index=True)


def verdict_table(evidence: pd.DataFrame, out_of_sample: pd.DataFrame) -> pd.DataFrame:
    """Per mechanism: its Bayes factor (full over the ablation) under each width, the
    out-of-sample difference, and whether the rule of ODD.md §7.16 supports it."""
    log_z = evidence.set_index(["model", "prior_width"])
    oos = {row["model"]: row for row in out_of_sample.to_dict("records")}
    rows = []
    for mechanism in MECHANISMS:
        ablation = f"no-{mechanism}"
        if ablation not in oos or "full" not in oos:
            continue
        row: dict[str, Any] = {"mechanism": mechanism}
        factors = []
        for width in sorted(evidence["prior_width"].unique()):
            full, off = log_z.loc[("full", width)], log_z.loc[(ablation, width)]
            factor = float(np.exp(full["log_evidence"] - off["log_evidence"]))
            row[f"bf_width_{width:g}"] = factor
            row[f"bf_width_{width:g}_log_se"] = float(
                np.hypot(full["log_evidence_se"], off["log_evidence_se"])
            )
            factors.append(factor)
        difference, se = -float(oos[ablation]["minus_full"]), float(oos[ablation]["minus_full_se"])
        row["oos_full_minus_ablation"], row["oos_se"] = difference, se
        row["supported"] = bool(min(factors) > SUPPORT_FACTOR and difference > -SUPPORT_SE * se)
        rows.append(row)
    return pd.DataFrame(rows)


def model_choice(
    scenario: Scenario,
    targets: Sequence[Target],
    draws: int,
    seed: int,
    *,
    variants: Sequence[str] = tuple(VARIANTS),
    widths: Sequence[float] = WIDTHS,
    cutoff: dt.date = CUTOFF,
    datasets: int = 20,
    votes: VoteEvidence | None = None,
    progress: Callable[[int], None] | None = None,
) -> ModelChoice:
    """Compare the variants on the same evidence (module docstring).

    Args:
        scenario: the scenario (each variant derived from it).
        draws: prior runs per bank (one bank per variant and width).
        datasets: synthetic datasets per generating variant in the recovery check.
        votes: the vote evidence, when the comparison uses it.
    """
    if datasets > draws:
        raise InputError(f"--datasets {datasets}: more than the {draws} runs of a bank")
    scenario = fitted_scenario(scenario, votes)  # the votes' starting alignments, if used
    claims = reference_claims(scenario, targets, seed)
    banks = variant_banks(scenario, targets, variants, widths, draws, seed, votes, progress)
    evidence = evidence_table(banks, claims)
    oos = out_of_sample_table(banks, claims, targets, cutoff)
    recovery = recovery_table(banks, claims, datasets, seed)
    manifest = {
        "alignsim_version": __version__,
        "kind": "model-comparison",
        "scenario": {"name": scenario.name, "file": str(scenario.path), "hash": scenario.hash},
        "draws_per_bank": draws,
        "banks": len(banks),
        "seed": seed,
        "kappa": KAPPA,
        "cutoff": str(cutoff),
        "widths": list(widths),
        "evidence": "documents" if votes is None else "all",
        "rule": f"supported: Bayes factor > {SUPPORT_FACTOR:g} under every width and "
        f"out-of-sample score not worse by more than {SUPPORT_SE:g} SE",
        "seconds": round(sum(b.seconds for b in banks.values()), 1),
    }
    return ModelChoice(
        evidence,
        oos,
        recovery,
        verdict_table(evidence, oos),
        probability_table(evidence),
        posterior_samples(banks, claims, seed),
        manifest,
    )
