"""Pure kernels of the alignment dynamics, on arrays whose first axis is the run.

State (`State`): alignment ``A[R, N, N]`` (row actor's stance toward the column actor, −1..1,
diagonal unused and kept at 0), its long-run baseline ``B[R, N, N]`` (the relationship's
memory), the partner sizes ``c_j^γ [R, N]``, the capabilities ``c [N]`` and the parameters,
arrays of shape ``[R]`` (one value per run) keyed by the names of `sim.core.params`; they
travel together. The Mesa model calls these kernels
with R = 1 and the ensemble with R in the thousands, so both drivers advance a run
identically. Nothing here knows of Mesa, files or plots; nothing draws random numbers: the
drivers pass the draws in.

The rules are those of ODD.md §7, with the sources cited per kernel. One refinement over
the starting design (ODD.md §7.13): the third-party reaction is not added linearly but goes
through the same saturating map as the direct impulse, so that it cannot leave [-1, 1]
either.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sim.core.events import Schedule
from sim.core.params import REGISTRY

Params = Mapping[str, np.ndarray]

#: Largest Euler sub-step, as a fraction of 1 / rate: explicit Euler oscillates when
#: rate * dt > 2 and loses accuracy well before; 0.5 keeps it smooth (ODD.md §7.8).
MAX_RATE_STEP = 0.5

#: Step length of the spin-up, in days.
SPINUP_STEP_DAYS = 7.0


def saturate(x: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Move x toward sign(u) by the fraction 1 − e^{−|u|}.

    ODD.md §7.1: ``A += (sign(u) − A)(1 − e^{−|u|})``. For |x| ≤ 1 the result stays in
    [-1, 1] for any u, and u = 0 leaves x unchanged.
    """
    return x + (np.sign(u) - x) * -np.expm1(-np.abs(u))


def partner_sizes(capability: np.ndarray, gamma: np.ndarray, ndim: int = 2) -> np.ndarray:
    """Partner sizes ``c_j^γ`` per run, shaped to weigh rows of `ndim` dimensions whose first
    axis is the run's: [R, 1, ..., N] (capability [N], share exponent γ [R])."""
    size = capability[None, :] ** np.asarray(gamma, dtype=float).reshape(-1)[:, None]
    return size.reshape(size.shape[:1] + (1,) * (ndim - 2) + size.shape[1:])


def normalise(weights: np.ndarray) -> np.ndarray:
    """Divide each row of weights by its total, in place; rows that sum to 0 stay all 0."""
    total = np.einsum("...j->...", weights)[..., None]  # einsum: 4x faster than .sum here
    weights /= np.where(total > 0, total, 1.0)
    return weights


def partner_shares(rows: np.ndarray, size: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Partner shares ``s_ij = c_j^γ max(A_ij, 0) / Σ_k c_k^γ max(A_ik, 0)`` of alignment
    rows [R, ..., N], given the partners' sizes ``c_j^γ`` (`partner_sizes`, or any shape
    that broadcasts), written into `out` when given.

    ODD.md §7.7 (a Kuik-style portfolio of partners): the exponent γ < 1 keeps a small
    partner visible in the portfolio. An actor with no positive tie has all shares 0.
    """
    shares = np.maximum(rows, 0.0, out=out)
    shares *= size
    return normalise(shares)


def concentration(shares: np.ndarray) -> np.ndarray:
    """Herfindahl–Hirschman index of each row's shares (0 for an actor with no partner)."""
    return np.einsum("...j,...j->...", shares, shares)


@dataclass(frozen=True)
class State:
    """The alignment and baseline of R runs, with the partner sizes, capabilities and
    parameters that every kernel moving them needs. The kernels change the arrays in place,
    so whoever holds a `State` sees the current one.

    Attributes:
        alignment: A, [R, N, N].
        baseline: B, [R, N, N].
        size: partner sizes ``c_j^γ`` per run, [R, N] (`partner_sizes`), as the forces
            weigh partners.
        params: parameter arrays [R].
        capability: the actors' capabilities c, [N], as the agents weigh partners
            (`sim.core.policy`).
    """

    alignment: np.ndarray
    baseline: np.ndarray
    size: np.ndarray
    params: Params
    capability: np.ndarray


