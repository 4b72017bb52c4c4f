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
#: An unsharded sweep's manifest: one line per finished chunk.
MANIFEST = "manifest.jsonl"


def check_same_sweep(
    out: Path,
    plan: dict[str, Any],
    what: str = "",
    hint: str = "give the same options, or use --force to start again",
) -> None:
    """Refuse to resume `out` with a plan that differs from its sweep.json.

    Args:
        what: who asks, for messages (``--resume DIR`` unless given).
        hint: what to do about a difference.

    Raises:
        InputError: no readable sweep.json, or the first entry of `OPTIONS` that differs.
    """
    what = what or f"--resume {out}"
    previous = read_plan(out, what)
    current = json.loads(json.dumps(plan, default=str))  # as sweep.json holds it
    for key, option in OPTIONS.items():
        if key in previous and previous[key] != current[key]:
            raise InputError(
                f"{what}: {option} is {shown(key, current[key])} here but "
                f"{shown(key, previous[key])} in sweep.json; {hint}"
            )


def read_plan(out: Path, what: str) -> dict[str, Any]:
    """The folder's sweep.json, or an InputError (starting with `what`) saying why it is
    not a sweep folder."""
    path = out / "sweep.json"
    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{what}: no sweep.json; not a sweep folder") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{what}: cannot read sweep.json ({exc})") from None
    if not isinstance(plan, dict):
        raise InputError(f"{what}: sweep.json does not hold a sweep's plan")
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


def verified_chunks(out: Path, planned: set[str], manifest: str = MANIFEST) -> set[str]:
    """The planned chunks the manifest lists whose files match their SHA-256 (reporting
    every other listed chunk, which runs again); the manifest keeps only their lines.

    Args:
        manifest: the manifest's path in the folder (a shard's, `sim.experiments.shard`).
    """
    kept = verified_lines(out, planned, manifest, warn=True)
    with atomic_file(out / manifest) as work:
        work.write_text("".join(f"{line}\n" for line in kept.values()), encoding="utf-8")
    return set(kept)


def verified_lines(out: Path, planned: set[str], manifest: str, warn: bool) -> dict[str, str]:
    """The manifest's line of each planned chunk whose files match their SHA-256 (the
    first such line of a chunk listed twice); with `warn`, each other one is reported."""
    kept: dict[str, str] = {}
    for line, record in manifest_records(out, manifest):
        chunk = record.get("chunk")
        if chunk in planned and chunk not in kept:
            wrong = problem(out, chunk, record)
            if wrong is None:
                kept[chunk] = line
            elif warn:
                log.warning(f"{out}: chunk {chunk}{wrong}; running it again")
    return kept


def manifest_records(out: Path, manifest: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each whole line of the manifest with its record (a line cut by a kill is skipped)."""
    path = out / manifest
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            yield line, record


def problem(out: Path, chunk: str, record: dict[str, Any]) -> str | None:
    """What is wrong with the files a manifest line records for `chunk` (None: every one
    has its recorded SHA-256), as the end of a sentence naming the chunk."""
    recorded = record.get("sha256")
    if not isinstance(recorded, dict) or not recorded:
        return " has no checksum in its manifest"
    for name, expected in recorded.items():
        path = out / name
        if not path.is_file():
            return f": {name} is missing"
        if sha256(path) != expected:
            return f": {name} does not match its SHA-256 in the manifest (truncated or replaced)"
    return None
