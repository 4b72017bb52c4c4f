"""The agents' decision rule: a pure function over a batch of runs and agents.

Each agent acts with probability ``1 − exp(−activity · dt / 365)`` per step (a Poisson
process of ``activity`` actions a year). An acting agent:

1. **courts** alternatives when its dependence (largest partner share, the measure of
   `sim.core.metrics.dependence`) exceeds its tolerance: it picks, by a softmax over
   candidates, the partner whose warming would most lower its concentration, weighed by
   the partner's capability (Kuik 2008: hedging as insurance against dependence; documents
   001 "secure diplomatic autonomy and broaden its leverage" and 004 "By diversifying away
   from dependence on Russia");
2. otherwise, when its stance toward some actor is below ``threat_level`` (a threat),
   it **counterbalances**: it warms to that threat's enemies
   (Walt 1987, balancing against threats; Heider's "the enemy of my enemy");
3. otherwise, and whenever the first two find no candidate, it **reinforces** its top
   supporter (the partner of largest capability times tie), or, with no partner at all,
   engages the actor it is least hostile to (Kuik 2008's "binding engagement"), so that
   every actor, however isolated, has something to do.

The action is an event of the taxonomy (`ACTION_TYPES`), applied by the same kernel as
scripted events (`sim.core.dynamics.apply_event`). The ensemble decides for every agent of
every run at once (`decide`), a Mesa agent for itself (`decide_agent`); both go through
`choose`, and both drivers apply the actions with `apply_actions`, so the Mesa agents and
the ensemble act identically.
"""

from __future__ import annotations

import numpy as np

from sim.core.dynamics import (
    Bilateral,
    Params,
    State,
    apply_event,
    concentration,
    saturate,
)
from sim.core.events import taxonomy
from sim.core.metrics import shares_of

NONE, COURT, COUNTERBALANCE, REINFORCE = 0, 1, 2, 3

#: The event type of each kind of action.
ACTION_TYPES: dict[int, str] = {
    COURT: "diplomatic_cooperation",
    COUNTERBALANCE: "intent_to_cooperate",
    REINFORCE: "consult",
}

ACTION_NAMES: dict[int, str] = {
    COURT: "court",
    COUNTERBALANCE: "counterbalance",
    REINFORCE: "reinforce",
}


def action_weight(kind: int) -> float:
    """Goldstein weight / 10 of the event an action of this kind is."""
    return taxonomy()[ACTION_TYPES[kind]].goldstein / 10.0


