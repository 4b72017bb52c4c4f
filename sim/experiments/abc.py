"""Approximate Bayesian computation on a bank of prior simulations (ODD.md §7.16).

Each prior run m gets the weight

    w_m ∝ K(d_m / h) · L_m,        K(u) = max(0, 1 − u²)  (Epanechnikov),

where d_m is its distance to the evidence (the targets' weighted mean hinge violation,
`sim.experiments.bank.Bank.distance`), h the tolerance and L_m the likelihood of the vote
counts when the evidence includes them (1 otherwise). Because the runs are drawn from the
prior, these are importance weights of the ABC posterior (Beaumont, Zhang & Balding 2002
for kernel weights; Sisson, Fan & Beaumont 2018, ch. 1). The tolerance is the smallest one
at which Kish's effective sample size (Σw)² / Σw² reaches the asked-for size, so the
posterior is as close to the evidence as the bank allows at that precision.

The mean of K(d/h)·L over the prior runs estimates the evidence (marginal likelihood) of
the model at that tolerance; ratios of two models' estimates at a common tolerance are ABC
Bayes factors (Didelot et al. 2011), whose standard errors follow from the delta method.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def kish_ess(weights: np.ndarray) -> float:
    """Kish's effective sample size of non-negative weights, (Σw)² / Σw²."""
    total = float(weights.sum())
    return 0.0 if total <= 0 else total**2 / float((weights**2).sum())


def kernel(distance: np.ndarray, bandwidth: float) -> np.ndarray:
    """The Epanechnikov kernel K(d / h) = max(0, 1 − (d/h)²); 1 at d = 0 for any h."""
    if bandwidth <= 0:
        return (distance == 0).astype(float)
    value: np.ndarray = np.maximum(0.0, 1.0 - (distance / bandwidth) ** 2)
    return value


def _scaled(distance: np.ndarray, votes: np.ndarray | None, bandwidth: float) -> np.ndarray:
    """K(d/h)·L / max L over the runs the kernel keeps (all zeros when it keeps none)."""
    k = kernel(distance, bandwidth)
    if votes is None:
        return k
    kept = k > 0
    if not kept.any():
        return k
    scaled: np.ndarray = k * np.exp(np.where(kept, votes - votes[kept].max(), -np.inf))
    return scaled


@dataclass(frozen=True)
class Weights:
    """ABC weights of a bank's runs.

    Attributes:
        weights: normalised weights, [M] (sum 1).
        bandwidth: the tolerance h, in the distance's units.
        ess: Kish's effective sample size of the weights.
        asked: the effective sample size asked for.
    """

    weights: np.ndarray
    bandwidth: float
    ess: float
    asked: float


def weights_at(distance: np.ndarray, votes: np.ndarray | None, bandwidth: float) -> Weights:
    """The weights at a given tolerance."""
    raw = _scaled(distance, votes, bandwidth)
    total = raw.sum()
    normal = raw / total if total > 0 else raw
    return Weights(normal, bandwidth, kish_ess(raw), float("nan"))


def abc_weights(
    distance: np.ndarray,
    votes: np.ndarray | None = None,
    ess: float = 1000.0,
    leave_out: int | None = None,
) -> Weights:
    """Weights at the smallest tolerance whose effective sample size reaches `ess`.

    The candidates are the runs' distinct distances (a run at exactly the tolerance gets
    weight 0); when even the largest cannot reach `ess`, the tolerance is just above the
    largest distance and the size reached is reported.

    Args:
        distance: each run's distance, [M].
        votes: each run's vote log-likelihood, [M], or None.
        ess: the effective sample size asked for.
        leave_out: a run to leave out (its weight is 0): the synthetic truth in
            simulation-based calibration.
    """
    d = distance.astype(float, copy=True)
    if leave_out is not None:
        d[leave_out] = np.inf
    candidates = np.unique(d[np.isfinite(d)])
    if candidates[0] == 0 and len(candidates) > 1:
        candidates = candidates[1:]
    low, high = 0, len(candidates) - 1
    reached = kish_ess(_scaled(d, votes, float(candidates[high])))
    if reached < ess:
        top = float(candidates[high]) * (1 + 1e-9) + 1e-300
        found = weights_at(d, votes, top)
        return Weights(found.weights, top, found.ess, ess)
    while low < high:
        middle = (low + high) // 2
        if kish_ess(_scaled(d, votes, float(candidates[middle]))) >= ess:
            high = middle
        else:
            low = middle + 1
    found = weights_at(d, votes, float(candidates[low]))
    return Weights(found.weights, found.bandwidth, found.ess, ess)


def log_evidence(
    distance: np.ndarray, votes: np.ndarray | None, bandwidth: float
) -> tuple[float, float]:
    """The log of the ABC evidence at a tolerance, mean of K(d/h)·L over the prior runs,
    and its Monte Carlo standard error by the delta method (sd / (√M · mean)).

    Returns -inf (and an infinite error) when no run is within the tolerance.
    """
    raw = _scaled(distance, votes, bandwidth)
    mean = float(raw.mean())
    if mean <= 0:
        return -np.inf, np.inf
    offset = 0.0 if votes is None else float(votes[kernel(distance, bandwidth) > 0].max())
    se = float(raw.std(ddof=1) / (np.sqrt(len(raw)) * mean))
    return float(np.log(mean) + offset), se


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, q: list[float]) -> np.ndarray:
    """Quantiles of weighted draws (the inverse of their weighted empirical CDF)."""
    return np.quantile(values, q, weights=weights, method="inverted_cdf")
