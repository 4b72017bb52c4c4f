"""The measurement model that links alignment to UN General Assembly votes.

**Model.** For an unordered pair of actors (i, j) in calendar year y, let n be the roll calls
on which both voted and k those on which both cast the same vote (yes, no or abstain;
`sim.io.votes`). With the symmetric alignment S = (A[i,j] + A[j,i]) / 2 of that year,

    logit p = a + b·S + c·u,        u = 1 if i or j is the United States, else 0,

and either

- binomial: k ~ Binomial(n, p); or
- beta-binomial: π ~ Beta(p·φ, (1 − p)·φ), k | π ~ Binomial(n, π), so E k = n·p and
  Var k = n·p·(1 − p)·(1 + (n − 1)/(φ + 1)); the binomial is the limit φ → ∞.

Pair-years are independent given the alignments. a is the log-odds of agreement of two
actors at S = 0, b (> 0) how fast agreement rises with alignment, c how far the United
States' votes split from everyone else's at equal alignment, φ the precision of a year's
agreement about its mean: smaller φ, more variation beyond the binomial's, whether from
alignments that miss the line or from the agenda (in 2016 every non-US pair of the six
agreed less and every US pair more; the model treats such a shift as independent noise in
each pair, not as one common shift). The model's alignment in a year is the mean of S over
the run's grid dates in that year (`pair_year_alignment`).

**What is here.** `vote_loglik` (vectorised over parameter sets, for an ABC or likelihood
term); `fit_votes` (maximum likelihood for a, b, c[, φ] given alignments, standard errors
from the observed information) and `dispersion_table` (binomial against beta-binomial by
AIC); `simulate_counts` (synthetic counts for recovery checks); `implied_alignment` and
`implied_profile` (the symmetric alignment of each pair that maximises the likelihood of
the 2015–2017 counts, for given a, b, c, φ, beside a scenario's hand-set values);
`vote_check` (the log predictive score of the 2018–2019 counts under a run's alignments,
against persistence of each pair's 2015–2017 agreement).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.optimize import minimize, minimize_scalar
from scipy.special import expit, gammaln, log_expit, logit

from sim.io.scenario import Scenario
from sim.io.votes import VoteCounts, count_arrays

US = "USA"
#: The counts that set the starting alignments: the three years before 2018-01-01, not 2017
#: alone. Within them each pair's agreement varies within binomial noise (`dispersion_table`,
#: "one share per pair"), so pooling them is consistent with one alignment per pair and
#: gives 250-320 roll calls a pair instead of 95-130 (standard errors about 0.6 times).
BASIS_YEARS = (2015, 2016, 2017)
#: The counts a run is checked against.
CHECK_YEARS = (2018, 2019)
#: Bounds of log φ in fits (φ from 0.1 to 10⁶, where the beta-binomial is binomial).
LOG_PHI = (np.log(0.1), np.log(1e6))
EDGE = 1e-12


@dataclass(frozen=True)
class VoteParams:
    """One parameter set of the measurement model; ``phi=None`` is the binomial."""

    a: float
    b: float
    c: float
    phi: float | None = None


def _col(value: ArrayLike) -> np.ndarray:
    """A scalar or [S] parameter as [S, 1, 1] (or [1, 1]), to broadcast over pairs, years."""
    return np.asarray(value, dtype=float)[..., None, None]


def _logpmf(counts: VoteCounts, eta: np.ndarray, phi: ArrayLike | None) -> np.ndarray:
    """log P(k | n, logit p = eta[, φ]) per pair and year, [..., pairs, years]."""
    k, n = counts.identical, counts.roll_calls
    choose = gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)
    if phi is None:
        return choose + k * log_expit(eta) + (n - k) * log_expit(-eta)
    f = _col(phi)
    yes, no = np.clip(expit(eta), EDGE, 1 - EDGE) * f, np.clip(expit(-eta), EDGE, 1 - EDGE) * f
    # log B(k + pφ, n − k + (1 − p)φ) − log B(pφ, (1 − p)φ), as gammaln: twice betaln's speed
    same = gammaln(k + yes) - gammaln(yes) + gammaln(n - k + no) - gammaln(no)
    return choose + same - (gammaln(n + f) - gammaln(f))


def vote_logpmf(
    counts: VoteCounts,
    alignment: ArrayLike,
    a: ArrayLike,
    b: ArrayLike,
    c: ArrayLike,
    phi: ArrayLike | None = None,
) -> np.ndarray:
    """The log-probability of each pair-year's count, [S, pairs, years] (see `vote_loglik`)."""
    eta = (
        _col(a)
        + _col(b) * np.asarray(alignment, dtype=float)
        + _col(c) * counts.involves(US)[:, None]
    )
    return _logpmf(counts, eta, phi)


