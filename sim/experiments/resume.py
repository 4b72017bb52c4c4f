"""What `sweep --resume` may reuse: a plan equal to ``sweep.json``'s, option by option, and
finished chunks whose files still match the SHA-256 the manifest recorded for them.

A differing option is refused in one line naming it and both values. A chunk whose file is
missing, truncated or replaced by another (a foreign chunk) is reported in one line and run
again; the manifest is rewritten to the chunks that passed, so a line cut by a kill never
runs into the next one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sim.core.errors import InputError
from sim.io.files import atomic_file, sha256

log = logging.getLogger("alignsim")

#: The plan's entries a resumed sweep shares with sweep.json, in the order they are checked
#: (the first difference is the one reported), and the option each comes from.
OPTIONS = {
    "alignsim_version": "the alignsim version",
    "model": "--model",
    "parameter_sources": "the parameters' sources (--draw)",
    "scenario_hash": "the scenario's content hash",
    "sampler": "--sampler",
    "samples": "--samples",
    "vary": "--vary",
    "replicates": "--replicates",
    "seed": "--seed",
    "design": "the design",
    "chunk_runs": "--chunk-runs",
    "envelope_step": "--envelope-step",
    "trajectories": "--trajectories",
    "chunks": "the chunks",
}
SHOWN = 60


def check_same_sweep(out: Path, plan: dict[str, Any]) -> None:
    """Refuse to resume `out` with a plan that differs from its sweep.json.

    Raises:
        InputError: no readable sweep.json, or the first entry of `OPTIONS` that differs.
    """
    previous = read_plan(out)
    current = json.loads(json.dumps(plan, default=str))  # as sweep.json holds it
    for key, option in OPTIONS.items():
        if key in previous and previous[key] != current[key]:
            raise InputError(
                f"--resume {out}: {option} is {shown(key, current[key])} here but "
                f"{shown(key, previous[key])} in sweep.json; give the same options, or "
                f"use --force to start again"
            )


def read_plan(out: Path) -> dict[str, Any]:
    """The folder's sweep.json, or an InputError saying why it is not a sweep folder."""
    path = out / "sweep.json"
    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"--resume {out}: no sweep.json; not a sweep folder") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"--resume {out}: cannot read sweep.json ({exc})") from None
    if not isinstance(plan, dict):
        raise InputError(f"--resume {out}: sweep.json does not hold a sweep's plan")
    return plan


def shown(key: str, value: object) -> str:
    """A short text of a plan entry for a message."""
    if key == "vary" and isinstance(value, list):
        text = " ".join(vary_text(v) for v in value)
    elif key == "chunks" and isinstance(value, list):
        text = f"{len(value)} chunks"
    else:
        text = json.dumps(value, default=str)
    return text if len(text) <= SHOWN else text[: SHOWN - 3] + "..."


def vary_text(entry: dict[str, Any]) -> str:
    """A sweep.json `vary` entry as `--vary` spells it."""
    values = entry.get("values") or [entry.get("low"), entry.get("high")]
    separator = "," if entry.get("values") else ":"
    return f"{entry.get('name')}={separator.join(str(v) for v in values)}"


def verified_chunks(out: Path, planned: set[str]) -> set[str]:
    """The planned chunks the manifest lists whose files match their SHA-256 (reporting
    every other listed chunk, which runs again); the manifest keeps only their lines."""
    kept: dict[str, str] = {}
    for line, record in manifest_records(out):
        chunk = record.get("chunk")
        if chunk in planned and chunk not in kept and intact(out, chunk, record):
            kept[chunk] = line
    with atomic_file(out / "manifest.jsonl") as work:
        work.write_text("".join(f"{line}\n" for line in kept.values()), encoding="utf-8")
    return set(kept)


def manifest_records(out: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each whole line of manifest.jsonl with its record (a line cut by a kill is skipped)."""
    path = out / "manifest.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            yield line, record


def intact(out: Path, chunk: str, record: dict[str, Any]) -> bool:
    """Whether every file the manifest recorded for `chunk` has its recorded SHA-256."""
    recorded = record.get("sha256")
    if not isinstance(recorded, dict) or not recorded:
        log.warning(f"{out}: chunk {chunk} has no checksum in manifest.jsonl; running it again")
        return False
    for name, expected in recorded.items():
        path = out / name
        if not path.is_file() or sha256(path) != expected:
            problem = (
                "is missing"
                if not path.is_file()
                else "does not match its SHA-256 in manifest.jsonl (truncated or replaced)"
            )
            log.warning(f"{out}: chunk {chunk}: {name} {problem}; running it again")
            return False
    return True