@dataclass(frozen=True)
class Bilateral:
    """One bilateral event in each of some runs (M of them), as `apply_event` takes it.

    Attributes:
        runs: the runs the events happen in, [M], each at most once.
        source, target: actor indices per event, [M].
        u: impulse per event, [M]; 0 leaves a run unchanged.
        institutional: whether the event moves the baseline, [M].
        bystanders: [M, N] mask of the third parties (not participants of the event).
    """

    runs: np.ndarray
    source: np.ndarray
    target: np.ndarray
    u: np.ndarray
    institutional: np.ndarray
    bystanders: np.ndarray


def apply_event(state: State, event: Bilateral) -> None:
    """Apply one bilateral event in each of its runs, in place.

    ODD.md §7.1: the source's stance toward the target moves by the saturating impulse
    u; the target's stance toward the source by ``reciprocity · u``. Institutional events
    (treaties, formal agreements) also move the baseline by ``baseline_shift``. Third
    parties o react toward the source with Heider's balance, ``spillover · u · A[o, g]``
    (Heider 1946; Cartwright & Harary 1956), and with patron jealousy,
    ``− jealousy · max(u, 0) · s_{s,o}``: a patron cools when its client courts others, in
    proportion to the client's dependence on it (hostile acts of the client toward others
    do not make its patron jealous) (document 001: "China and Russia likely
    felt uneasy seeing Kim treat the Vietnamese guest of honor with such regard").

    Alignment and baseline of `state` are updated in place.
    """
    A, B, params = state.alignment, state.baseline, state.params
    runs, source, target, u = event.runs, event.source, event.target, event.u
    client_shares = partner_shares(A[runs, source], state.size[runs])
    third = (params["spillover"][runs] * u)[:, None] * A[runs, :, target]
    third -= (params["jealousy"][runs] * np.maximum(u, 0.0))[:, None] * client_shares
    A[runs, :, source] = saturate(A[runs, :, source], np.where(event.bystanders, third, 0.0))
    back = params["reciprocity"][runs] * u
    A[runs, source, target] = saturate(A[runs, source, target], u)
    A[runs, target, source] = saturate(A[runs, target, source], back)
    if event.institutional.any():
        shift = np.where(event.institutional, params["baseline_shift"][runs], 0.0)
        for s, g, v in ((source, target, u), (target, source, back)):
            old = B[runs, s, g]
            B[runs, s, g] = old + shift * (saturate(old, v) - old)


@dataclass(frozen=True)
class Rates:
    """The coefficients of the continuous terms for one step length, formed once per run.

    Parameters and actor attributes do not change during a run, so their products are
    formed once per step length rather than every step. Each is a full [R, N, N] array
    (numpy multiplies equal shapes about 2.5 times faster than it broadcasts [R, 1, 1] over
    small trailing axes), and the balance, hedging and noise coefficients have a zero
    diagonal, so those terms never move the (unused) diagonal.

    Attributes:
        substeps: the step's Euler sub-steps (`substeps`).
        to_alignment, to_baseline: the shares of the gap A − B that the alignment and the
            baseline close over the step (`relax`).
        balance: ``balance · h / max(N − 2, 1)``, with sub-step h = days / substeps.
        hedging: ``−hedging_rate · h · h_i`` for row actor i.
        size: ``c_j^γ`` for column actor j (`partner_sizes`).
        noise: ``noise · sqrt(days)``.
    """

    substeps: int
    to_alignment: np.ndarray
    to_baseline: np.ndarray
    balance: np.ndarray
    hedging: np.ndarray
    size: np.ndarray
    noise: np.ndarray


