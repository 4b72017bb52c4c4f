"""Sharded sweeps: one slice of a sweep's chunks per process, on any host that shares the
folder, and their assembly into the very files an unsharded sweep writes.

``alignsim sweep ... --shard I/N`` (I from 0 to N-1, as a SLURM array's task id) runs the
plan's chunks I, I+N, I+2N, ... into the shared folder. A shard holds its own lock,
``shards/I-of-N.lock``, while it works; records itself in ``shards/I-of-N.json`` (host,
process id, its chunks, when it started and finished) and each chunk it finishes in
``shards/I-of-N.manifest.jsonl`` (the lines of ``manifest.jsonl``, with host and process
id). It holds the folder's lock, ``sweep.lock``, only while it checks or writes
``sweep.json``, so shards run together: the first writes the plan and every other one
refuses to run a different plan. ``alignsim sweep assemble DIR`` holds the folder's lock
and every shard's (so no shard works meanwhile), checks every chunk against the SHA-256
its shard recorded, refuses naming the shards that are missing or unfinished, and writes
``manifest.jsonl``, ``results.parquet`` and ``envelopes.parquet`` as an unsharded sweep
does: the chunks' files are the same bytes, joined in the same order.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sim.core.errors import InputError
from sim.experiments.resume import (
    MANIFEST,
    check_same_sweep,
    read_plan,
    verified_chunks,
    verified_lines,
)
from sim.experiments.sweep import Chunk
from sim.experiments.sweepfolder import (
    LOCK,
    SHARDS,
    Dispatch,
    Sweep,
    SweepSpec,
    assemble,
    planned,
    run_pending,
    shard_locks,
)
from sim.io.files import atomic_file, write_json
from sim.io.inplace import leftovers, remove
from sim.io.limits import excerpt
from sim.io.lock import hold, hold_all
from sim.io.owners import Owner
from sim.io.scenario import Scenario

T = TypeVar("T")
SAME_PLAN = "give every shard the same scenario and options (the first shard wrote sweep.json)"


@dataclass(frozen=True)
class Shard:
    """Shard `index` of `count`: the plan's chunks index, index + count, ..."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """The shard ``I/N`` names, or an InputError saying what is allowed."""
        found = re.fullmatch(r"([0-9]{1,9})/([0-9]{1,9})", text.strip())
        if found is None:
            raise InputError(
                f"--shard {excerpt(text)}: expected I/N, shard I of N (I from 0 to N-1), e.g. 0/3"
            )
        index, count = int(found[1]), int(found[2])
        if count < 1:
            raise InputError(f"--shard {text}: N must be at least 1")
        if index >= count:
            raise InputError(
                f"--shard {text}: I must be from 0 to {count - 1} (shards count from 0, as "
                f"SLURM_ARRAY_TASK_ID does with --array=0-{count - 1})"
            )
        return cls(index, count)

    def file(self, suffix: str) -> str:
        """The path in the sweep folder of this shard's file ending in `suffix`."""
        return f"{SHARDS}/{self.index}-of-{self.count}{suffix}"

    def owns(self, chunks: Sequence[T]) -> list[T]:
        """This shard's slice of the plan's chunks."""
        return list(chunks[self.index :: self.count])

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass(frozen=True)
class ShardRun:
    """A finished shard: its folder, its chunks and runs, those run by this call, its time."""

    folder: Path
    shard: Shard
    chunks: int
    runs: int
    ran: int
    seconds: float


def run_shard(
    scenario: Scenario,
    spec: SweepSpec,
    dispatch: Dispatch,
    out: Path,
    shard: Shard,
    resume: bool,
    force: bool,
    quiet: bool,
) -> ShardRun:
    """Run the shard's chunks of the sweep into the shared folder `out` (resuming the
    shard's finished part when asked, running it again with `force`)."""
    chunks, plan = planned(scenario, spec, None)
    mine, what = shard.owns(chunks), f"--shard {shard} --out {out}"
    check_folder(out, plan, shard, resume or force, what)  # refusals before any writing
    (out / SHARDS).mkdir(parents=True, exist_ok=True)
    with hold(out / shard.file(".lock"), what):
        with hold(out / LOCK, what):
            check_folder(out, plan, shard, resume or force, what)
            done = join(out, plan, shard, mine, force)
        pending = [c for c in mine if c.id not in done]
        began, started = time.perf_counter(), now()
        write_record(out, shard, mine, started, None)
        total = sum(c.runs for c in mine)
        manifest = shard.file(".manifest.jsonl")
        run_pending(scenario, spec, dispatch, out, pending, total, quiet, manifest, Owner.me())
        write_record(out, shard, mine, started, now())
    ran = sum(c.runs for c in pending)
    return ShardRun(out, shard, len(mine), total, ran, time.perf_counter() - began)


