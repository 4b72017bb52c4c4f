"""Kernels against closed forms, known splits and invariants (Hypothesis properties)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.core import dynamics, metrics, policy
from sim.core.params import PARAMETERS, defaults

UNIT = st.floats(-1.0, 1.0, allow_nan=False)


def params(runs: int = 1, **values: float) -> dict[str, np.ndarray]:
    """Registry defaults as [R] arrays, with some values replaced."""
    return {k: np.full(runs, v) for k, v in {**defaults(), **values}.items()}


def drifted(
    A: np.ndarray,
    capability: np.ndarray,
    hedging: np.ndarray,
    p: dict[str, np.ndarray],
    days: float,
) -> np.ndarray:
    """A copy of A after the continuous terms of one step, relaxing toward A itself."""
    size = dynamics.partner_sizes(capability, p["share_exponent"])
    moved = A.copy()
    rates = dynamics.rates(p, size, hedging, days)
    dynamics.drift(moved, A, rates, dynamics.Scratch.like(A))
    return moved


def event(
    A: np.ndarray,
    B: np.ndarray,
    source: int,
    target: int,
    u: np.ndarray,
    institutional: np.ndarray,
    bystanders: np.ndarray,
    capability: np.ndarray,
    p: dict[str, np.ndarray],
) -> None:
    """`dynamics.apply_event` in every run of A, with one source and target."""
    runs = len(A)
    size = dynamics.partner_sizes(capability, p["share_exponent"])
    dynamics.apply_event(
        dynamics.State(A, B, size, p, capability),
        dynamics.Bilateral(
            np.arange(runs),
            np.full(runs, source),
            np.full(runs, target),
            u,
            institutional,
            bystanders,
        ),
    )


def test_raw_balance_matches_closed_form() -> None:
    """dX/dt = X² has X(t) = X0 (I − t X0)^-1 (Marvel et al. 2011), diagonal kept."""
    x0 = np.array([[0.1, 0.3, -0.2], [0.3, -0.1, 0.2], [-0.2, 0.2, 0.05]])
    t, steps = 1.0, 20000
    x = x0.copy()
    for _ in range(steps):  # RK4 on the raw kernel, which is A @ A / (n - 2) with n - 2 = 1
        f = lambda y: dynamics.balance_drift(y[None])[0]  # noqa: E731
        h = t / steps
        k1 = f(x)
        k2 = f(x + h / 2 * k1)
        k3 = f(x + h / 2 * k2)
        k4 = f(x + h * k3)
        x = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    closed = x0 @ np.linalg.inv(np.eye(3) - t * x0)
    np.testing.assert_allclose(x, closed, rtol=1e-9, atol=1e-12)


def test_saturated_balance_splits_into_eigenvector_factions() -> None:
    """The saturated dynamics split a group into the leading eigenvector's sign pattern."""
    rng = np.random.default_rng(5)
    n = 10
    x0 = rng.uniform(-0.3, 0.3, (n, n))
    x0 = (x0 + x0.T) / 2
    np.fill_diagonal(x0, 0.0)
    _values, vectors = np.linalg.eigh(x0)
    expected = vectors[:, -1] * np.sign(vectors[0, -1]) < 0
    p = params(balance=0.02, decay=0.0, hedging_rate=0.0)
    A = x0[None].copy()
    for _ in range(300):
        A = drifted(A, np.full(n, 0.1), np.zeros((1, n)), p, 7.0)
    sides = metrics.blocs(A)[0].astype(bool)
    np.testing.assert_array_equal(sides, expected)
    same = sides[:, None] == sides[None, :]
    off = ~np.eye(n, dtype=bool)
    assert (A[0][same & off] > 0.9).all() and (A[0][~same] < -0.9).all()