def rates(params: Params, size: np.ndarray, hedging: np.ndarray, days: float) -> Rates:
    """The `Rates` of runs with these parameters [R], partner sizes ``c_j^γ`` [R, N] and
    hedging propensities [R, N]."""
    runs, n = hedging.shape
    full = (runs, n, n)
    off = ~np.eye(n, dtype=bool)
    steps = substeps(days)
    h = days / steps

    def per_run(values: np.ndarray, diagonal: bool = False) -> np.ndarray:
        spread = np.broadcast_to(np.asarray(values, dtype=float)[:, None, None], full)
        return spread.copy() if diagonal else np.where(off, spread, 0.0)

    decay, memory = params["decay"], params["memory"]
    closed = -np.expm1(-(decay + memory) * days)
    either = decay + memory > 0
    share = np.divide(decay, decay + memory, out=np.zeros_like(closed), where=either)
    return Rates(
        substeps=steps,
        to_alignment=per_run(closed * share, diagonal=True),
        to_baseline=per_run(closed * (1.0 - share) * either, diagonal=True),
        balance=per_run(params["balance"] * h / max(n - 2, 1)),
        hedging=np.where(
            off, (-params["hedging_rate"] * h)[:, None, None] * hedging[:, :, None], 0.0
        ),
        size=np.broadcast_to(size[:, None, :], full).copy(),
        noise=per_run(params["noise"] * math.sqrt(days)),
    )


@dataclass(frozen=True)
class Scratch:
    """Work arrays [R, N, N] that the continuous terms reuse every step.

    Without them each step allocates and frees arrays of half a megabyte (at R = 2000,
    N = 6), and the allocator returning that memory to the system and faulting it back in
    cost up to half the step's time in measurements here.
    """

    force: np.ndarray
    hedge: np.ndarray
    damping: np.ndarray

    @classmethod
    def like(cls, A: np.ndarray) -> Scratch:
        """Work arrays shaped like the state A."""
        return cls(np.empty_like(A), np.empty_like(A), np.empty_like(A))


def relax(A: np.ndarray, B: np.ndarray, rates: Rates, work: Scratch) -> None:
    """Relaxation and memory on two time scales, integrated exactly over the step, in place.

    ODD.md §7.5: ``dA/dt = −decay (A − B)`` (an Ornstein–Uhlenbeck mean reversion without
    its noise term, which `advance` adds) and ``dB/dt = memory (A − B)``: the baseline, the
    relationship's memory, slowly follows the alignment, so that a sustained run of events
    accumulates in it while a one-off event fades. States answer a partner's record of past
    acts, not only its last one (Goldstein & Freeman 1990, "Three-Way Street", on
    reciprocity over long horizons; Crescenzi 2018, "Of Friends and Foes", on reputations
    learned from that record). The gap A − B shrinks as ``e^{−(decay + memory) dt}`` and
    ``memory·A + decay·B`` is conserved, so the alignment closes the share
    ``decay / (decay + memory)`` of the gap's change and the baseline the rest
    (`Rates.to_alignment`, `Rates.to_baseline`); with memory 0 the baseline stays put.
    A and B must be different arrays; `work.force` and `work.hedge` are overwritten.
    """
    gap = np.subtract(A, B, out=work.force)
    B += np.multiply(gap, rates.to_baseline, out=work.hedge)
    A -= np.multiply(gap, rates.to_alignment, out=work.hedge)