def vote_loglik(
    counts: VoteCounts,
    alignment: ArrayLike,
    a: ArrayLike,
    b: ArrayLike,
    c: ArrayLike,
    phi: ArrayLike | None = None,
) -> np.ndarray:
    """The log-likelihood of the counts under each of S parameter sets.

    Args:
        counts: the observed counts, [pairs, years].
        alignment: symmetric alignment per pair and year, [pairs, years] (shared by all
            sets) or [S, pairs, years] (one per set, e.g. one per simulation).
        a, b, c: scalars or [S].
        phi: the beta-binomial precision, scalar or [S]; None for the binomial.

    Returns:
        [S] (a scalar array when every input is unbatched). Pair-years with no roll call
        contribute 0.
    """
    return vote_logpmf(counts, alignment, a, b, c, phi).sum(axis=(-2, -1))


def simulate_counts(
    roll_calls: VoteCounts, alignment: np.ndarray, params: VoteParams, rng: np.random.Generator
) -> VoteCounts:
    """Counts drawn from the model, with the roll calls (and pairs, years) of `roll_calls`."""
    eta = params.a + params.b * alignment + params.c * roll_calls.involves(US)[:, None]
    p = expit(eta)
    if params.phi is not None:
        p = rng.beta(p * params.phi, (1 - p) * params.phi)
    k = rng.binomial(roll_calls.roll_calls, p)
    return VoteCounts(
        roll_calls.actors, roll_calls.pairs, roll_calls.years, k, roll_calls.roll_calls
    )


def hessian(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: float = 1e-3) -> np.ndarray:
    """Central-difference Hessian of a vectorised f ([M, d] -> [M]) at x, in one call of f."""
    d, steps = len(x), np.eye(len(x)) * h
    signs = ((1, 1), (1, -1), (-1, 1), (-1, -1))
    points = [x + s * steps[i] + t * steps[j] for i in range(d) for j in range(d) for s, t in signs]
    v = f(np.array(points)).reshape(d, d, 4)
    return np.asarray((v[..., 0] - v[..., 1] - v[..., 2] + v[..., 3]) / (4 * h * h))


def negative_with_gradient(
    f: Callable[[np.ndarray], np.ndarray], h: float = 1e-5
) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """−f and its central-difference gradient at x, from one call of a vectorised f."""

    def value(x: np.ndarray) -> tuple[float, np.ndarray]:
        steps = np.eye(len(x)) * h
        v = -f(np.vstack([x, x + steps, x - steps]))
        return float(v[0]), (v[1 : len(x) + 1] - v[len(x) + 1 :]) / (2 * h)

    return value


@dataclass(frozen=True)
class VoteFit:
    """A maximum-likelihood fit of the measurement model.

    Attributes:
        names: the parameters ("a", "b", "c" and, for the beta-binomial, "phi").
        estimate: their estimates.
        se: their standard errors from the observed information (φ's by the delta method
            from log φ; NaN where the information is singular or φ is at a bound).
        loglik: the maximised log-likelihood.
        observations: pair-years with at least one roll call.
        converged: whether the optimiser reported success.
    """

    names: tuple[str, ...]
    estimate: np.ndarray
    se: np.ndarray
    loglik: float
    observations: int
    converged: bool

    @property
    def aic(self) -> float:
        """Akaike's information criterion, 2·(parameters) − 2·loglik."""
        return 2 * len(self.names) - 2 * self.loglik

    @property
    def params(self) -> VoteParams:
        """The estimates as `VoteParams`."""
        values = dict(zip(self.names, self.estimate.tolist(), strict=True))
        return VoteParams(values["a"], values["b"], values["c"], values.get("phi"))