def check_folder(out: Path, plan: dict[str, Any], shard: Shard, again: bool, what: str) -> None:
    """Refuse a folder that is not this sweep's (a file, a folder of something else, a
    sweep of another plan, or shards of another N), or in which this shard ran already
    unless it may run `again` (--resume or --force)."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{what}: {out} exists and is not a folder; choose another path")
    if (out / "sweep.json").exists():
        check_same_sweep(out, plan, what, SAME_PLAN)
    elif out.is_dir() and any(p.name not in (LOCK, SHARDS) for p in out.iterdir()):
        raise InputError(f"{what}: {out} is not empty and holds no sweep.json; choose another")
    for name, count in shard_counts(out, what).items():
        if count != shard.count:
            raise InputError(
                f"{what}: the folder's shards split the sweep into {count} ({SHARDS}/"
                f"{name}); give every shard the same N"
            )
    if not again and (out / shard.file(".json")).exists():
        raise InputError(
            f"{what}: this shard already ran in {out} ({shard.file('.json')}); use --resume "
            f"to finish it or --force to run it again"
        )


def join(out: Path, plan: dict[str, Any], shard: Shard, mine: list[Chunk], force: bool) -> set[str]:
    """Write the plan if this is the first shard; return the shard's chunks already done
    (none with `force`; those passing their SHA-256 otherwise)."""
    if not (out / "sweep.json").exists():
        with atomic_file(out / "sweep.json") as work:
            write_json(work, plan)
    (out / "chunks").mkdir(exist_ok=True)
    if plan["trajectories"]:
        (out / "trajectories").mkdir(exist_ok=True)
    manifest = out / shard.file(".manifest.jsonl")
    if force or not manifest.exists():
        manifest.write_text("", encoding="utf-8")
        return set()
    for chunk in mine:
        for name in chunk_names(chunk.id, plan["trajectories"]):
            for path in leftovers(out / name, "tmp"):
                remove(path)  # a temporary file of this shard's killed process
    return verified_chunks(out, {c.id for c in mine}, shard.file(".manifest.jsonl"))


def chunk_names(chunk: str, trajectories: bool) -> list[str]:
    """The files of a chunk in the sweep folder (`sim.experiments.sweepfolder.chunk_files`)."""
    names = [f"chunks/{chunk}.results.parquet", f"chunks/{chunk}.envelopes.parquet"]
    return [*names, f"trajectories/{chunk}.parquet"] if trajectories else names


def write_record(
    out: Path, shard: Shard, mine: list[Chunk], started: str, finished: str | None
) -> None:
    """The shard's record: who runs it (host, process id), its chunks, its times."""
    me = Owner.me()
    record = {
        "shard": str(shard),
        "index": shard.index,
        "count": shard.count,
        "host": me.host,
        "pid": me.pid,
        "chunks": [c.id for c in mine],
        "runs": sum(c.runs for c in mine),
        "started": started,
        "finished": finished,
    }
    with atomic_file(out / shard.file(".json")) as work:
        write_json(work, record)


def now() -> str:
    """The time now (UTC, to the second), as the records write it."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def assemble_shards(out: Path) -> Sweep:
    """Join the shards of the sweep in `out` into its final files, holding the folder's
    lock and every shard's.

    Raises:
        InputError: not a sweep folder of shards, shards of different N, a shard running,
            or shards missing or unfinished (named, with what they lack).
    """
    what = f"sweep assemble {out}"
    if not out.is_dir():
        raise InputError(f"{what}: no such folder")
    with hold(out / LOCK, what):
        plan = read_plan(out, what)
        count = shard_count(out, what)
        with hold_all(shard_locks(out), what):
            chunks = [chunk_of(record) for record in plan["chunks"]]
            lines = finished_lines(out, chunks, count, what)
            with atomic_file(out / MANIFEST) as work:
                work.write_text("".join(f"{lines[c.id]}\n" for c in chunks), encoding="utf-8")
            for path in out.rglob(".*.tmp-*"):
                remove(path)  # no shard runs: every temporary file is a killed one's
            assemble(out, chunks)
    return Sweep(out)


def shard_counts(out: Path, what: str) -> dict[str, int]:
    """The N each shard record of the folder names (0 for none), by the record's name."""
    counts = {}
    for path in sorted((out / SHARDS).glob("*.json")):
        try:
            count = json.loads(path.read_text(encoding="utf-8")).get("count")
        except (OSError, ValueError, AttributeError) as exc:
            raise InputError(f"{what}: cannot read {SHARDS}/{path.name} ({exc})") from None
        counts[path.name] = count if isinstance(count, int) and count > 0 else 0
    return counts


def shard_count(out: Path, what: str) -> int:
    """The N the folder's shards share, or an InputError (no shard, or several N)."""
    counts = shard_counts(out, what)
    if not counts:
        raise InputError(
            f"{what}: no shards ({SHARDS}/I-of-N.json); run alignsim sweep ... --shard I/N "
            f"--out {out} first"
        )
    found = set(counts.values())
    if len(found) > 1 or 0 in found:
        raise InputError(f"{what}: the shards split the sweep differently ({', '.join(counts)})")
    return found.pop()


def chunk_of(record: dict[str, Any]) -> Chunk:
    """A chunk of the plan from its sweep.json record."""
    return Chunk(
        record["id"],
        tuple(record["points"]),
        tuple(record["values"]),
        tuple(tuple(s) for s in record["seeds"]),
    )


def finished_lines(out: Path, chunks: list[Chunk], count: int, what: str) -> dict[str, str]:
    """Each chunk's manifest line from its shard, every file matching its SHA-256, or an
    InputError naming each shard that never ran or lacks chunks."""
    lines: dict[str, str] = {}
    unfinished = []
    for index in range(count):
        shard = Shard(index, count)
        mine = {c.id for c in shard.owns(chunks)}
        kept = verified_lines(out, mine, shard.file(".manifest.jsonl"), warn=False)
        lines |= kept
        if len(kept) < len(mine) and not (out / shard.file(".json")).exists():
            unfinished.append(f"{shard} (never ran)")
        elif len(kept) < len(mine):
            lacking = len(mine) - len(kept)
            unfinished.append(f"{shard} ({lacking} of {len(mine)} chunks missing or unverified)")
    if unfinished:
        raise InputError(
            f"{what}: shards not finished: {', '.join(unfinished)}; run each with --shard I/N "
            f"--resume --out {out}, then assemble again"
        )
    return lines