def balance_drift(A: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Structural-balance drift ``Σ_k A[i,k] A[k,j]`` (diagonal of A is 0), before its rate.

    Kułakowski, Gawroński & Gronek (2005), "The Heider balance: a continuous approach";
    Marvel, Kleinberg, Kleinberg & Strogatz (2011), PNAS 108(5): dX/dt = X². The rate
    (`Rates.balance`) divides by the N − 2 third parties k ≠ i, j, making the sum a mean.
    Written into `out` when given.
    """
    return np.matmul(A, A, out=out)


def hedging_drift(
    A: np.ndarray, size: np.ndarray, out: np.ndarray | None = None, spare: np.ndarray | None = None
) -> np.ndarray:
    """Hedging drift ``(s_ij − HHI_i) · max(A_ij, 0)`` before its rate ``−hedging_rate · h_i``.

    Kuik (2008), "The essence of hedging", Contemporary Southeast Asia 30(2): a hedger
    keeps from choosing one side by mixing "limited bandwagoning" and "binding engagement"
    with its partners and "dominance denial" toward the one it leans on most: partners
    above the average share (HHI = Σ s², the share-weighted mean share) are lowered, the
    others raised (document 004: "diversifying away from dependence on Russia"). The force
    reallocates among partners only, in proportion to each tie's strength, so it never warms
    a hostile or neutral tie (Kuik's risk-contingency options toward a threat are the
    agents' counterbalancing, `sim.core.policy`, not this drift).

    Args:
        A: alignment, [R, N, N]; size: ``c_j^γ``, [R, N, N] (`Rates.size`).
        out: where to write the drift, [R, N, N], if given; spare: work space like A.
    """
    shares = partner_shares(A, size, out)
    shares -= concentration(shares)[..., None]
    shares *= np.maximum(A, 0.0, out=spare)
    return shares


def substeps(days: float) -> int:
    """Number of Euler sub-steps for a step of `days`, from the registry's largest rates.

    Fixed by the step length alone, never by the parameters of the runs in a batch, so a
    run's result does not depend on which runs share its batch.
    """
    fastest = max(REGISTRY["balance"].high, REGISTRY["hedging_rate"].high)
    return max(1, math.ceil(fastest * days / MAX_RATE_STEP))


def drift(A: np.ndarray, B: np.ndarray, rates: Rates, work: Scratch) -> None:
    """Advance the deterministic continuous terms over a step, in place (no events, no noise).

    Relaxation is integrated exactly; structural balance and hedging, both saturated by
    ``(1 − A²)`` so they stay bounded, by explicit Euler in `rates.substeps` sub-steps.
    """
    relax(A, B, rates, work)
    for _ in range(rates.substeps):
        force = balance_drift(A, work.force)
        force *= rates.balance
        hedge = hedging_drift(A, rates.size, work.hedge, work.damping)
        hedge *= rates.hedging
        force += hedge
        damping = np.multiply(A, A, out=work.damping)
        np.subtract(1.0, damping, out=damping)
        force *= damping
        A += force


def spin_up(A: np.ndarray, size: np.ndarray, hedging: np.ndarray, params: Params) -> np.ndarray:
    """Let hand-set initial alignments settle under the continuous terms before the start.

    ODD.md §7.10: initial values are rarely an equilibrium of balance and hedging;
    the state settles for ``spinup`` days (per run, rounded to whole weeks) with no events
    and no noise, relaxing toward the initial values as baseline (which memory moves as in
    a run). The caller sets the baseline to the result.
    """
    baseline = A.copy()
    weeks = np.rint(np.asarray(params["spinup"], dtype=float) / SPINUP_STEP_DAYS)
    weekly = rates(params, size, hedging, SPINUP_STEP_DAYS)
    work = Scratch.like(A)
    for week in range(int(weeks.max(initial=0))):
        moved = A.copy()
        drift(moved, baseline, weekly, work)
        A = np.where((week < weeks)[:, None, None], moved, A)
    return A


def apply_scripted(state: State, schedule: Schedule, k: int) -> None:
    """Apply the scripted events of step k, in (date, id) order, to every run, in place."""
    n_runs = state.alignment.shape[0]
    every = np.arange(n_runs)
    for e in schedule.rows_in_step(k):
        event = Bilateral(
            runs=every,
            source=np.full(n_runs, schedule.source[e]),
            target=np.full(n_runs, schedule.target[e]),
            u=state.params["impulse"] * schedule.weight[e],
            institutional=np.full(n_runs, schedule.institutional[e]),
            bystanders=np.broadcast_to(~schedule.participants[e], state.alignment.shape[:2]),
        )
        apply_event(state, event)


def advance(state: State, rates: Rates, normals: np.ndarray, work: Scratch) -> None:
    """The continuous terms of one step, in place: drift, then noise, then clipping.

    ODD.md §7.9: random shocks ``noise · sqrt(dt) · N(0, 1)`` per directed pair
    (`normals` are standard normal, [R, N, N]; the zero diagonal of `rates.noise` leaves
    the diagonal alone), then clip to [-1, 1].
    """
    A = state.alignment
    drift(A, state.baseline, rates, work)
    A += np.multiply(normals, rates.noise, out=work.force)  # the force is spent: reuse it
    np.clip(A, -1.0, 1.0, out=A)
