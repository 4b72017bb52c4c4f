"""Pure kernels of the alignment dynamics, on arrays whose first axis is the run.

State: alignment ``A[R, N, N]`` (row actor's stance toward the column actor, −1..1, diagonal
unused and kept at 0) and its long-run baseline ``B[R, N, N]``. Parameters are arrays of
shape ``[R]`` (one value per run), keyed by the names of `sim.core.params`. The Mesa model calls
these kernels with R = 1 and the ensemble with R in the thousands, so both drivers advance
a run identically. Nothing here knows of Mesa, files or plots; nothing draws random
numbers: the drivers pass the draws in.

The rules follow the project's design notes (MODEL.md), with the sources cited per kernel.
One refinement: MODEL.md adds the third-party reaction linearly; here it goes through the
same saturating map as the direct impulse, so that it cannot leave [-1, 1] either.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from sim.core.events import Schedule
from sim.core.params import REGISTRY

Params = Mapping[str, np.ndarray]

#: Largest Euler sub-step, as a fraction of 1 / rate: explicit Euler oscillates when
#: rate * dt > 2 and loses accuracy well before; 0.5 keeps it smooth (MODEL.md).
MAX_RATE_STEP = 0.5

#: Step length of the spin-up, in days.
SPINUP_STEP_DAYS = 7.0


def saturate(x: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Move x toward sign(u) by the fraction 1 − e^{−|u|}.

    MODEL.md, step 1: ``A += (sign(u) − A)(1 − e^{−|u|})``. For |x| ≤ 1 the result stays in
    [-1, 1] for any u, and u = 0 leaves x unchanged.
    """
    return x + (np.sign(u) - x) * -np.expm1(-np.abs(u))


