"""Sweeps: many runs over a design, in chunks, on any `concurrent.futures.Executor`.

Everything a run depends on is fixed before any work starts: the design points, each
point's replicate seeds (from one `SeedSequence`), and the chunks (design points with all
their replicates, grouped up to a size), each named by a hash of what it computes. Chunks
run through the ensemble engine in worker processes (a local pool, or Dask through
``client.get_executor()``); each returns its per-run outcomes and its per-point envelopes
(quantiles over replicates at the envelope dates), so trajectories never travel. Only the
driver writes, holding the folder's lock: each chunk's files atomically (a temporary name
unique to the process, then ``os.replace``), then a line in ``manifest.jsonl`` with their
SHA-256 (flushed and fsync'd). ``--resume`` runs only the chunks the manifest lacks or whose
files no longer match their checksums (`sim.experiments.resume`). The final tables are
assembled in design order, so they are byte-identical whatever the executor, the worker
count, the chunk size or the order chunks finish in.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim import __version__
from sim.core import metrics
from sim.core.streams import spawn_seeds
from sim.engine.ensemble import Ensemble
from sim.io.files import atomic_file, sha256
from sim.io.scenario import Scenario
from sim.io.tables import sweep_outcomes

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
ENVELOPE_STEPS = {"week": "W-MON", "month": "MS", "quarter": "QS", "year": "YS"}


@dataclass(frozen=True)
class Chunk:
    """A fixed set of runs: design points with all their replicates.

    Attributes:
        id: hash of (scenario, points, seeds, code version).
        points: design point indices.
        values: each point's varied parameter values.
        seeds: each point's replicate seeds.
    """

    id: str
    points: tuple[int, ...]
    values: tuple[dict[str, float], ...]
    seeds: tuple[tuple[int, ...], ...]

    @property
    def runs(self) -> int:
        """Number of runs in the chunk."""
        return sum(len(s) for s in self.seeds)


def replicate_seeds(seed: int, points: int, replicates: int) -> np.ndarray:
    """Seeds of every run, [points, replicates], spawned from one seed before any work."""
    return np.array(spawn_seeds(seed, points * replicates), dtype=np.int64).reshape(
        points, replicates
    )


def plan_chunks(
    scenario: Scenario,
    design: Sequence[dict[str, float]],
    replicates: int,
    seed: int,
    chunk_runs: int,
) -> list[Chunk]:
    """Group design points (with all their replicates) into chunks of about `chunk_runs`."""
    seeds = replicate_seeds(seed, len(design), replicates)
    per_chunk = max(1, chunk_runs // replicates)
    chunks = []
    for first in range(0, len(design), per_chunk):
        points = tuple(range(first, min(first + per_chunk, len(design))))
        values = tuple(design[p] for p in points)
        chunk_seeds = tuple(tuple(int(s) for s in seeds[p]) for p in points)
        key = json.dumps([scenario.hash, values, chunk_seeds, __version__], sort_keys=True)
        chunks.append(
            Chunk(hashlib.sha256(key.encode()).hexdigest()[:20], points, values, chunk_seeds)
        )
    return chunks


def envelope_steps(scenario: Scenario, every: str) -> np.ndarray:
    """Indices of the recorded dates nearest after each envelope date (and the last)."""
    marks = (
        pd.date_range(
            pd.Timestamp(scenario.start), pd.Timestamp(scenario.end), freq=ENVELOPE_STEPS[every]
        )
        .to_numpy()
        .astype("datetime64[D]")
    )
    steps = np.searchsorted(scenario.dates, marks, side="left")
    return np.unique(np.append(steps, len(scenario.dates) - 1))


@dataclass(frozen=True)
class ChunkResult:
    """What a chunk sends back: per-run outcomes and per-point envelopes (Arrow tables)."""

    chunk: str
    results: pa.Table
    envelopes: pa.Table
    trajectories: pa.Table | None
    seconds: float


def run_chunk(
    scenario: Scenario, chunk: Chunk, envelope_every: str, trajectories: bool
) -> ChunkResult:
    """Run a chunk's runs as one ensemble batch (this runs in a worker process)."""
    began = time.perf_counter()
    varied = [v for v, s in zip(chunk.values, chunk.seeds, strict=True) for _ in s]
    seeds = [x for s in chunk.seeds for x in s]
    engine = Ensemble(scenario, seeds, varied, record_actions=False)
    kept = envelope_steps(scenario, envelope_every)
    focal = scenario.focal_index
    observed = np.empty((len(seeds), len(kept), len(scenario.actors)))
    history = [engine.alignment.copy()] if trajectories else []
    shift = np.zeros(len(seeds))
    shift_step = np.zeros(len(seeds), dtype=np.int64)
    observe(engine, kept, observed, focal)
    while engine.k < engine.steps:
        before = engine.alignment[:, focal].copy()
        engine.step()
        jump = np.abs(engine.alignment[:, focal] - before).max(axis=-1)
        larger = jump > shift
        shift, shift_step = np.where(larger, jump, shift), np.where(larger, engine.k, shift_step)
        observe(engine, kept, observed, focal)
        if trajectories:
            history.append(engine.alignment.copy())
    results = outcome_table(scenario, chunk, engine, shift, shift_step)
    envelopes = envelope_table(scenario, chunk, observed, kept)
    paths = trajectory_table(scenario, chunk, np.stack(history, 1)) if trajectories else None
    return ChunkResult(chunk.id, results, envelopes, paths, time.perf_counter() - began)


