"""Files: output folders, Parquet and CSV tables, manifests, written all or nothing.

Where results go (README, "Bad input" and "Data dictionary"): an `--out` folder that exists
and is not empty is refused unless `--force`; without `--out` a run goes to
``outputs/<scenario-name>/``, which the tool owns and replaces. A run is written into a
temporary sibling folder and moved into place only when complete, so a failure leaves no
partial output and an existing result intact.

Data files are deterministic: the same inputs and seed give the same bytes. Manifests
carry timings and command lines and are exempt.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from sim.core.errors import InputError
from sim.io.inplace import move_in, recover, remove, temporary
from sim.io.paths import problem, read_bytes


def slug(name: str) -> str:
    """A folder name for a scenario name: lower case, words joined by '-'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "run"


def output_folder(out: Path | None, default: Path, force: bool) -> Path:
    """Decide where results go, refusing to overwrite a user's folder without `force`.

    Args:
        out: the `--out` folder, or None.
        default: the tool-owned folder used without `--out` (replaced freely).
        force: whether `--force` was given.

    Raises:
        InputError: `out` exists and is not empty (or is a file) and `force` is not set.
    """
    if out is None:
        return default
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: exists and is not a folder; choose another path")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise InputError(
            f"--out {out}: folder exists and is not empty; use --force to "
            f"replace it, or choose another folder"
        )
    return out