def _theta_loglik(counts: VoteCounts, alignment: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """The log-likelihood at [M, 3] (a, b, c) or [M, 4] (a, b, c, log φ) parameter rows."""
    phi = np.exp(theta[:, 3]) if theta.shape[1] == 4 else None
    return vote_loglik(counts, alignment, theta[:, 0], theta[:, 1], theta[:, 2], phi)


def _standard_errors(info: np.ndarray) -> np.ndarray:
    """Square roots of the diagonal of the inverse information (NaN if not invertible)."""
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        return np.full(len(info), np.nan)
    return np.sqrt(np.where(np.diag(cov) > 0, np.diag(cov), np.nan))


def fit_votes(counts: VoteCounts, alignment: np.ndarray, dispersion: bool = True) -> VoteFit:
    """Maximum-likelihood a, b, c (and φ when `dispersion`) given alignments [pairs, years].

    L-BFGS-B on (a, b, c, log φ) from (0, 1, 0, log 100), log φ within `LOG_PHI`; standard
    errors from the central-difference Hessian of the log-likelihood at the optimum.
    """

    def loglik(theta: np.ndarray) -> np.ndarray:
        return _theta_loglik(counts, alignment, np.atleast_2d(theta))

    start = np.array([0.0, 1.0, 0.0, np.log(100.0)][: 4 if dispersion else 3])
    bounds = [(None, None)] * 3 + ([LOG_PHI] if dispersion else [])
    result = minimize(
        negative_with_gradient(loglik), start, jac=True, method="L-BFGS-B", bounds=bounds
    )
    se = _standard_errors(-hessian(loglik, result.x))
    estimate = result.x.copy()
    if dispersion:
        estimate[3] = np.exp(result.x[3])
        at_bound = np.isclose(result.x[3], LOG_PHI, atol=1e-3).any()
        se[3] = np.nan if at_bound else estimate[3] * se[3]
    names = ("a", "b", "c", "phi")[: len(start)]
    observed = int((counts.roll_calls > 0).sum())
    return VoteFit(names, estimate, se, -float(result.fun), observed, bool(result.success))


def _persistence_loglik(counts: VoteCounts, dispersion: bool) -> tuple[int, float, float]:
    """Parameter count, maximised log-likelihood and φ (NaN for the binomial) of one constant
    p per pair (and one φ)."""
    share = np.clip(counts.share(), 1e-6, 1 - 1e-6)
    start = np.append(logit(share), np.log(100.0)) if dispersion else logit(share)

    def nll(theta: np.ndarray) -> float:
        phi = np.exp(theta[-1]) if dispersion else None
        eta = np.broadcast_to(theta[: len(share), None], counts.identical.shape)
        return -float(_logpmf(counts, eta, phi).sum())

    bounds = [(None, None)] * len(share) + ([LOG_PHI] if dispersion else [])
    result = minimize(nll, start, method="L-BFGS-B", bounds=bounds)
    phi = float(np.exp(result.x[-1])) if dispersion else np.nan
    return len(start), -float(result.fun), phi


def dispersion_table(counts: VoteCounts, alignment: np.ndarray) -> pd.DataFrame:
    """Binomial against beta-binomial, by log-likelihood and AIC.

    Rows: the measurement model given `alignment` (a, b, c[, φ]), and a saturated check
    that needs no alignments: one constant agreement per pair over the years of `counts`
    (so a φ well below ∞ there means year-to-year variation beyond binomial noise).
    """
    rows = []
    for dispersion in (False, True):
        fit = fit_votes(counts, alignment, dispersion)
        phi = fit.estimate[3] if dispersion else np.nan
        rows.append(("a + b·S + c·US", dispersion, len(fit.names), fit.loglik, phi))
        rows.append(("one share per pair", dispersion, *_persistence_loglik(counts, dispersion)))
    table = pd.DataFrame(rows, columns=["model", "beta_binomial", "parameters", "loglik", "phi"])
    table["aic"] = 2 * table["parameters"] - 2 * table["loglik"]
    table["delta_aic"] = table["aic"] - table.groupby("model")["aic"].transform("min")
    return table.sort_values(["model", "beta_binomial"], ignore_index=True)


def pair_alignment(matrix: np.ndarray) -> np.ndarray:
    """Symmetric alignment (A[i,j] + A[j,i]) / 2 of each pair i < j, [..., N, N] -> [..., P]."""
    rows, cols = np.triu_indices(matrix.shape[-1], 1)
    return np.asarray((matrix[..., rows, cols] + matrix[..., cols, rows]) / 2)


def _pair_loglik(counts: VoteCounts, params: VoteParams) -> Callable[[ArrayLike], np.ndarray]:
    """Per pair, the log-likelihood of a constant S over the years of `counts`.

    The function takes one S for every pair (a scalar) or one per pair ([P]); returns [P].
    """

    def loglik(s: ArrayLike) -> np.ndarray:
        aligned = np.broadcast_to(np.asarray(s, dtype=float)[..., None], counts.identical.shape)
        return vote_logpmf(counts, aligned, params.a, params.b, params.c, params.phi).sum(-1)

    return loglik


def implied_alignment(
    table: pd.DataFrame,
    scenario: Scenario,
    params: VoteParams,
    years: Sequence[int] = BASIS_YEARS,
) -> pd.DataFrame:
    """The symmetric alignment of each pair that maximises the likelihood of its counts.

    S is held constant over `years` and maximised within [−1, 1] for the given a, b, c, φ
    (b > 0); its standard error is 1/√(−ℓ''(S)) at the estimate (at a bound the estimate is
    not an interior maximum and the figure only a curvature, flagged by ``at_bound``). For
    the binomial (``phi=None``) S = (logit(k/n) − a − c·u) / b exactly, clipped to [−1, 1].

    Which φ: with S free per pair, the noise left is each pair's variation about its own
    mean, binomial in 2015–2017, so ``phi=None`` is the consistent choice here. A φ fitted
    with a given set of alignments (`fit_votes`) also absorbs how far those alignments miss
    the line a + b·S + c·u, and would widen every standard error for that reason.

    Returns:
        One row per pair of the scenario's actors: ``pair``, ``hand_set`` (the scenario's
        (A[i,j] + A[j,i]) / 2), ``implied``, ``se``, ``at_bound``, ``agreement`` (k / n
        over `years`) and ``roll_calls`` (n over `years`).
    """
    if params.b <= 0:
        raise ValueError(f"b must be positive to invert the model, got {params.b}")
    counts = count_arrays(table, scenario.actor_ids, years)
    loglik, h = _pair_loglik(counts, params), 1e-4
    implied = np.array([_argmax(loglik, p) for p in range(len(counts.pairs))])
    curvature = (loglik(implied + h) - 2 * loglik(implied) + loglik(implied - h)) / h**2
    return pd.DataFrame(
        {
            "pair": ["-".join(pair) for pair in counts.pairs],
            "hand_set": pair_alignment(scenario.alignment),
            "implied": implied,
            "se": 1 / np.sqrt(np.maximum(-curvature, 1e-300)),
            "at_bound": np.isclose(np.abs(implied), 1, atol=1e-4),
            "agreement": counts.share(),
            "roll_calls": counts.roll_calls.sum(axis=1),
        }
    )


def _argmax(loglik: Callable[[ArrayLike], np.ndarray], pair: int) -> float:
    """The S in [−1, 1] that maximises one pair's log-likelihood."""
    found = minimize_scalar(
        lambda s: -float(loglik(s)[pair]), bounds=(-1, 1), method="bounded", options={"xatol": 1e-7}
    )
    return float(found.x)


def implied_profile(
    table: pd.DataFrame,
    scenario: Scenario,
    grid: Iterable[VoteParams],
    years: Sequence[int] = BASIS_YEARS,
) -> pd.DataFrame:
    """`implied_alignment` at each parameter set of `grid`, stacked with columns a, b, c, phi."""
    frames = [
        implied_alignment(table, scenario, p, years).assign(a=p.a, b=p.b, c=p.c, phi=p.phi)
        for p in grid
    ]
    return pd.concat(frames, ignore_index=True)


def pair_year_alignment(history: np.ndarray, dates: np.ndarray, years: Sequence[int]) -> np.ndarray:
    """Each pair's symmetric alignment averaged over the grid dates of each year, [P, Y].

    Args:
        history: alignment at every grid date, [K + 1, N, N].
        dates: the K + 1 dates (datetime64).
        years: calendar years, each with at least one grid date.
    """
    year_of = np.asarray(dates, dtype="datetime64[Y]").astype(int) + 1970
    missing = [y for y in years if not (year_of == y).any()]
    if missing:
        raise ValueError(f"the run has no date in {', '.join(map(str, missing))}")
    pairs = pair_alignment(history)
    return np.stack([pairs[year_of == y].mean(axis=0) for y in years], axis=-1)


@dataclass(frozen=True)
class VoteCheck:
    """A run's alignments against persistence, scored on later counts.

    Attributes:
        table: per pair and year: ``pair``, ``year``, ``roll_calls``, ``identical``,
            ``alignment`` (the run's), ``p_model``, ``p_persistence`` (the pair's agreement
            over the basis years), ``logp_model``, ``logp_persistence``.
        model: the summed log predictive score of the run's alignments.
        persistence: the same for persistence.
    """

    table: pd.DataFrame
    model: float
    persistence: float

    @property
    def difference(self) -> float:
        """model − persistence: positive when the run's alignments predict the votes better."""
        return self.model - self.persistence

    @property
    def se(self) -> float:
        """Standard error of the difference: √m times the standard deviation of the m
        pair-years' differences (pair-years taken as independent)."""
        d = self.table["logp_model"] - self.table["logp_persistence"]
        return float(np.sqrt(len(d)) * d.std(ddof=1))


def vote_check(
    table: pd.DataFrame,
    history: np.ndarray,
    dates: np.ndarray,
    actor_ids: Sequence[str],
    params: VoteParams,
    years: Sequence[int] = CHECK_YEARS,
    basis: Sequence[int] = BASIS_YEARS,
) -> VoteCheck:
    """The log predictive score of `years`' counts under a run's alignments and under
    persistence (each pair's pooled agreement over `basis`), both with the same φ.

    Args:
        table: the counts table (`sim.io.votes.read_vote_counts`).
        history: the run's alignment, [K + 1, N, N], over `dates`; N = len(actor_ids).
        params: the measurement model's a, b, c, φ.
    """
    counts = count_arrays(table, actor_ids, years)
    shares = np.clip(count_arrays(table, actor_ids, basis).share(), 1e-6, 1 - 1e-6)
    aligned = pair_year_alignment(history, dates, years)
    eta = params.a + params.b * aligned + params.c * counts.involves(US)[:, None]
    eta_persistence = np.broadcast_to(logit(shares)[:, None], eta.shape)
    model, persistence = (_logpmf(counts, e, params.phi) for e in (eta, eta_persistence))
    pairs = ["-".join(pair) for pair in counts.pairs]
    rows = pd.DataFrame(
        {
            "pair": np.repeat(pairs, len(years)),
            "year": np.tile(years, len(pairs)),
            "roll_calls": counts.roll_calls.ravel(),
            "identical": counts.identical.ravel(),
            "alignment": aligned.ravel(),
            "p_model": expit(eta).ravel(),
            "p_persistence": expit(eta_persistence).ravel(),
            "logp_model": model.ravel(),
            "logp_persistence": persistence.ravel(),
        }
    )
    return VoteCheck(rows, float(model.sum()), float(persistence.sum()))


@dataclass(frozen=True)
class VoteEvidence:
    """The vote counts an inference scores runs against, with the measurement model's
    parameters (ODD.md §7.15).

    Attributes:
        counts: the counts of `CHECK_YEARS` among the scenario's actors.
        params: a, b, c, φ: the maximum-likelihood fit of the `BASIS_YEARS` counts at the
            scenario's hand-set starting alignments (`fit_votes`), held fixed (plug-in).
        starting: the symmetric starting alignment per pair the basis counts imply
            (`implied_alignment`), [pairs].
    """

    counts: VoteCounts
    params: VoteParams
    starting: np.ndarray

    def steps(self, dates: np.ndarray) -> list[int]:
        """The grid steps inside the counted years."""
        year_of = np.asarray(dates, dtype="datetime64[Y]").astype(int) + 1970
        return [int(k) for k in np.flatnonzero(np.isin(year_of, self.counts.years))]

    def loglik(self, history: np.ndarray, dates: np.ndarray) -> np.ndarray:
        """Each run's log-likelihood of the counts, [R], from its alignment at the grid
        dates `dates` of the counted years, [R, len(dates), N, N] (a year's alignment is
        the mean over its dates, as in `pair_year_alignment`)."""
        year_of = np.asarray(dates, dtype="datetime64[Y]").astype(int) + 1970
        pairs = pair_alignment(history)
        aligned = np.stack([pairs[:, year_of == y].mean(axis=1) for y in self.counts.years], -1)
        p = self.params
        return vote_loglik(self.counts, aligned, np.full(len(aligned), p.a), p.b, p.c, p.phi)

    def start(self, alignment: np.ndarray) -> np.ndarray:
        """Starting alignments [N, N] with each pair's symmetric part set to the votes'
        and the antisymmetric part (A[i,j] − A[j,i]) / 2 kept."""
        n = len(alignment)
        i, j = np.triu_indices(n, 1)
        symmetric = np.zeros((n, n))
        symmetric[i, j] = symmetric[j, i] = self.starting
        started: np.ndarray = (alignment - alignment.T) / 2 + symmetric
        np.fill_diagonal(started, 0.0)
        return np.clip(started, -1.0, 1.0)


def vote_evidence(table: pd.DataFrame, scenario: Scenario) -> VoteEvidence:
    """The measurement model fitted at the scenario's hand-set starting alignments on the
    basis years, the starting alignments it implies, and the check years' counts."""
    basis = count_arrays(table, scenario.actor_ids, BASIS_YEARS)
    hand_set = pair_alignment(scenario.alignment)[:, None].repeat(len(BASIS_YEARS), 1)
    fit = fit_votes(basis, hand_set, dispersion=True)
    implied = implied_alignment(table, scenario, VoteParams(*fit.estimate[:3]))
    counts = count_arrays(table, scenario.actor_ids, CHECK_YEARS)
    return VoteEvidence(counts, fit.params, implied["implied"].to_numpy())
