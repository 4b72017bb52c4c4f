"""Any output folder, redrawn from its saved tables: a run's, a sweep's, a comparison's or a
calibration report's.

`kind_of` tells the folders apart by the files they hold; `redraw` draws a folder's figures
again (after a change of actor, date, outcome or format) without running anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from sim.core.errors import InputError, excerpt
from sim.figures.calibration import calibration_figures
from sim.figures.comparison import comparison_figures
from sim.figures.fans import fan_figure
from sim.figures.posterior import posterior_figures, sbc_figure
from sim.figures.record import RECORD, save_recorded
from sim.figures.runs import RunView, run_figures
from sim.figures.sensitivity import sensitivity_figures
from sim.figures.sweeps import load_sweep, sweep_figures
from sim.io.datapackage import write_datapackage
from sim.io.files import atomic_folder, read_manifest, read_table, sha256, write_blocks, write_json

#: The tables a calibration report's figures are drawn from (`sim.experiments.calibration`).
CALIBRATION_TABLES = ("targets", "series", "plateau")


def save_output(
    folder: str | Path,
    tables: Mapping[str, pd.DataFrame | Iterable[pd.DataFrame]],
    figures: Mapping[str, Figure],
    manifest: dict[str, Any],
    formats: tuple[str, ...] = ("png",),
    force: bool = False,
    csv: bool = True,
    hashes: bool = False,
) -> Path:
    """Write an output folder: tables (Parquet, and CSV when `csv`; a table may be given as
    consecutive blocks, written as they come), figures with their record
    (`sim.figures.record`) and
    ``manifest.json`` (with each written file's SHA-256 under ``outputs`` when `hashes`).
    The folder appears whole or not at all; a non-empty one is refused unless `force`."""
    target = Path(folder)
    with atomic_folder(target, replace=force) as work:
        written = [
            p for name, t in tables.items() for p in write_blocks(blocks_of(t), work, name, csv)
        ]
        if figures:
            written += [*save_recorded(dict(figures), work, formats, manifest), work / RECORD]
        written.append(write_datapackage(work, target.name))
        outputs = {"outputs": {p.name: sha256(p) for p in written}} if hashes else {}
        write_json(work / "manifest.json", {**manifest, **outputs})
    return target


def blocks_of(table: pd.DataFrame | Iterable[pd.DataFrame]) -> Iterable[pd.DataFrame]:
    """A table as blocks: itself alone, or the blocks it is given as."""
    return [table] if isinstance(table, pd.DataFrame) else table


#: The tables a posterior report and an SBC folder hold, by kind.
REPORT_TABLES = {
    "posterior": ("parameters", "predictive", "draws"),
    "sbc": ("sbc", "ranks", "band"),
}


def kind_of(folder: Path) -> str:
    """'run', 'comparison', 'calibration', 'sensitivity', 'posterior', 'sbc' or 'sweep',
    from the files a folder holds."""
    if not folder.is_dir():
        raise InputError(f"{folder}: no such output folder")
    if (folder / "alignment.parquet").is_file() and (folder / "manifest.json").is_file():
        return "run"
    if (folder / "summary.parquet").is_file() and (folder / "bands.parquet").is_file():
        return "comparison"
    if (folder / "manifest.json").is_file() and all(
        (folder / f"{name}.parquet").is_file() for name in CALIBRATION_TABLES
    ):
        return "calibration"
    if (folder / "plateau.parquet").is_file():
        raise InputError(
            f"{folder}: a calibration report without series.parquet or manifest.json (written "
            f"before alignsim kept them); rerun `alignsim calibrate` to redraw it"
        )
    if (folder / "indices.parquet").is_file() and (folder / "manifest.json").is_file():
        return "sensitivity"
    for kind, names in REPORT_TABLES.items():
        if (folder / "manifest.json").is_file() and all(
            (folder / f"{name}.parquet").is_file() for name in names
        ):
            return kind
    if (folder / "sweep.json").is_file() and (folder / "results.parquet").is_file():
        return "sweep"
    if (folder / "sweep.json").is_file():
        raise InputError(
            f"{folder}: an unfinished sweep (results.parquet is missing); finish it with "
            f"`alignsim sweep ... --resume`"
        )
    raise InputError(
        f"{folder}: not an alignsim output folder (a run, comparison, finished sweep, "
        f"sensitivity analysis, calibration or posterior report, or SBC)"
    )


def redraw(
    folder: Path,
    formats: tuple[str, ...] = ("png",),
    *,
    actor: str | None = None,
    date: dt.date | None = None,
    outcome: str = "final_hedging_index",
    variable: str = "hedging_index",
    points: tuple[int, ...] | None = None,
) -> list[Path]:
    """Draw a folder's figures again from its tables; return the files written.

    Args:
        actor, date: a run's alignment figure's actor and its network's date.
        outcome, variable: a sweep's results column and envelope variable.
        points: a sweep's design points whose envelopes are drawn.
    """
    kind = kind_of(folder)
    if kind == "sweep":
        return render_sweep(folder, outcome, variable, formats, points)
    if kind == "comparison":
        tables = {n: read_table(folder, n) for n in ("bands", "differences", "summary")}
        manifest = read_manifest(folder)
        figures = comparison_figures(**tables, manifest=manifest)
    elif kind == "sensitivity":
        manifest = read_manifest(folder)
        figures = sensitivity_figures(read_table(folder, "indices"), manifest)
    elif kind in REPORT_TABLES:
        tables = {n: read_table(folder, n) for n in REPORT_TABLES[kind]}
        manifest = read_manifest(folder)
        if kind == "posterior":
            figures = posterior_figures(tables, manifest)
        else:
            band = tables["band"].to_dict("list")
            figures = {
                "sbc": sbc_figure(tables["ranks"], tables["sbc"], {**manifest, "band": band})
            }
    elif kind == "calibration":
        tables = {n: read_table(folder, n) for n in CALIBRATION_TABLES}
        manifest = read_manifest(folder)
        figures = calibration_figures(**tables, manifest=manifest)
    else:
        view, manifest = RunView.load(folder), read_manifest(folder)
        if actor is not None and actor not in view.actors:
            raise InputError(
                f"--actor {excerpt(actor)}: not an actor of this run; actors: "
                f"{', '.join(view.actors)}"
            )
        figures = run_figures(view, actor, date)
        if (folder / "fan.parquet").is_file():
            figures[f"fan_{view.focal}"] = fan_figure(view, read_table(folder, "fan"))
    return save_recorded(figures, folder, formats, manifest)


def render_sweep(
    folder: Path,
    outcome: str,
    variable: str,
    formats: tuple[str, ...] = ("png",),
    points: tuple[int, ...] | None = None,
) -> list[Path]:
    """Draw a sweep's figures, and their record, into `folder/plots/`; return the paths."""
    figures = sweep_figures(folder, outcome, variable, points)
    out = folder / "plots"
    out.mkdir(exist_ok=True)
    return save_recorded(figures, out, formats, load_sweep(folder)[0])
