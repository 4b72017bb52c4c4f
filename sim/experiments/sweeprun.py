"""The sweep driver: plan, refuse or resume, dispatch chunks, write, assemble.

Output folder (README, "Sweeps, on one machine or a cluster"): ``sweep.json`` (the plan),
``chunks/<id>.results.parquet`` and ``chunks/<id>.envelopes.parquet`` (and
``trajectories/<id>.parquet`` with ``--trajectories``), ``manifest.jsonl`` (one line per
finished chunk), and on completion ``results.parquet`` and ``envelopes.parquet``.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from sim import __version__
from sim.core.errors import InputError
from sim.experiments.design import Vary, design_points
from sim.experiments.sweep import (
    Chunk,
    ChunkResult,
    chunk_record,
    plan_chunks,
    run_chunk,
    write_atomic,
)
from sim.io.files import write_json
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
        "sampler": spec.sampler,
        "samples": spec.samples,
        "vary": [
            {"name": v.name, "values": list(v.values), "low": v.low, "high": v.high}
            for v in spec.varies
        ],
        "replicates": spec.replicates,
        "seed": spec.seed,
        "envelope_step": spec.envelope_step,
        "trajectories": spec.trajectories,
        "design": design,
        "chunks": [chunk_record(c) for c in chunks],
    }


def prepare_folder(out: Path, plan: dict[str, Any], resume: bool, force: bool) -> set[str]:
    """Create, replace or resume the sweep folder; return the ids of finished chunks."""
    exists = out.is_dir() and any(out.iterdir())
    if exists and resume:
        return finished_chunks(out, plan)
    if exists and not force:
        raise InputError(
            f"--out {out}: sweep folder exists and is not empty; use --resume "
            f"to finish it or --force to start again"
        )
    if out.exists():
        shutil.rmtree(out)
    (out / "chunks").mkdir(parents=True)
    if plan["trajectories"]:
        (out / "trajectories").mkdir()
    write_json(out / "sweep.json", plan)
    return set()


def finished_chunks(out: Path, plan: dict[str, Any]) -> set[str]:
    """Chunks the manifest lists as done (checking the plan is the same sweep)."""
    path = out / "sweep.json"
    if not path.is_file():
        raise InputError(f"--resume {out}: no sweep.json; not a sweep folder")
    previous = json.loads(path.read_text(encoding="utf-8"))
    if [c["id"] for c in previous["chunks"]] != [c["id"] for c in plan["chunks"]]:
        raise InputError(
            f"--resume {out}: this folder holds a different sweep (scenario, "
            f"design, seeds or version differ); use --force to start again"
        )
    manifest = out / "manifest.jsonl"
    lines = manifest.read_text(encoding="utf-8").splitlines() if manifest.exists() else []
    done = set()
    for line in lines:
        with contextlib.suppress(json.JSONDecodeError):  # a line cut by a kill
            done.add(json.loads(line)["chunk"])
    return {c for c in done if (out / "chunks" / f"{c}.results.parquet").is_file()}


def save_chunk(out: Path, result: ChunkResult, runs: int) -> None:
    """Write a chunk's files atomically, then record it in the manifest (fsync'd)."""
    write_atomic(result.results, out / "chunks" / f"{result.chunk}.results.parquet")
    write_atomic(result.envelopes, out / "chunks" / f"{result.chunk}.envelopes.parquet")
    if result.trajectories is not None:
        write_atomic(result.trajectories, out / "trajectories" / f"{result.chunk}.parquet")
    line = json.dumps(
        {
            "chunk": result.chunk,
            "runs": runs,
            "seconds": round(result.seconds, 3),
            "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
    )
    with (out / "manifest.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def assemble(out: Path, chunks: list[Chunk]) -> None:
    """Concatenate the chunks' tables in plan order into results and envelopes."""
    for kind in ("results", "envelopes"):
        tables = [pq.read_table(out / "chunks" / f"{c.id}.{kind}.parquet") for c in chunks]
        write_atomic(pa.concat_tables(tables), out / f"{kind}.parquet")


def execute(
    scenario: Scenario,
    spec: SweepSpec,
    dispatch: Dispatch,
    out: Path,
    resume: bool,
    force: bool,
    quiet: bool,
    design: list[dict[str, float]] | None = None,
) -> list[str]:
    """Run a sweep into `out`; return summary lines.

    Args:
        design: the design points, when another tool made them (SALib's samplers); by
            default the spec's sampler makes them.
    """
    if design is None:
        design = design_points(list(spec.varies), spec.sampler, spec.samples, spec.seed)
    chunks = plan_chunks(scenario, design, spec.replicates, spec.seed, spec.chunk_runs)
    done = prepare_folder(out, plan_record(scenario, spec, design, chunks), resume, force)
    pending = [c for c in chunks if c.id not in done]
    total = sum(c.runs for c in chunks)
    began = time.perf_counter()
    with (
        tqdm(
            total=total,
            initial=total - sum(c.runs for c in pending),
            unit="run",
            disable=True if quiet else None,
            desc="sweep",
        ) as bar,
        executor_for(dispatch) as executor,
    ):
        for chunk, result in dispatch_chunks(scenario, spec, pending, executor):
            save_chunk(out, result, chunk.runs)
            bar.update(chunk.runs)
    assemble(out, chunks)
    elapsed = time.perf_counter() - began
    ran = sum(c.runs for c in pending)
    return [
        f"sweep: {len(design)} design points x {spec.replicates} replicates = {total} runs "
        f"in {len(chunks)} chunks; ran {ran} now ({len(chunks) - len(pending)} chunks "
        f"already done) in {elapsed:.1f} s ({ran / max(elapsed, 1e-9):.0f} runs/s)",
        f"results: {out}/results.parquet, envelopes: {out}/envelopes.parquet",
    ]


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


def map_design(
    function: Callable[[np.ndarray], np.ndarray],
    design: np.ndarray,
    dispatch: Dispatch,
    chunk_rows: int = 1024,
) -> np.ndarray:
    """Evaluate a picklable function of design rows in chunks on the sweep's executors.

    The rows are cut into chunks in order, dispatched like a sweep's chunks (this process, a
    local pool or Dask) and the outputs are joined back in design order.
    """
    pieces = [design[i : i + chunk_rows] for i in range(0, len(design), chunk_rows)]
    with executor_for(dispatch) as executor:
        if executor is None:
            return np.concatenate([function(piece) for piece in pieces])
        return np.concatenate(list(executor.map(function, pieces)))
