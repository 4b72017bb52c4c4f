"""A sweep's folder: plan it, refuse or resume it, dispatch its chunks, assemble it.

Output folder (README, "Sweeps, on one machine or a cluster"): ``sweep.json`` (the plan),
``chunks/<id>.results.parquet`` and ``chunks/<id>.envelopes.parquet`` (and
``trajectories/<id>.parquet`` with ``--trajectories``), ``manifest.jsonl`` (one line per
finished chunk, with its files' SHA-256), ``sweep.lock`` (held by the process working in the
folder, `sim.io.lock`), and on completion ``results.parquet`` and ``envelopes.parquet``.
A sharded sweep (`sim.experiments.shard`) adds ``shards/``, each shard's lock and manifest.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from matplotlib.figure import Figure

from sim import __version__
from sim.core.errors import InputError
from sim.core.variants import variant
from sim.experiments.design import Vary, design_points
from sim.experiments.resume import MANIFEST, check_same_sweep, verified_chunks
from sim.experiments.sweep import (
    Chunk,
    ChunkResult,
    chunk_record,
    plan_chunks,
    run_chunk,
    write_atomic,
)
from sim.figures.sweeps import sweep_figures
from sim.io.datapackage import write_datapackage
from sim.io.files import csv_beside, write_json
from sim.io.inplace import remove
from sim.io.lock import hold, hold_all
from sim.io.owners import Owner
from sim.io.progress import progress
from sim.io.scenario import Scenario


@dataclass(frozen=True)
class SweepSpec:
    """What a sweep computes (everything its results depend on)."""

    varies: tuple[Vary, ...]
    sampler: str
    samples: int | None
    replicates: int
    seed: int
    chunk_runs: int
    envelope_step: str
    trajectories: bool


@dataclass(frozen=True)
class Dispatch:
    """Where chunks run: `workers` local processes, a new Dask LocalCluster, or a scheduler."""

    workers: int = 1
    dask_local: int | None = None
    scheduler: str | None = None


@contextlib.contextmanager
def executor_for(dispatch: Dispatch) -> Iterator[cf.Executor | None]:
    """A `concurrent.futures.Executor` for the dispatch (None: run in this process)."""
    if dispatch.dask_local or dispatch.scheduler:
        from dask.distributed import Client, LocalCluster

        if dispatch.scheduler:
            client = Client(dispatch.scheduler)
            cluster = None
        else:
            cluster = LocalCluster(
                n_workers=dispatch.dask_local,
                threads_per_worker=1,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",
                processes=True,
            )
            client = Client(cluster)
        try:
            yield client.get_executor()
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    elif dispatch.workers > 1:
        with cf.ProcessPoolExecutor(max_workers=dispatch.workers) as pool:
            yield pool
    else:
        yield None


def plan_record(
    scenario: Scenario, spec: SweepSpec, design: list[dict[str, float]], chunks: list[Chunk]
) -> dict[str, Any]:
    """The content of sweep.json."""
    return {
        "alignsim_version": __version__,
        "scenario": str(scenario.path),
        "scenario_hash": scenario.hash,
        "name": scenario.name,
        "focal": scenario.focal,
        "actor_names": {a.id: a.name for a in scenario.actors},
        "model": scenario.model,
        "parameter_sources": dict(scenario.parameter_sources),
        "sampler": spec.sampler,
        "samples": spec.samples,
        "vary": [
            {"name": v.name, "values": list(v.values), "low": v.low, "high": v.high}
            for v in spec.varies
        ],
        "replicates": spec.replicates,
        "seed": spec.seed,
        "chunk_runs": spec.chunk_runs,
        "envelope_step": spec.envelope_step,
        "trajectories": spec.trajectories,
        "design": design,
        "chunks": [chunk_record(c) for c in chunks],
    }


#: The lock file of a sweep folder (`sim.io.lock`), kept when --force empties the folder.
LOCK = "sweep.lock"
#: The folder of a sharded sweep's shards: each one's lock, record and manifest.
SHARDS = "shards"


def shard_locks(out: Path) -> list[Path]:
    """The lock files of the folder's shards (none for a sweep that was never sharded)."""
    return sorted((out / SHARDS).glob("*.lock"))