@settings(max_examples=60, deadline=None)
@given(rows=arrays(float, (1, 5, 5), elements=st.floats(-0.95, 0.95)), hedging=st.floats(0.1, 1.0))
def test_hedging_force_lowers_the_top_partner_and_leaves_hostile_ties(
    rows: np.ndarray, hedging: float
) -> None:
    """Kuik's hedging: the force never warms an actor toward its largest partner, raises
    the partners below the average share, and never moves a hostile or neutral tie."""
    A = rows.copy()
    A[0][np.eye(5, dtype=bool)] = 0.0
    capability = np.array([0.1, 0.4, 0.2, 0.2, 0.1])
    gamma = np.array([0.5])
    before = dynamics.partner_shares(A, dynamics.partner_sizes(capability, gamma, A.ndim))
    p = params(decay=0.0, memory=0.0, balance=0.0, hedging_rate=0.01, share_exponent=0.5)
    after = drifted(A, capability, np.full((1, 5), hedging), p, 7.0)
    top = before.argmax(axis=-1)[..., None]
    has_partner = (A > 0).any(axis=-1, keepdims=True)
    top_before, top_after = np.take_along_axis(A, top, -1), np.take_along_axis(after, top, -1)
    assert (top_after[has_partner] <= top_before[has_partner] + 1e-12).all()
    hostile = A <= 0
    np.testing.assert_array_equal(after[hostile], A[hostile])
    below = (A > 0) & (before < dynamics.concentration(before)[..., None] - 1e-9)
    assert (after[below] >= A[below]).all()


@settings(max_examples=200, deadline=None)
@given(x=UNIT, u=st.floats(-50, 50, allow_nan=False))
def test_event_impulse_saturates_inside_the_unit_interval(x: float, u: float) -> None:
    """A += (sign(u) − A)(1 − e^{−|u|}) stays in [-1, 1] and moves toward sign(u)."""
    y = float(dynamics.saturate(np.array(x), np.array(u)))
    assert -1.0 <= y <= 1.0
    assert (y - x) * u >= -1e-15


@settings(max_examples=80, deadline=None)
@given(
    A=arrays(float, (2, 4, 4), elements=UNIT),
    u=st.floats(-5, 5, allow_nan=False),
    source=st.integers(0, 3),
    shift=st.integers(1, 3),
)
def test_apply_event_keeps_every_alignment_bounded(
    A: np.ndarray, u: float, source: int, shift: int
) -> None:
    """Direct, reciprocal and third-party terms never leave [-1, 1]; the diagonal stays 0."""
    A = A.copy()
    A[:, np.eye(4, dtype=bool)] = 0.0
    target = (source + shift) % 4
    bystanders = np.ones((2, 4), dtype=bool)
    bystanders[:, [source, target]] = False
    p = params(2, spillover=0.5, jealousy=0.6)
    event(
        A,
        A.copy(),
        source,
        target,
        np.full(2, u),
        np.zeros(2, dtype=bool),
        bystanders,
        np.full(4, 0.25),
        p,
    )
    assert np.abs(A).max() <= 1.0
    assert (A[:, np.eye(4, dtype=bool)] == 0).all()


def test_zero_impulse_changes_nothing() -> None:
    """An event of impulse 0 (a run in which an agent did not act) leaves the state alone."""
    rng = np.random.default_rng(1)
    A = rng.uniform(-1, 1, (3, 4, 4))
    A[:, np.eye(4, dtype=bool)] = 0.0
    B = A.copy()
    before = A.copy()
    event(
        A,
        B,
        0,
        1,
        np.zeros(3),
        np.ones(3, bool),
        np.tile([False, False, True, True], (3, 1)),
        np.full(4, 0.25),
        params(3),
    )
    np.testing.assert_array_equal(A, before)
    np.testing.assert_array_equal(B, before)


def test_patron_jealousy_cools_the_patron() -> None:
    """When a client courts another, its patron cools toward it (document 001)."""
    A = np.zeros((1, 3, 3))
    A[0, 0, 1] = 0.8  # client 0 depends on patron 1
    bystanders = np.array([[False, True, False]])
    p = params(spillover=0.0, jealousy=0.3)
    event(
        A,
        A.copy(),
        0,
        2,
        np.array([0.5]),
        np.zeros(1, bool),
        bystanders,
        np.full(3, 1 / 3),
        p,
    )
    assert A[0, 1, 0] < 0


