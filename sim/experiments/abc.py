"""ABC whose kernel is the documents' measurement model (ODD.md §7.16).

A target's claim reads the oriented gap g = lhs − rhs (positive in the claim's direction;
`sim.experiments.bank`). A document is taken to report the direction of g − margin with
Gaussian error of scale σ: it reports the claim's direction with probability
Φ((g − margin) / σ), the opposite one with Φ(−(g − margin) / σ). So the kernel of a run,

    K = Π_t Φ(s_t · (g_t − m_t) / σ_t),      s_t = +1 for a claim as written,

is a proper probability of the documents' claims given the run: ABC under an explicit model
of the documents' error (Wilkinson 2013), which makes the weighted prior runs exact
importance samples of that model's posterior (one run per vector gives an unbiased
estimate of the likelihood: pseudo-marginal importance sampling), and the mean of K over
the prior runs an unbiased estimate of the evidence, so ratios are Bayes factors. A hard
tolerance on the hinge violations, tried first, fails simulation-based calibration on this
model (README, "Calibration: a posterior").

σ_t = `KAPPA` × the claim's prior-predictive spread (the standard deviation of g_t over
the full model's prior runs) / its weight relative to the largest, so that every claim is
as clear as its own change is large, a hedged claim (weight 0.5) is read with twice the
error and a claim of weight 0 carries no information. The spread comes from one reference
bank (`sim.experiments.bank.reference_claims`), common to every variant and prior width,
so every model is scored against the same measurement model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import log_ndtr, ndtr

#: The documents' error scale, in units of each claim's prior-predictive spread: a gap of a
#: quarter of its spread is reported in its direction with probability Φ(1) ≈ 0.84.
KAPPA = 0.25


@dataclass(frozen=True)
class Claims:
    """The documents' measurement model of the targets' claims.

    Attributes:
        scale: each claim's error scale σ_t, [T] (infinite for a claim of weight 0).
        margin: each claim's margin, [T].
    """

    scale: np.ndarray
    margin: np.ndarray

    @property
    def counted(self) -> np.ndarray:
        """Whether each claim carries information (finite scale), [T]."""
        counted: np.ndarray = np.isfinite(self.scale)
        return counted

    def z(self, gap: np.ndarray) -> np.ndarray:
        """(g − m) / σ of the counted claims, [..., counted]."""
        c = self.counted
        z: np.ndarray = (gap[..., c] - self.margin[c]) / self.scale[c]
        return z

    def loglik(
        self, gap: np.ndarray, direction: np.ndarray | None = None, mask: np.ndarray | None = None
    ) -> np.ndarray:
        """log Π_t Φ(s_t z_t) of each run, [M], over the counted claims (and `mask`'s).

        Args:
            gap: oriented gaps, [M, T].
            direction: the reported directions s_t (±1, [T]); all +1 (the claims as
                written) when None.
            mask: which claims to use, [T]; all when None.
        """
        z = self.z(gap)
        if direction is not None:
            z = z * direction[self.counted]
        terms = log_ndtr(z)
        if mask is not None:
            terms = terms[..., mask[self.counted]]
        total: np.ndarray = terms.sum(axis=-1)
        return total

    def reported(self, gap: np.ndarray) -> np.ndarray:
        """The probability that each counted claim is reported as written, [M, counted]."""
        p: np.ndarray = ndtr(self.z(gap))
        return p

    def draw(self, gap: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Directions a document would report from one run's gaps ([T] → [T] of ±1; +1
        for the claims that carry no information): a synthetic observation."""
        direction = np.ones(len(self.scale))
        c = self.counted
        direction[c] = np.where(rng.uniform(size=int(c.sum())) < self.reported(gap), 1.0, -1.0)
        return direction


def claims_of(reference_gap: np.ndarray, margin: np.ndarray, weight: np.ndarray) -> Claims:
    """The measurement model with σ_t = KAPPA · sd(g_t) / (w_t / max w) from a reference
    bank's gaps [M, T] (infinite where the weight is 0 or the gap never varies)."""
    spread = reference_gap.std(axis=0)
    relative = weight / weight.max()
    informative = (relative > 0) & (spread > 0)
    scale = np.full(len(weight), np.inf)
    scale[informative] = KAPPA * spread[informative] / relative[informative]
    return Claims(scale, np.asarray(margin, dtype=float))


def kish_ess(weights: np.ndarray) -> float:
    """Kish's effective sample size of non-negative weights, (Σw)² / Σw²."""
    total = float(weights.sum())
    return 0.0 if total <= 0 else total**2 / float((weights**2).sum())


@dataclass(frozen=True)
class Weights:
    """Normalised importance weights of a bank's runs ([M], sum 1) and their Kish ESS."""

    weights: np.ndarray
    ess: float


def _log_weights(loglik: np.ndarray, votes: np.ndarray | None, leave_out: int | None) -> np.ndarray:
    """Each run's log weight: its claims' and votes' log-likelihood (−∞ if left out)."""
    total = loglik if votes is None else loglik + votes
    if leave_out is not None:
        total = total.copy()
        total[leave_out] = -np.inf
    return total


def weights_of(
    loglik: np.ndarray, votes: np.ndarray | None = None, leave_out: int | None = None
) -> Weights:
    """The posterior weights of prior runs from their log-likelihoods (claims and, when
    given, votes); `leave_out` a run to give weight 0 (a synthetic truth)."""
    total = _log_weights(loglik, votes, leave_out)
    raw = np.exp(total - total.max())
    return Weights(raw / raw.sum(), kish_ess(raw))


def log_evidence(
    loglik: np.ndarray, votes: np.ndarray | None = None, leave_out: int | None = None
) -> tuple[float, float]:
    """The log of the evidence, log mean exp(log-likelihood) over the prior runs, and its
    Monte Carlo standard error by the delta method (sd / (√M · mean))."""
    total = _log_weights(loglik, votes, leave_out)
    top = float(total.max())
    raw = np.exp(total - top)
    kept = np.ones(len(raw), bool)
    if leave_out is not None:
        kept[leave_out] = False  # the left-out run is not part of the prior sample
    mean = float(raw[kept].mean())
    se = float(raw[kept].std(ddof=1) / (np.sqrt(kept.sum()) * mean))
    return float(np.log(mean) + top), se


#: The posterior interval reported: 90%.
INTERVAL = (0.05, 0.95)


def summarise(theta: np.ndarray, weights: np.ndarray, span: np.ndarray) -> np.ndarray:
    """Per parameter of weighted draws [M, D]: the 5% quantile, median, 95% quantile and
    shrinkage, 1 − posterior 90% width / prior 90% width (`span` the prior intervals' widths
    of uniform priors), as [D, 4]."""
    rows = []
    for d in range(theta.shape[1]):
        low, median, high = weighted_quantiles(
            theta[:, d], weights, [INTERVAL[0], 0.5, INTERVAL[1]]
        )
        width = (INTERVAL[1] - INTERVAL[0]) * span[d]
        rows.append((low, median, high, 1 - (high - low) / width))
    return np.array(rows, dtype=float).reshape(theta.shape[1], 4)


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, q: list[float]) -> np.ndarray:
    """Quantiles of weighted draws (the inverse of their weighted empirical CDF)."""
    return np.quantile(values, q, weights=weights, method="inverted_cdf")