@contextlib.contextmanager
def open_folder(out: Path, plan: dict[str, Any], resume: bool, force: bool) -> Iterator[set[str]]:
    """Hold the sweep folder's lock for the block, having created, replaced or resumed the
    folder; yield the ids of the chunks already done (checked against their SHA-256)."""
    resuming = decide(out, plan, resume, force)  # refusals before anything is written
    out.mkdir(parents=True, exist_ok=True)
    with hold(out / LOCK, f"--out {out}"), hold_all(shard_locks(out), f"--out {out}"):
        if decide(out, plan, resume, force) != resuming:
            raise InputError(f"--out {out}: another process changed the folder; try again")
        yield resumed(out, plan) if resuming else started(out, plan)


def decide(out: Path, plan: dict[str, Any], resume: bool, force: bool) -> bool:
    """Whether the sweep resumes `out` (True) or starts there, or an InputError saying why
    neither may happen."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: exists and is not a folder; choose another path")
    content = [p for p in out.iterdir() if p.name != LOCK] if out.is_dir() else []
    if content and resume:
        check_same_sweep(out, plan)
        return True
    if content and not force:
        raise InputError(
            f"--out {out}: sweep folder exists and is not empty; use --resume "
            f"to finish it or --force to start again"
        )
    return False


def started(out: Path, plan: dict[str, Any]) -> set[str]:
    """Empty the folder (all but its lock) and write the plan; no chunk is done."""
    for path in out.iterdir():
        if path.name != LOCK:
            remove(path)
    (out / "chunks").mkdir()
    if plan["trajectories"]:
        (out / "trajectories").mkdir()
    write_json(out / "sweep.json", plan)
    return set()


def resumed(out: Path, plan: dict[str, Any]) -> set[str]:
    """Remove the temporary files of killed writers (all of them: the lock is held), and
    return the finished chunks that pass their checksums."""
    for path in out.rglob(".*.tmp-*"):
        remove(path)
    return verified_chunks(out, {c["id"] for c in plan["chunks"]})


def save_chunk(
    out: Path, result: ChunkResult, runs: int, manifest: str = MANIFEST, by: Owner | None = None
) -> None:
    """Write a chunk's files atomically, then record them and their SHA-256 in the manifest
    (flushed and fsync'd).

    Args:
        manifest: the manifest's path in the folder; by: the process recording the chunk,
            named on its line (a shard's).
    """
    hashes = {name: write_atomic(table, out / name) for name, table in chunk_files(result)}
    line = json.dumps(
        {
            "chunk": result.chunk,
            "runs": runs,
            "seconds": round(result.seconds, 3),
            "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            **({"host": by.host, "pid": by.pid} if by else {}),
            "sha256": hashes,
        }
    )
    with (out / manifest).open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def chunk_files(result: ChunkResult) -> list[tuple[str, pa.Table]]:
    """A chunk's files (paths in the sweep folder) and their tables."""
    files = [
        (f"chunks/{result.chunk}.results.parquet", result.results),
        (f"chunks/{result.chunk}.envelopes.parquet", result.envelopes),
    ]
    if result.trajectories is not None:
        files.append((f"trajectories/{result.chunk}.parquet", result.trajectories))
    return files


def assemble(out: Path, chunks: list[Chunk], csv: bool = False) -> None:
    """Concatenate the chunks' tables in plan order into results and envelopes (and their
    CSV copies when `csv`), described by ``datapackage.json``."""
    for kind in ("results", "envelopes"):
        tables = [pq.read_table(out / "chunks" / f"{c.id}.{kind}.parquet") for c in chunks]
        write_atomic(pa.concat_tables(tables), out / f"{kind}.parquet")
        if csv:
            csv_beside(out / f"{kind}.parquet")
    write_datapackage(out)


@dataclass(frozen=True)
class Sweep:
    """A finished sweep: its folder, plan and tables.

    Attributes:
        folder: where it lives (``sweep.json``, ``results.parquet``, ``envelopes.parquet``).
        ran, seconds: runs made by the call that finished it, and its time (0 when loaded).
    """

    folder: Path
    ran: int = 0
    seconds: float = 0.0

    @property
    def plan(self) -> dict[str, Any]:
        """The plan (``sweep.json``): scenario, sampler, design, seeds, chunks."""
        plan: dict[str, Any] = json.loads((self.folder / "sweep.json").read_text("utf-8"))
        return plan

    @property
    def results(self) -> pd.DataFrame:
        """One row per run: point, replicate, seed, the varied parameters, outcomes
        (`largest_shift_date` as datetime64)."""
        table = pd.read_parquet(self.folder / "results.parquet")
        table["largest_shift_date"] = pd.to_datetime(table["largest_shift_date"])
        return table

    @property
    def envelopes(self) -> pd.DataFrame:
        """Quantiles over replicates per design point, variable and date (datetime64)."""
        table = pd.read_parquet(self.folder / "envelopes.parquet")
        table["date"] = pd.to_datetime(table["date"])
        return table

    def figures(
        self,
        outcome: str = "final_hedging_index",
        variable: str = "hedging_index",
        points: tuple[int, ...] | None = None,
    ) -> dict[str, Figure]:
        """Envelopes (of the design `points`, by default twelve spread over the design),
        scatter and (with two varied parameters) heat map, by file stem."""
        return sweep_figures(self.folder, outcome, variable, points)


def execute(
    scenario: Scenario,
    spec: SweepSpec,
    dispatch: Dispatch,
    out: Path,
    resume: bool,
    force: bool,
    quiet: bool,
    design: list[dict[str, float]] | None = None,
    csv: bool = False,
) -> Sweep:
    """Run a sweep into `out` (resuming a finished part when asked) and return it.

    Args:
        design: the design points, when another tool made them (SALib's samplers); by
            default the spec's sampler makes them.
        csv: also write the results and envelopes as CSV (the same rows and columns).
    """
    chunks, plan = planned(scenario, spec, design)
    with open_folder(out, plan, resume, force) as done:
        pending = [c for c in chunks if c.id not in done]
        began = time.perf_counter()
        run_pending(scenario, spec, dispatch, out, pending, sum(c.runs for c in chunks), quiet)
        assemble(out, chunks, csv)
    return Sweep(out, sum(c.runs for c in pending), time.perf_counter() - began)


def planned(
    scenario: Scenario, spec: SweepSpec, design: list[dict[str, float]] | None
) -> tuple[list[Chunk], dict[str, Any]]:
    """The sweep's chunks and its plan (the content of sweep.json), its varied parameters
    checked; the spec's sampler makes the design unless one is given."""
    variant(scenario.model).check_free([v.name for v in spec.varies], "--vary")
    if design is None:
        design = design_points(list(spec.varies), spec.sampler, spec.samples, spec.seed)
    chunks = plan_chunks(scenario, design, spec.replicates, spec.seed, spec.chunk_runs)
    return chunks, plan_record(scenario, spec, design, chunks)


def run_pending(
    scenario: Scenario,
    spec: SweepSpec,
    dispatch: Dispatch,
    out: Path,
    pending: list[Chunk],
    total: int,
    quiet: bool,
    manifest: str = MANIFEST,
    by: Owner | None = None,
) -> None:
    """Run the pending chunks on the dispatch, saving each as it finishes (with a bar) in
    `manifest` (`save_chunk`)."""
    done = total - sum(c.runs for c in pending)
    with (
        progress(total, "sweep", not quiet, initial=done) as advance,
        executor_for(dispatch) as executor,
    ):
        for chunk, result in dispatch_chunks(scenario, spec, pending, executor):
            save_chunk(out, result, chunk.runs, manifest, by)
            advance(chunk.runs)


def dispatch_chunks(
    scenario: Scenario, spec: SweepSpec, chunks: list[Chunk], executor: cf.Executor | None
) -> Iterator[tuple[Chunk, ChunkResult]]:
    """Run chunks in this process or on the executor; yield each as it finishes."""
    args = (spec.envelope_step, spec.trajectories)
    if executor is None:
        for chunk in chunks:
            yield chunk, run_chunk(scenario, chunk, *args)
        return
    futures = {executor.submit(run_chunk, scenario, chunk, *args): chunk for chunk in chunks}
    for future in cf.as_completed(futures):
        yield futures.pop(future), future.result()