def row_max(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's largest value and its index (first on ties), [M] each.

    Through argmax: ``max(axis=-1)`` over a short last axis costs several times more.
    """
    where = values.argmax(axis=-1)
    return values[np.arange(len(values)), where], where


#: Up to this many columns, `running_sum` adds column by column; beyond, `np.cumsum` is faster.
SHORT_ROW = 16


def running_sum(values: np.ndarray) -> np.ndarray:
    """``np.cumsum(values, axis=-1)`` of [M, N], the same sums in the same order; for short
    rows column by column (cumsum along a short last axis costs several times more)."""
    if values.shape[-1] > SHORT_ROW:
        return np.cumsum(values, axis=-1)
    total = values.copy()
    for j in range(1, values.shape[-1]):
        total[:, j] += total[:, j - 1]
    return total


def softmax_choice(
    scores: np.ndarray, allowed: np.ndarray, temperature: np.ndarray, uniform: np.ndarray
) -> np.ndarray:
    """Pick one candidate per row by a softmax over scores, by inverse transform sampling.

    Scores are scaled by the row's largest allowed score, so the temperature is on a fixed
    scale. Returns the chosen index, −1 where no candidate is allowed.

    Args:
        scores, allowed: [M, N]; temperature, uniform: [M] (uniform in [0, 1)).
    """
    top = row_max(np.where(allowed, scores, -np.inf))[0][:, None]
    some = np.isfinite(top)
    scale = np.where(some & (top > 0), top, 1.0)
    logits = np.where(allowed, (scores - top) / (scale * temperature[:, None]), -np.inf)
    cumulative = running_sum(np.exp(logits))
    # the first allowed candidate whose cumulative weight reaches the draw (weights are ≥ 0)
    reached = allowed & (cumulative >= (uniform * cumulative[:, -1])[:, None])
    pick = reached.argmax(axis=-1)
    return np.where(some[:, 0], pick, -1)


def acting_chance(params: Params, days: float) -> np.ndarray:
    """Each run's chance that an agent acts in a step of `days`, [R]: ``activity`` actions a
    year as a Poisson process."""
    return -np.expm1(-params["activity"] * days / 365.0)


def decide(
    state: State, agents: np.ndarray, tolerance: np.ndarray, days: float, draws: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Decide the actions of the given agents in every run, on the same state.

    Whether an agent acts is drawn first; the choice is computed only for the agents that
    act (row by row, so the result does not depend on which others act).

    Args:
        state: the runs' state (not modified).
        agents: indices of the deciding agents, [n].
        tolerance: per run and actor, [R, N]; days: the step's length.
        draws: uniforms [R, 2, n]: whether to act, and which candidate.

    Returns:
        (target, kind), each [R, n]: the partner acted toward (−1 for none) and the kind of
        action (`NONE`, `COURT`, `COUNTERBALANCE`, `REINFORCE`).
    """
    chance = acting_chance(state.params, days)
    runs, slots = np.nonzero(draws[:, 0, :] < chance[:, None])
    shape = (state.alignment.shape[0], len(agents))
    target, kind = np.full(shape, -1), np.full(shape, NONE)
    if len(runs):
        actors = agents[slots]
        chosen, kinds = choose(state, runs, actors, tolerance[runs, actors], draws[runs, 1, slots])
        target[runs, slots], kind[runs, slots] = chosen, kinds
    return target, kind


def decide_agent(
    state: State, agent: int, tolerance: float, days: float, draws: np.ndarray
) -> tuple[int, int]:
    """One agent's action in a state of one run: what `decide` gives it, computed alike.

    Args:
        state: the run's state (R = 1; not modified).
        agent: the agent's index; tolerance: its tolerance; days: the step's length.
        draws: its two uniforms: whether to act, and which candidate.

    Returns:
        (target, kind): the partner acted toward (−1 for none) and the kind of action.
    """
    if not draws[0] < acting_chance(state.params, days)[0]:
        return -1, NONE
    run, me = np.zeros(1, dtype=int), np.array([agent])
    target, kind = choose(state, run, me, np.array([tolerance]), draws[1:])
    return int(target[0]), int(kind[0])


def choose(
    state: State,
    runs: np.ndarray,
    actors: np.ndarray,
    tolerance: np.ndarray,
    uniform: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The action of each acting (run, actor) pair (see the module docstring).

    Args:
        state: the runs' state (not modified); runs, actors: the acting pairs, [M].
        tolerance: each pair's, [M]; uniform: each pair's draw for the choice among
            candidates, [M].

    Returns:
        (target, kind), each [M]: every acting pair acts (an actor with no partner and no
        candidate engages the actor it is least hostile to).
    """
    A, params = state.alignment, state.params
    rows = A[runs, actors]
    size = state.capability
    shares = shares_of(rows)
    others = np.ones_like(rows, dtype=bool)
    others[np.arange(len(runs)), actors] = False

    court_u = params["impulse"][runs] * params["action_magnitude"][runs] * action_weight(COURT)
    gain = np.maximum(saturate(rows, court_u[:, None]), 0.0) - np.maximum(rows, 0.0)
    court = (concentration(shares)[:, None] - shares) * size * gain

    threat = np.where(others, rows, np.inf).argmin(axis=-1)
    level = params["threat_level"][runs]
    threatened = rows[np.arange(len(runs)), threat] < level
    counter = np.maximum(-A[runs, threat], 0.0) * size * (rows > level[:, None])
    counter_ok = others & (np.arange(A.shape[-1]) != threat[:, None])

    top = row_max(shares)[0]
    kind = np.where(top > tolerance, COURT, np.where(threatened, COUNTERBALANCE, REINFORCE))
    courting = (kind == COURT)[:, None]
    scores = np.where(courting, court, counter)
    allowed = (scores > 0) & np.where(courting, others, counter_ok)
    choice = softmax_choice(scores, allowed, params["temperature"][runs], uniform)
    kind = np.where(choice < 0, REINFORCE, kind)
    supporter = row_max(shares * size)[1]
    closest = row_max(np.where(others, rows, -np.inf))[1]
    best = np.where(top > 0, supporter, closest)
    return np.where(kind == REINFORCE, best, choice), kind


def apply_actions(state: State, target: np.ndarray, kind: np.ndarray) -> None:
    """Apply every agent's action as an event, in agent order within each run, in place.

    Runs are independent, so the actions are applied in rounds: round t applies, in every
    run, the action of its (t + 1)-th acting agent (fewer kernel calls than one per agent).

    Args:
        state: the runs' state, changed in place.
        target, kind: [R, N] from `decide` over all agents.
    """
    weights = np.zeros(len(ACTION_TYPES) + 1)
    for k in ACTION_TYPES:
        weights[k] = action_weight(k)
    params = state.params
    acted = kind != NONE
    order = np.cumsum(acted, axis=1)
    for turn in range(1, int(order[:, -1].max(initial=0)) + 1):
        runs, agents = np.nonzero(acted & (order == turn))
        partner = target[runs, agents]
        bystanders = np.ones((len(runs), target.shape[1]), dtype=bool)
        every = np.arange(len(runs))
        bystanders[every, agents] = False
        bystanders[every, partner] = False
        u = params["impulse"][runs] * params["action_magnitude"][runs] * weights[kind[runs, agents]]
        event = Bilateral(
            runs=runs,
            source=agents,
            target=partner,
            u=u,
            institutional=np.zeros(len(runs), dtype=bool),
            bystanders=bystanders,
        )
        apply_event(state, event)