@contextmanager
def atomic_folder(target: Path, replace: bool = True) -> Iterator[Path]:
    """Yield a temporary folder that replaces `target` only if the block completes
    (`sim.io.inplace`: leftovers of killed writers are tidied first, the swap leaves no
    moment without a result, and the folder gets the umask's mode).

    Raises:
        InputError: `target` is a file, or a non-empty folder and `replace` is False
            (before anything is written).
    """
    if target.parent.is_dir():
        recover(target)
    if target.exists() and (not target.is_dir() or (not replace and any(target.iterdir()))):
        raise InputError(
            f"{target}: exists and is not an empty folder; save(..., force=True) replaces it"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    work = temporary(target)
    work.mkdir()
    try:
        yield work
        move_in(work, target)
    except BaseException:
        remove(work)
        raise


def output_file(out: Path, force: bool) -> Path:
    """An output file's path, refusing to replace an existing file without `force`.

    Raises:
        InputError: `out` is a folder, or exists and `force` is not set.
    """
    if out.is_dir():
        raise InputError(f"--out {out}: is a folder; give a file name")
    if out.exists() and not force:
        raise InputError(f"--out {out}: file exists; use --force to replace it")
    return out


@contextmanager
def atomic_file(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target` (with its suffix, which writers may read) that
    replaces it, flushed to disk, only if the block completes; the file gets the umask's
    mode. (Unlike a folder's, a file's leftovers are not searched for: a sweep writes
    thousands of files into one folder.)"""
    target.parent.mkdir(parents=True, exist_ok=True)
    work = temporary(target)
    try:
        yield work
        with work.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(work, target)
    except BaseException:
        work.unlink(missing_ok=True)
        raise


#: The first line of every file `alignsim calibrate` writes for scenarios to read.
CALIBRATE_HEADER = "# Written by `alignsim calibrate`; rerun it rather than editing by hand.\n"


def keep_previous(target: Path, previous: str) -> None:
    """Copy `target`, if it exists, to the file `previous` beside it, before it is replaced."""
    if target.exists():
        shutil.copyfile(target, target.with_name(previous))


def write_calibration_yaml(target: Path, content: dict[str, Any]) -> None:
    """Write a YAML file of `alignsim calibrate` (header, keys in order), whole or not at all."""
    with atomic_file(target) as work:
        text = CALIBRATE_HEADER + yaml.safe_dump(content, sort_keys=False, allow_unicode=True)
        work.write_text(text, encoding="utf-8")


def write_draws_and_record(
    folder: Path, stem: str, table: pd.DataFrame, record: Callable[[Path], dict[str, Any]]
) -> tuple[Path, Path]:
    """Write ``STEM.parquet`` (draws) and ``STEM.yaml`` (their record, made from the written
    draws' path, e.g. to hash them) into `folder`, each whole or not at all, keeping the
    previous pair as ``STEM.previous.*``."""
    draws, record_path = folder / f"{stem}.parquet", folder / f"{stem}.yaml"
    for path in (draws, record_path):
        keep_previous(path, f"{stem}.previous{path.suffix}")
    with atomic_file(draws) as work:
        table.to_parquet(work, index=False)
    write_calibration_yaml(record_path, record(draws))
    return draws, record_path


def write_table(table: pd.DataFrame, folder: Path, name: str, csv: bool = False) -> list[Path]:
    """Write a table as `name.parquet` (and `name.csv` when asked); return the paths."""
    return write_blocks([table], folder, name, csv)


def write_blocks(
    blocks: Iterable[pd.DataFrame], folder: Path, name: str, csv: bool = False
) -> list[Path]:
    """Write a table given as consecutive blocks (of the same columns), each a row group of
    `name.parquet`, and appended to `name.csv` when asked, so that only one block is ever
    in memory; return the paths. One block gives the bytes `pyarrow.parquet.write_table`
    gives."""
    path, csv_path = folder / f"{name}.parquet", folder / f"{name}.csv"
    writer: pq.ParquetWriter | None = None
    try:
        for i, block in enumerate(blocks):
            arrow = pa.Table.from_pandas(with_dates(block), preserve_index=False)
            writer = writer or pq.ParquetWriter(path, arrow.schema)
            writer.write_table(arrow)
            if csv:
                block.to_csv(
                    csv_path, mode="a" if i else "w", header=not i, index=False, lineterminator="\n"
                )
    finally:
        if writer is not None:
            writer.close()
    return [path, csv_path] if csv else [path]


def with_dates(block: pd.DataFrame) -> pd.DataFrame:
    """The block with its datetime64 columns as dates, which Arrow stores as ``date32``:
    the one type of a date in every table."""
    timed = [c for c in block.columns if pd.api.types.is_datetime64_any_dtype(block[c])]
    return block.assign(**{c: block[c].dt.date for c in timed}) if timed else block


def csv_beside(parquet: Path) -> Path:
    """Write ``NAME.csv`` beside ``NAME.parquet``, whole or not at all, with the same rows
    and columns, one row group at a time (dates as ISO text); return its path."""
    target = parquet.with_suffix(".csv")
    source = pq.ParquetFile(parquet)
    with atomic_file(target) as work:
        for i in range(source.num_row_groups):
            block = source.read_row_group(i).to_pandas()
            block.to_csv(
                work, mode="a" if i else "w", header=not i, index=False, lineterminator="\n"
            )
        if source.num_row_groups == 0:
            source.schema_arrow.empty_table().to_pandas().to_csv(work, index=False)
    return target


def read_table(folder: Path, name: str) -> pd.DataFrame:
    """Read `name.parquet` from a results folder.

    Raises:
        InputError: the file is missing (the folder is not a complete run).
    """
    path = folder / f"{name}.parquet"
    if not path.is_file():
        raise InputError(
            f"{folder}: not a run folder ({path.name} is missing); give the "
            f"folder `alignsim run` wrote"
        )
    return pq.read_table(path).to_pandas()


def read_text(path: Path, what: str = "file", encoding: str = "utf-8-sig") -> str:
    """A user's text file (universal newlines), or an InputError naming it: missing, not a
    regular file, beyond the size limit (`sim.io.paths.read_bytes`), unreadable, not UTF-8."""
    try:
        text = read_bytes(path, what).decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: cannot read the {what} ({exc})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} ({problem(exc)})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_json(path: Path, content: dict[str, Any]) -> None:
    """Write a JSON document (indented, keys in the order given)."""
    path.write_text(json.dumps(content, indent=2, default=str) + "\n", encoding="utf-8")


def read_manifest(folder: Path) -> dict[str, Any]:
    """Read a run folder's `manifest.json`."""
    path = folder / "manifest.json"
    if not path.is_file():
        raise InputError(f"{folder}: not a run folder (manifest.json is missing)")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
