"""Pure measures of an alignment state, on arrays ``[..., N, N]`` (any leading axes).

Per actor: its partner shares, the hedging index (Kuik 2008: the balance of its ties
between its two patrons), its dependence on its closest partner, the effective number of
partners and the top partner, and the order of
protocol in which it would honour its guests. Per state of the system: the two blocs of
the spectral split, the share of unbalanced triads (frustration) and the landscape energy
of Axelrod & Bennett (1993).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core.dynamics import concentration, partner_shares


def shares_of(A: np.ndarray) -> np.ndarray:
    """Partner shares ``s_ij = max(A_ij, 0) / Σ_k max(A_ik, 0)`` of every actor of
    alignments [..., N, N]: how an actor's positive ties divide among its partners (rows sum
    to 1, or are all 0 for an actor with no positive tie).

    The measures read the ties themselves, not weighed by the fitted share exponent γ of
    the forces (`sim.core.dynamics.partner_shares`): a measure must not change its meaning
    with a parameter. The documents speak of closeness this way: North Korea's "dependence
    on Russia" (document 004) in 2025, though China is the larger power.
    """
    return partner_shares(A, np.ones(A.shape[-1]))


def patron_balance(rows: np.ndarray, capability: np.ndarray, actor: int) -> np.ndarray:
    """Patron balance of one actor from its alignment rows [..., N]: ``min / max`` of its
    ties to its two patrons.

    Kuik (2008), "The essence of hedging", Contemporary Southeast Asia 30(2): hedging keeps
    a state from choosing one side, holding two powers close at once (document 004: "careful
    hedging between major allies"; North Korea between China and Russia). A patron is a
    stronger partner, the larger side of an asymmetric tie (Morrow 1991, "Alliances and
    asymmetry", American Journal of Political Science 35(4)); an actor's two patrons are
    the two actors more capable than it that give it the most support, capability times a
    positive tie. The index is 1 when it holds both patrons equally close, falls as it
    leans toward one, is 0 with a single patron (a bandwagoner) and NaN with none (the most
    capable actor, or one with no positive tie to a stronger actor). Small partners (Laos)
    are never patrons, so they cannot dilute it; they count in `dependence` and
    `effective_partners`.
    """
    return balance_of(rows, patron_weights(capability)[actor])


def hedging_index(A: np.ndarray, capability: np.ndarray) -> np.ndarray:
    """The hedging index of every actor of alignments [..., N, N]: its `patron_balance`,
    for all actors at once."""
    return balance_of(A, patron_weights(capability))


def patron_weights(capability: np.ndarray) -> np.ndarray:
    """``c_j`` where actor j is stronger than actor i, else 0, [N, N]: a tie's weight as
    support from a possible patron (a driver recording every step forms it once)."""
    return np.where(capability[None, :] > capability[:, None], capability[None, :], 0.0)


def balance_of(ties: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``min / max`` of the ties [..., N] to the two possible patrons of largest support,
    ``max(tie, 0) · weight`` (`patron_weights`: 0 for an actor that cannot be a patron);
    0 with one patron, NaN with none."""
    support = np.maximum(ties, 0.0) * weights
    order = np.argsort(-support, axis=-1, kind="stable")[..., :2]
    chosen = np.take_along_axis(support, order, -1) > 0
    held = np.where(chosen, np.take_along_axis(ties, order, -1), 0.0)
    closer, other = held.max(axis=-1), held.min(axis=-1)
    balance = np.divide(other, closer, out=np.zeros_like(closer), where=closer > 0)
    return np.where(chosen[..., 0], balance, np.nan)


def effective_partners(shares: np.ndarray) -> np.ndarray:
    """``1 / HHI_i``, the effective number of partners (NaN for an isolated actor): how
    widely an actor spreads its support, counting small partners too."""
    hhi = concentration(shares)
    return np.divide(1.0, hhi, out=np.full_like(hhi, np.nan), where=hhi > 0)


def dependence(shares: np.ndarray) -> np.ndarray:
    """Largest partner share of each actor (NaN for an isolated actor): its dependence on
    its closest partner, the risk hedging insures against (Kuik 2008; document 004: "By
    diversifying away from dependence on Russia"). Courting any partner lowers it, a small
    one too (Vietnam as North Korea's "fourth axis", document 001)."""
    first = shares.max(axis=-1)
    return np.where(first > 0, first, np.nan)


def top_partner(shares: np.ndarray) -> np.ndarray:
    """Index of each actor's largest partner, −1 for an isolated actor; ties to the lower index."""
    return np.where(shares.max(axis=-1) > 0, shares.argmax(axis=-1), -1)


def symmetrised(A: np.ndarray) -> np.ndarray:
    """The propensity ``(A + Aᵀ) / 2`` used by the bloc and landscape measures."""
    return (A + np.swapaxes(A, -1, -2)) / 2.0


def blocs(A: np.ndarray) -> np.ndarray:
    """Two blocs from the sign pattern of the leading eigenvector of ``(A + Aᵀ)/2``.

    Marvel, Kleinberg, Kleinberg & Strogatz (2011), PNAS 108(5): balance dynamics split a
    group into the two factions given by the signs of the leading eigenvector. Labels are
    0 and 1, with actor 0 always in bloc 0 (the eigenvector's sign is arbitrary); a zero
    component joins actor 0's bloc.
    """
    _, vectors = np.linalg.eigh(symmetrised(A))
    leading = vectors[..., :, -1]
    sign = np.where(leading[..., :1] < 0, -1.0, 1.0)
    return (leading * sign < 0).astype(np.int64)


def frustration(A: np.ndarray) -> np.ndarray:
    """Share of unbalanced triads among triads whose three (symmetrised) ties are non-zero.

    A triad is unbalanced when the product of its signs is negative (Cartwright & Harary
    1956). With S the sign matrix, trace(S³)/6 counts balanced minus unbalanced triangles
    and trace(|S|³)/6 all of them. 0 when there is no such triad.
    """
    signs = np.sign(symmetrised(A))
    net = np.trace(signs @ signs @ signs, axis1=-2, axis2=-1) / 6.0
    mags = np.abs(signs)
    total = np.trace(mags @ mags @ mags, axis1=-2, axis2=-1) / 6.0
    unbalanced = (total - net) / 2.0
    return np.divide(unbalanced, total, out=np.zeros_like(total), where=total > 0)


def landscape_energy(sides: np.ndarray, capability: np.ndarray, A: np.ndarray) -> np.ndarray:
    """Energy ``E = Σ_{i<j} c_i c_j p_ij d_ij`` of a two-bloc configuration.

    Axelrod & Bennett (1993), "A landscape theory of aggregation", British Journal of
    Political Science 23(2): sizes c, propensity p = (A + Aᵀ)/2, and d_ij = 1 when i and j
    are on opposite sides. Low energy: friends together, rivals apart.

    Args:
        sides: bloc label (0/1) per actor, [..., N].
        capability: sizes, [N].
        A: alignment, [..., N, N].
    """
    apart = sides[..., :, None] != sides[..., None, :]
    weights = capability[:, None] * capability[None, :] * symmetrised(A)
    return (weights * apart).sum(axis=(-2, -1)) / 2.0


def protocol_rank(A: np.ndarray) -> np.ndarray:
    """Rank of each guest j in host i's order of honour (1 = most honoured; diagonal 0).

    The order is the host's row of A, highest first, ties to the lower index: a host seats
    its closest partner in the seat of honour (document 001 on the October 2025 seating).
    """
    n = A.shape[-1]
    keyed = np.where(np.eye(n, dtype=bool), np.inf, -A)
    order = np.argsort(keyed, axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, n + 1), axis=-1)
    return np.where(np.eye(n, dtype=bool), 0, ranks)


#: Largest number of actors whose configurations `landscape_minima` enumerates exhaustively.
EXHAUSTIVE_ACTORS = 20


def flip_gains(spins: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Energy change of switching each single actor, ``x_i Σ_j w_ij x_j``, [M, N]."""
    return spins * (spins @ weights)


def descend(spins: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Steepest single-actor descent from each configuration (ties to the lowest index).

    Axelrod & Bennett (1993): a configuration is stable when no actor can lower the energy
    by switching sides. Configurations are returned canonical (actor 0 on side +1).
    """
    spins = spins.copy()
    for _ in range(spins.shape[1] ** 2 + 1):
        gains = flip_gains(spins, weights)
        best = gains.argmin(axis=1)
        moving = np.flatnonzero(gains[np.arange(len(spins)), best] < -1e-12)
        if not len(moving):
            break
        spins[moving, best[moving]] *= -1
    return spins * spins[:, :1]


@dataclass(frozen=True)
class Landscape:
    """Stable two-bloc configurations of a landscape.

    Attributes:
        sides: each minimum's side per actor (0 = actor 0's side), [K, N].
        energy: each minimum's energy, [K].
        basin: share of configurations whose steepest descent ends in it, [K].
        exhaustive: whether all 2^(N−1) configurations were enumerated.
    """

    sides: np.ndarray
    energy: np.ndarray
    basin: np.ndarray
    exhaustive: bool


def landscape_minima(
    sizes: np.ndarray, propensity: np.ndarray, starts: int = 20000, seed: int = 0
) -> Landscape:
    """All local minima of the Axelrod–Bennett energy under single-actor switches.

    Up to `EXHAUSTIVE_ACTORS` actors every configuration (modulo swapping the two sides) is
    enumerated and descended, so the minima and their basins are exact. Beyond that, a
    documented heuristic: steepest descent from `starts` random configurations (seeded)
    finds minima with basin shares estimated from those starts.
    """
    n = len(sizes)
    weights = sizes[:, None] * sizes[None, :] * symmetrised(propensity)
    np.fill_diagonal(weights, 0.0)
    exhaustive = n <= EXHAUSTIVE_ACTORS
    if exhaustive:
        codes = np.arange(2 ** (n - 1))[:, None]
        bits = (codes >> np.arange(n - 1)) & 1
        spins = np.hstack([np.ones((len(codes), 1)), 1 - 2 * bits]).astype(float)
    else:
        spins = np.random.default_rng(seed).choice([-1.0, 1.0], size=(starts, n))
    ends = descend(spins, weights)
    found, counts = np.unique(ends, axis=0, return_counts=True)
    sides = (found < 0).astype(np.int64)
    energy = landscape_energy(sides, sizes, propensity)
    order = np.argsort(energy, kind="stable")
    return Landscape(sides[order], energy[order], counts[order] / len(spins), exhaustive)