def observe(engine: Ensemble, kept: np.ndarray, observed: np.ndarray, focal: int) -> None:
    """Store the focal row (alignment, and hedging index in its own slot) at kept steps."""
    where = np.flatnonzero(kept == engine.k)
    if len(where):
        row = engine.alignment[:, focal].copy()
        row[:, focal] = metrics.patron_balance(row, engine.actors.capability, focal)
        observed[:, where[0]] = row


def run_index(chunk: Chunk) -> tuple[np.ndarray, np.ndarray]:
    """Point index and replicate number of each run of a chunk."""
    points = np.concatenate([[p] * len(s) for p, s in zip(chunk.points, chunk.seeds, strict=True)])
    replicate = np.concatenate([np.arange(len(s)) for s in chunk.seeds])
    return points.astype(np.int64), replicate.astype(np.int64)


def scalar_outcomes(scenario: Scenario) -> tuple[str, ...]:
    """The numeric end-of-horizon outcomes a sweep records for each run of the scenario
    (the columns of `outcome_table` that sensitivity analyses, adapters and the sweep's
    figures take; `sim.io.tables.sweep_outcomes`)."""
    return sweep_outcomes([a for a in scenario.actor_ids if a != scenario.focal])


def outcome_table(
    scenario: Scenario, chunk: Chunk, engine: Ensemble, shift: np.ndarray, shift_step: np.ndarray
) -> pa.Table:
    """One row per run: point, replicate, seed, varied parameters and outcomes."""
    point, replicate = run_index(chunk)
    A, focal, ids = engine.alignment, scenario.focal_index, scenario.actor_ids
    shares = metrics.shares_of(A[:, focal])
    top = metrics.top_partner(shares)
    columns: dict[str, object] = {
        "point": point,
        "replicate": replicate,
        "seed": np.array([x for s in chunk.seeds for x in s], dtype=np.int64),
    }
    for name in chunk.values[0]:
        columns[name] = np.array(
            [v[name] for v, s in zip(chunk.values, chunk.seeds, strict=True) for _ in s]
        )
    for j, actor in enumerate(ids):
        if j != focal:
            columns[f"final_alignment_{actor}"] = A[:, focal, j]
    columns["final_hedging_index"] = metrics.patron_balance(A[:, focal], scenario.capability, focal)
    columns["final_dependence"] = metrics.dependence(shares)
    columns["final_top_partner"] = np.array([ids[t] if t >= 0 else "" for t in top])
    sides = metrics.blocs(A)
    columns["bloc_count"] = (sides.min(axis=1) != sides.max(axis=1)).astype(np.int64) + 1
    columns["largest_shift"] = shift
    columns["largest_shift_date"] = scenario.dates[shift_step].astype("datetime64[D]")
    columns["agent_actions"] = engine.action_count.copy()
    return pa.table(columns)


def envelope_table(
    scenario: Scenario, chunk: Chunk, observed: np.ndarray, kept: np.ndarray
) -> pa.Table:
    """Quantiles over each point's replicates of the focal row at the envelope dates."""
    point, _ = run_index(chunk)
    focal, ids = scenario.focal_index, scenario.actor_ids
    names = [f"alignment_{a}" if j != focal else "hedging_index" for j, a in enumerate(ids)]
    frames = []
    for p in chunk.points:
        q = np.quantile(observed[point == p], QUANTILES, axis=0)  # [Q, E, N]
        for j, variable in enumerate(names):
            frame = {
                "point": np.full(len(kept), p, dtype=np.int64),
                "date": scenario.dates[kept].astype("datetime64[D]"),
                "variable": np.full(len(kept), variable),
            }
            frame |= {f"q{round(100 * level):02d}": q[i, :, j] for i, level in enumerate(QUANTILES)}
            frames.append(pa.table(frame))
    return pa.concat_tables(frames)


def trajectory_table(scenario: Scenario, chunk: Chunk, history: np.ndarray) -> pa.Table:
    """Long table of every run's full alignment history (only with --trajectories)."""
    point, replicate = run_index(chunk)
    runs, steps, n, _ = history.shape
    src, tgt = np.nonzero(~np.eye(n, dtype=bool))
    values = history[:, :, src, tgt]
    ids = np.array(scenario.actor_ids)
    pairs = len(src)
    return pa.table(
        {
            "point": np.repeat(point, steps * pairs),
            "replicate": np.repeat(replicate, steps * pairs),
            "date": np.tile(np.repeat(scenario.dates.astype("datetime64[D]"), pairs), runs),
            "source": np.tile(ids[src], runs * steps),
            "target": np.tile(ids[tgt], runs * steps),
            "value": values.ravel(),
        }
    )


def write_atomic(table: pa.Table, path: Path) -> str:
    """Write a Parquet file whole or not at all (`sim.io.files.atomic_file`: a temporary
    name unique to this process, fsync'd, then moved into place); return its SHA-256."""
    with atomic_file(path) as work:
        pq.write_table(table, work)
    return sha256(path)


def chunk_record(chunk: Chunk) -> dict[str, object]:
    """The plan's record of a chunk (for sweep.json)."""
    return asdict(chunk) | {"runs": chunk.runs}
