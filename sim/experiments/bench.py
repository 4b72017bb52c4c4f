"""`alignsim bench`: the real code paths timed in one process, reported as ratios.

Times the same runs of a scenario through the Mesa path (`sim.engine.model.run_model`, one run at
a time, agents and DataCollector included) and through the ensemble engine (all runs in one
batch), and the ensemble with R = 1; then the ensemble on generated scenarios of 6, 50 and
200 actors (weekly, ten years, agents active throughout). Wall-clock on a shared machine is
noisy: each figure is the best of five repetitions, and the ratios measured in one run
are what to compare, not absolute figures across runs.

`scale` measures what `alignsim run` does (`simulate`, then `Run.save` with every table and
figure) on generated scenarios of given sizes, each in a fresh process so that its peak
resident memory is its own.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from sim.core.params import defaults
from sim.engine.ensemble import Ensemble
from sim.engine.model import run_model
from sim.experiments.run import simulate
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
    """A generated scenario of n actors, 2018–2027 weekly, no events, agents act from the
    start; capabilities and alignments drawn from `seed`."""
    rng = np.random.default_rng(seed)
    capability = rng.dirichlet(np.ones(n))
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
        actors=tuple(Actor(f"S{i}", f"S{i}", float(capability[i]), 0.5) for i in range(n)),
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


@dataclass(frozen=True)
class Benchmark:
    """Seconds per run of one scenario through each driver, measured in one process.

    Attributes:
        scenario: the scenario's name; actors, steps: its size.
        mesa, single, batch: seconds per run through the Mesa model, the ensemble with one
            run, and the ensemble with `runs` runs at once.
        mesa_runs, runs: how many runs were timed through the Mesa model and in the batch.
        synthetic: (actors, runs in the batch, seconds per run) of generated scenarios.
        peak_mb: the process's peak resident memory.
    """

    scenario: str
    actors: int
    steps: int
    mesa: float
    single: float
    batch: float
    mesa_runs: int
    runs: int
    synthetic: tuple[tuple[int, int, float], ...]
    peak_mb: float


def batch_seconds(scenario: Scenario, runs: int) -> float:
    """Seconds per run of one ensemble batch of `runs` runs to the scenario's end: the
    figure `alignsim bench` reports as the batch."""
    last = [len(scenario.dates) - 1]
    seeds = list(range(runs))
    return timed(lambda: Ensemble(scenario, seeds, record_actions=False).run(last)) / runs


def bench(scenario: Scenario, runs: int, mesa_runs: int) -> Benchmark:
    """Time the drivers on the scenario, and the ensemble on 6, 50 and 200 generated actors."""
    last = [len(scenario.dates) - 1]
    mesa = timed(lambda: [run_model(scenario, s) for s in range(mesa_runs)]) / mesa_runs
    single = timed(lambda: Ensemble(scenario, [0], record_actions=False).run(last))
    batch = batch_seconds(scenario, runs)
    synthetic = tuple(
        (n, r, synthetic_seconds(n, r)) for n, r in ((6, runs), (50, max(1, runs // 20)), (200, 1))
    )
    return Benchmark(
        scenario.name,
        len(scenario.actors),
        last[0],
        mesa,
        single,
        batch,
        mesa_runs,
        runs,
        synthetic,
        peak_memory_mb(),
    )


@dataclass(frozen=True)
class Scale:
    """One `alignsim run` of a generated scenario, measured in its own process.

    Attributes:
        actors, steps: its size; rows: rows of its alignment table.
        seconds: wall-clock of the run and of writing its folder (tables and figures).
        peak_mb: the process's peak resident memory (Python and imports included).
        row_groups: row groups of its ``alignment.parquet``.
    """

    actors: int
    steps: int
    rows: int
    seconds: float
    peak_mb: float
    row_groups: int


def scale_run(n: int) -> Scale:
    """Simulate and save a generated scenario of n actors in a temporary folder."""
    began = time.perf_counter()
    scenario = synthetic(n)
    run = simulate(scenario)
    with tempfile.TemporaryDirectory() as folder:
        out = run.save(Path(folder) / "run")
        found = pq.ParquetFile(out / "alignment.parquet").metadata
        seconds = time.perf_counter() - began
    return Scale(
        n, len(scenario.dates) - 1, found.num_rows, seconds, peak_memory_mb(), found.num_row_groups
    )


def scale(sizes: tuple[int, ...]) -> Iterator[Scale]:
    """`scale_run` of each size, each in a fresh process (spawned: nothing inherited)."""
    context = multiprocessing.get_context("spawn")
    for n in sizes:
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            yield pool.submit(scale_run, n).result()