@pytest.mark.parametrize("memory", [0.0, 0.004])
def test_relaxation_and_memory_are_exact(memory: float) -> None:
    """Relaxation and memory over one step equal two half steps (exact integration), and
    match the closed form: the gap shrinks as e^{-(decay + memory) t}, memory·A + decay·B
    stays put."""
    p = params(decay=0.01, memory=memory)
    A = np.full((1, 3, 3), 0.8)
    runs = {}
    for days, steps in ((30.0, 1), (15.0, 2)):
        a, b = A.copy(), np.zeros_like(A)
        work = dynamics.Scratch.like(a)
        r = dynamics.rates(p, np.ones((1, 3)), np.zeros((1, 3)), days)
        for _ in range(steps):
            dynamics.relax(a, b, r, work)
        runs[days] = a, b
    (once, base), (twice, base_twice) = runs[30.0], runs[15.0]
    np.testing.assert_allclose(once, twice, rtol=1e-13)
    np.testing.assert_allclose(base, base_twice, rtol=1e-13, atol=1e-15)
    gap = 0.8 * np.exp(-(0.01 + memory) * 30.0)
    np.testing.assert_allclose(once - base, gap, rtol=1e-13)
    np.testing.assert_allclose(memory * once + 0.01 * base, memory * 0.8, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize(("days", "expected"), [(1, 1), (7, 1), (31, 2)])
def test_substeps_keep_euler_stable(days: float, expected: int) -> None:
    """rate × sub-step ≤ 0.5 at the registry's largest rates, for day, week and month."""
    assert dynamics.substeps(days) == expected
    fastest = max(p.high for p in PARAMETERS if p.unit == "per day")
    assert fastest * days / dynamics.substeps(days) <= dynamics.MAX_RATE_STEP


@pytest.mark.parametrize("days", [1.0, 7.0, 31.0])
def test_drift_is_bounded_at_the_fastest_rates(days: float) -> None:
    """With every rate at its upper bound, a long run stays in [-1, 1] for each step."""
    rng = np.random.default_rng(2)
    A = rng.uniform(-0.99, 0.99, (4, 6, 6))
    A[:, np.eye(6, dtype=bool)] = 0.0
    p = params(4, balance=0.02, hedging_rate=0.02, decay=0.02)
    for _ in range(int(3650 / days)):
        A = drifted(A, np.full(6, 1 / 6), np.ones((4, 6)), p, days)
    assert np.abs(A).max() <= 1.0


def test_hostile_acts_do_not_make_the_patron_jealous() -> None:
    A = np.zeros((1, 3, 3))
    A[0, 0, 1] = 0.8
    p = params(spillover=0.0, jealousy=0.6)
    event(
        A,
        A.copy(),
        0,
        2,
        np.array([-0.5]),
        np.zeros(1, bool),
        np.array([[False, True, False]]),
        np.full(3, 1 / 3),
        p,
    )
    assert A[0, 1, 0] == 0.0


@settings(max_examples=60, deadline=None)
@given(values=arrays(float, st.tuples(st.integers(1, 40), st.integers(1, 40)), elements=UNIT))
def test_policy_row_helpers_equal_numpy_bit_for_bit(values: np.ndarray) -> None:
    """The fast row maximum and running sum give numpy's values exactly, short rows or long."""
    np.testing.assert_array_equal(policy.running_sum(values), np.cumsum(values, axis=-1))
    top, where = policy.row_max(values)
    np.testing.assert_array_equal(top, values.max(axis=-1))
    np.testing.assert_array_equal(where, values.argmax(axis=-1))


def test_softmax_choice_picks_only_allowed_candidates_even_at_a_zero_draw() -> None:
    scores = np.array([[0.9, 0.5, 0.2], [0.3, 0.0, 0.1]])
    allowed = np.array([[False, True, True], [False, False, False]])
    temperature = np.full(2, 0.2)
    for u in (0.0, 0.5, np.nextafter(1.0, 0.0)):
        pick = policy.softmax_choice(scores, allowed, temperature, np.full(2, u))
        assert pick[0] in (1, 2) and pick[1] == -1
