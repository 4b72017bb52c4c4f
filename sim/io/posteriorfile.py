"""Reading a posterior's files: its evidence hashes and its draws.

A posterior (``posterior.yaml`` and ``posterior.parquet``, written by `alignsim calibrate`;
`sim.experiments.posterior`) belongs to the base scenario and the evidence it was fitted
to. Both record ``evidence_sha256``: the SHA-256 of the base scenario file and of every
evidence file, by path relative to the posterior's folder. Anything that uses the posterior
checks them first (`check_hashes`), so a posterior of other evidence is refused rather than
silently used; ``fitted.yaml``, the posterior's median, carries the same record.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.core.errors import InputError
from sim.io.files import sha256
from sim.io.schema import read_yaml


def evidence_hashes(files: Mapping[str, Path], folder: Path) -> dict[str, str]:
    """SHA-256 of each file, by its path relative to `folder` (POSIX separators)."""
    return {
        Path(os.path.relpath(path.resolve(), folder.resolve())).as_posix(): sha256(path)
        for path in files.values()
    }


def check_hashes(recorded: object, folder: Path, where: str) -> None:
    """Refuse a posterior whose evidence is not the files beside it.

    Raises:
        InputError: a recorded file is missing or its SHA-256 differs, naming it.
    """
    if not isinstance(recorded, dict):
        raise InputError(f"{where}: evidence_sha256 must map file paths to SHA-256 hashes")
    for name, digest in recorded.items():
        path = folder / str(name)
        if not path.is_file():
            raise InputError(f"{where}: evidence file {name} is missing; rerun alignsim calibrate")
        if sha256(path) != digest:
            raise InputError(
                f"{where}: {name} has changed since this posterior was fitted (SHA-256 "
                f"differs); rerun alignsim calibrate"
            )


def posterior_files(fitted: Path) -> tuple[Path, Path]:
    """``posterior.yaml`` and ``posterior.parquet`` beside a fitted-parameters file."""
    return fitted.with_name("posterior.yaml"), fitted.with_name("posterior.parquet")


def posterior_table(fitted: Path, where: str = "--draw") -> tuple[Any, list[str]]:
    """The draws (``posterior.parquet``, a DataFrame) of the posterior beside `fitted` and
    the names of its parameters, after checking its evidence.

    Raises:
        InputError: no posterior there, or hashes that do not match.
    """
    record_path, draws_path = posterior_files(fitted)
    if not record_path.is_file() or not draws_path.is_file():
        raise InputError(
            f"{where}: no posterior beside {fitted} (posterior.yaml and posterior.parquet); "
            f"run alignsim calibrate first"
        )
    record, _ = read_yaml(record_path)
    if not isinstance(record, dict) or "parameters" not in record:
        raise InputError(f"{record_path}: not a posterior record (no `parameters`)")
    check_hashes(record.get("evidence_sha256"), record_path.parent, str(record_path))
    point, _ = read_yaml(fitted) if fitted.is_file() else ({}, None)
    if not isinstance(point, dict) or point.get("posterior_sha256") != sha256(draws_path):
        raise InputError(
            f"{where}: {fitted} is not the median of the posterior beside it (a point fit, or "
            f"an older posterior); rerun alignsim calibrate, or use the fitted point alone"
        )
    import pandas as pd  # only here: loading a scenario does not need pandas

    return pd.read_parquet(draws_path), list(record["parameters"])


def posterior_draw(fitted: Path, k: int) -> tuple[dict[str, float], float]:
    """Draw `k` (0-based row of ``posterior.parquet``) of the posterior beside `fitted`,
    after checking its evidence; returns its parameters and its weight.

    Raises:
        InputError: no posterior there, hashes that do not match, or `k` out of range.
    """
    draws, names = posterior_table(fitted)
    if not 0 <= k < len(draws):
        raise InputError(
            f"--draw {k}: out of range; {posterior_files(fitted)[1]} holds draws 0 to "
            f"{len(draws) - 1}"
        )
    row = draws.iloc[k]
    return {name: float(row[name]) for name in names}, float(row["weight"])


def models_table(fitted: Path | None, models: Sequence[str]) -> tuple[Any, dict[str, float]]:
    """The model comparison's kept posterior draws (``models.parquet``, a DataFrame with a
    ``model`` column) beside `fitted` and every compared variant's posterior probability,
    after checking its evidence and its draws.

    Raises:
        InputError: no comparison there, hashes that do not match, or a variant in
            `models` it did not compare.
    """
    where = "--models"
    record_path = None if fitted is None else fitted.with_name("models.yaml")
    if record_path is None or not record_path.is_file():
        raise InputError(
            f"{where}: no model comparison beside the base's fit (models.yaml); run "
            f"alignsim calibrate BASE --compare-models first"
        )
    record, _ = read_yaml(record_path)
    if not isinstance(record, dict) or not isinstance(record.get("probabilities"), dict):
        raise InputError(f"{record_path}: not a model comparison record (no `probabilities`)")
    check_hashes(record.get("evidence_sha256"), record_path.parent, str(record_path))
    draws_path = record_path.with_name("models.parquet")
    if not draws_path.is_file() or sha256(draws_path) != record.get("draws_sha256"):
        raise InputError(
            f"{where}: {draws_path} is missing or not the draws {record_path} records; rerun "
            f"alignsim calibrate BASE --compare-models"
        )
    probability = {str(k): float(v) for k, v in record["probabilities"].items()}
    unknown = [m for m in models if m not in probability]
    if unknown:
        raise InputError(
            f"{where} {unknown[0]}: not among the compared variants; compared: "
            f"{', '.join(probability)}"
        )
    import pandas as pd  # only here: loading a scenario does not need pandas

    return pd.read_parquet(draws_path), probability
