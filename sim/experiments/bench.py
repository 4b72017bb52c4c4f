"""`alignsim bench`: the real code paths timed in one process, reported as ratios.

Times the same runs of a scenario through the Mesa path (`sim.engine.model.run_model`, one run at
a time, agents and DataCollector included) and through the ensemble engine (all runs in one
batch), and the ensemble with R = 1; then the ensemble on generated scenarios of 6, 50 and
200 actors (weekly, ten years, agents active throughout). Wall-clock on a shared machine is
noisy: each figure is the best of five repetitions, and the ratios measured in one run
are what to compare, not absolute figures across runs.
"""

from __future__ import annotations

import datetime as dt
import resource
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sim.core.params import defaults
from sim.engine.ensemble import Ensemble
from sim.engine.model import run_model
from sim.io.scenario import Actor, Scenario

#: Each figure is the best of this many repetitions (as `timeit` does): the least disturbed.
REPEATS = 5


def timed(action: Callable[[], object]) -> float:
    """Seconds one call takes: the best of REPEATS calls."""
    best = float("inf")
    for _ in range(REPEATS):
        began = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - began)
    return best


def synthetic(n: int, seed: int = 0) -> Scenario:
    """A generated scenario of n actors, 2018–2027 weekly, no events, agents act from the start."""
    rng = np.random.default_rng(seed)
    alignment = rng.uniform(-0.5, 0.5, (n, n))
    alignment = (alignment + alignment.T) / 2
    np.fill_diagonal(alignment, 0.0)
    alignment.setflags(write=False)
    return Scenario(
        name=f"synthetic-{n}",
        description="",
        path=Path(f"synthetic-{n}"),
        start=dt.date(2018, 1, 1),
        end=dt.date(2027, 12, 31),
        step="week",
        seed=seed,
        focal="S0",
        agents_from="start",
        actors=tuple(Actor(f"S{i}", f"S{i}", 1.0 / n, 0.5) for i in range(n)),
        alignment=alignment,
        parameters=defaults(),
        parameter_sources=dict.fromkeys(defaults(), "default"),
        events=(),
        skipped={"other_actors": 0, "other_dates": 0},
        files={},
    )


def synthetic_seconds(n: int, runs: int) -> float:
    """Seconds per run of the ensemble on a generated scenario of n actors."""
    generated = synthetic(n)
    last = [len(generated.dates) - 1]
    return (
        timed(lambda: Ensemble(generated, list(range(runs)), record_actions=False).run(last)) / runs
    )


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench(scenario: Scenario, runs: int, mesa_runs: int) -> list[str]:
    """Measure and describe; every figure comes from this one process."""
    seeds = list(range(runs))
    mesa = timed(lambda: [run_model(scenario, s) for s in range(mesa_runs)]) / mesa_runs
    single = timed(
        lambda: Ensemble(scenario, [0], record_actions=False).run([len(scenario.dates) - 1])
    )
    batch = (
        timed(
            lambda: Ensemble(scenario, seeds, record_actions=False).run([len(scenario.dates) - 1])
        )
        / runs
    )
    lines = [
        f"{scenario.name}: {len(scenario.actors)} actors, {len(scenario.dates) - 1} steps",
        f"  Mesa path:        {1 / mesa:8.1f} runs/s ({mesa * 1e3:.1f} ms a run, "
        f"mean of {mesa_runs})",
        f"  ensemble, R=1:    {1 / single:8.1f} runs/s ({single * 1e3:.1f} ms a run)",
        f"  ensemble, R={runs}: {1 / batch:8.1f} runs/s",
        f"  ratio ensemble batch / Mesa, per run: {mesa / batch:.0f}x; Mesa / ensemble R=1: "
        f"{mesa / single:.2f}x",
    ]
    for n, batch_runs in ((6, runs), (50, max(1, runs // 20)), (200, 1)):
        seconds = synthetic_seconds(n, batch_runs)
        lines.append(
            f"  {n:3d} actors: {1 / seconds:8.1f} runs/s with R={batch_runs} "
            f"({seconds:.3f} s a run)"
        )
    lines.append(f"  peak memory of this process: {peak_memory_mb():.0f} MB")
    return lines