def partner_weights(rows: np.ndarray, capability: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    """Portfolio weights ``c_j^γ · max(A[i, j], 0)`` of the given rows.

    Args:
        rows: alignment rows, shape [R, ..., N].
        capability: capabilities, shape [N].
        gamma: share exponent per run, shape [R].
    """
    scale = capability[None, :] ** gamma[:, None]
    scale = scale.reshape(scale.shape[:1] + (1,) * (rows.ndim - 2) + scale.shape[1:])
    return scale * np.maximum(rows, 0.0)


def partner_shares(rows: np.ndarray, capability: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    """Partner shares ``s_ij = w_ij / Σ_k w_ik`` (Kuik-style portfolio of partners).

    MODEL.md, step 4: the exponent γ < 1 keeps a small partner visible in the portfolio. An
    actor with no positive tie has all shares 0.
    """
    weights = partner_weights(rows, capability, gamma)
    total = weights.sum(axis=-1, keepdims=True)
    weights /= np.where(total > 0, total, 1.0)  # rows without a positive tie stay all 0
    return weights


def concentration(shares: np.ndarray) -> np.ndarray:
    """Herfindahl–Hirschman index of each row's shares (0 for an actor with no partner)."""
    return np.einsum("...j,...j->...", shares, shares)


def apply_event(
    A: np.ndarray,
    B: np.ndarray,
    source: np.ndarray,
    target: np.ndarray,
    u: np.ndarray,
    institutional: np.ndarray,
    bystanders: np.ndarray,
    capability: np.ndarray,
    params: Params,
) -> None:
    """Apply one bilateral event per run, in place.

    MODEL.md, step 1: the source's stance toward the target moves by the saturating impulse
    u; the target's stance toward the source by ``reciprocity · u``. Institutional events
    (treaties, formal agreements) also move the baseline by ``baseline_shift``. Third
    parties o react toward the source with Heider's balance, ``spillover · u · A[o, g]``
    (Heider 1946; Cartwright & Harary 1956), and with patron jealousy,
    ``− jealousy · max(u, 0) · s_{s,o}``: a patron cools when its client courts others, in
    proportion to the client's dependence on it (hostile acts of the client toward others
    do not make its patron jealous) (document 001: "China and Russia likely
    felt uneasy seeing Kim treat the Vietnamese guest of honor with such regard").

    Args:
        A, B: alignment and baseline, [R, N, N]; updated in place.
        source, target: actor indices per run, [R].
        u: impulse per run, [R]; 0 leaves a run unchanged.
        institutional: whether the event moves the baseline, [R].
        bystanders: [R, N] mask of the third parties (not participants of the event).
        capability: [N]; params: parameter arrays [R].
    """
    runs = np.arange(A.shape[0])
    client_shares = partner_shares(A[runs, source], capability, params["share_exponent"])
    third = params["spillover"][:, None] * u[:, None] * A[runs, :, target]
    third -= params["jealousy"][:, None] * np.maximum(u, 0.0)[:, None] * client_shares
    A[runs, :, source] = saturate(A[runs, :, source], np.where(bystanders, third, 0.0))
    back = params["reciprocity"] * u
    A[runs, source, target] = saturate(A[runs, source, target], u)
    A[runs, target, source] = saturate(A[runs, target, source], back)
    if institutional.any():
        shift = np.where(institutional, params["baseline_shift"], 0.0)
        for s, g, v in ((source, target, u), (target, source, back)):
            old = B[runs, s, g]
            B[runs, s, g] = old + shift * (saturate(old, v) - old)


def relax(A: np.ndarray, B: np.ndarray, decay: np.ndarray, days: float) -> np.ndarray:
    """Relaxation toward the baseline, integrated exactly over `days`.

    MODEL.md, step 2: ``A = B + (A − B) e^{−decay·dt}`` (an Ornstein–Uhlenbeck mean
    reversion without its noise term, which `add_noise` supplies).
    """
    relaxed = np.subtract(A, B)
    relaxed *= np.exp(-decay * days)[:, None, None]
    relaxed += B
    return relaxed


def balance_drift(A: np.ndarray) -> np.ndarray:
    """Raw structural-balance drift ``mean_{k≠i,j} A[i,k] A[k,j]`` (diagonal of A is 0).

    Kułakowski, Gawroński & Gronek (2005), "The Heider balance: a continuous approach";
    Marvel, Kleinberg, Kleinberg & Strogatz (2011), PNAS 108(5): dX/dt = X².
    """
    n = A.shape[-1]
    return np.matmul(A, A) / max(n - 2, 1)


def hedging_drift(
    A: np.ndarray, capability: np.ndarray, hedging: np.ndarray, gamma: np.ndarray
) -> np.ndarray:
    """Hedging drift ``−h_i (s_ij − HHI_i)`` before the rate and the saturation factor.

    Kuik (2008), "The essence of hedging", Contemporary Southeast Asia 30(2): hedging as
    insurance against dependence on one patron. Partners above the average share
    (HHI = Σ s², the share-weighted mean share) are lowered, the others raised.

    Args:
        hedging: hedging propensity per run and actor, [R, N].
    """
    shares = partner_shares(A, capability, gamma)
    shares -= concentration(shares)[..., None]
    shares *= -hedging[:, :, None]
    return shares


def substeps(days: float) -> int:
    """Number of Euler sub-steps for a step of `days`, from the registry's largest rates.

    Fixed by the step length alone, never by the parameters of the runs in a batch, so a
    run's result does not depend on which runs share its batch.
    """
    fastest = max(REGISTRY["balance"].high, REGISTRY["hedging_rate"].high)
    return max(1, math.ceil(fastest * days / MAX_RATE_STEP))


def drift(
    A: np.ndarray,
    B: np.ndarray,
    capability: np.ndarray,
    hedging: np.ndarray,
    params: Params,
    days: float,
) -> np.ndarray:
    """Advance the deterministic continuous terms over `days` (no events, no noise).

    Relaxation is integrated exactly; structural balance and hedging, both saturated by
    ``(1 − A²)`` so they stay bounded, by explicit Euler in `substeps(days)` sub-steps.
    """
    A = relax(A, B, params["decay"], days)
    n = substeps(days)
    h = days / n
    balance = (params["balance"] * h)[:, None, None]
    hedge = (params["hedging_rate"] * h)[:, None, None]
    for _ in range(n):
        force = balance * balance_drift(A)
        force += hedge * hedging_drift(A, capability, hedging, params["share_exponent"])
        damping = np.multiply(A, A)
        np.subtract(1.0, damping, out=damping)
        force *= damping
        diagonal(force)[...] = 0.0
        A = A + force
    return A


def diagonal(A: np.ndarray) -> np.ndarray:
    """A writable view of the diagonal of every matrix in a stack [..., N, N]."""
    return np.einsum("...ii->...i", A)


def add_noise(A: np.ndarray, noise: np.ndarray, days: float, draws: np.ndarray) -> np.ndarray:
    """Random shocks ``noise · sqrt(dt) · N(0, 1)`` per directed pair, then clip to [-1, 1].

    MODEL.md, step 6. `draws` are standard normal, [R, N, N]; the diagonal is left at 0.
    """
    shocked = np.multiply((noise * math.sqrt(days))[:, None, None], draws)
    shocked += A
    diagonal(shocked)[...] = 0.0
    return np.clip(shocked, -1.0, 1.0, out=shocked)


def spin_up(
    A: np.ndarray, capability: np.ndarray, hedging: np.ndarray, params: Params
) -> np.ndarray:
    """Let hand-set initial alignments settle under the continuous terms before the start.

    MODEL.md, "Spin-up": initial values are rarely an equilibrium of balance and hedging;
    the state settles for ``spinup`` days (per run, rounded to whole weeks) with no events
    and no noise, relaxing toward the initial values as baseline. The caller sets the
    baseline to the result.
    """
    baseline = A.copy()
    weeks = np.rint(np.asarray(params["spinup"], dtype=float) / SPINUP_STEP_DAYS)
    for week in range(int(weeks.max(initial=0))):
        moved = drift(A, baseline, capability, hedging, params, SPINUP_STEP_DAYS)
        A = np.where((week < weeks)[:, None, None], moved, A)
    return A


def apply_scripted(
    A: np.ndarray,
    B: np.ndarray,
    schedule: Schedule,
    k: int,
    capability: np.ndarray,
    params: Params,
) -> None:
    """Apply the scripted events of step k, in (date, id) order, to every run, in place."""
    n_runs = A.shape[0]
    for e in schedule.rows_in_step(k):
        apply_event(
            A,
            B,
            np.full(n_runs, schedule.source[e]),
            np.full(n_runs, schedule.target[e]),
            params["impulse"] * schedule.weight[e],
            np.full(n_runs, schedule.institutional[e]),
            np.broadcast_to(~schedule.participants[e], A.shape[:2]),
            capability,
            params,
        )


def advance(
    A: np.ndarray,
    B: np.ndarray,
    capability: np.ndarray,
    hedging: np.ndarray,
    params: Params,
    days: float,
    normals: np.ndarray,
) -> None:
    """The continuous terms of one step, in place: drift, then noise and clipping."""
    A[...] = add_noise(
        drift(A, B, capability, hedging, params, days), params["noise"], days, normals
    )
