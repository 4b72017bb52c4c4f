"""One run, start to finish: simulate through the Mesa model, write the folder, draw plots.

A run folder holds ``manifest.json`` (what was run, how, from which files, how long),
``alignment.parquet``, ``metrics.parquet`` and ``events.parquet`` (CSV copies on request)
and the plots. `write_run` is what `alignsim run` calls; `load_view` reads a folder back
for `alignsim plot`.
"""

from __future__ import annotations

import datetime as dt
import platform
import sys
import time
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from sim import __version__
from sim.engine.model import run_model
from sim.engine.results import alignment_table, events_table, metrics_table, summary
from sim.engine.trajectory import Trajectory
from sim.figures.runs import RunView, render_run
from sim.io.files import (
    atomic_folder,
    read_manifest,
    read_table,
    sha256,
    write_json,
    write_table,
)
from sim.io.scenario import Scenario, load_scenario

TABLES = ("alignment", "metrics", "events")


def make_view(manifest: dict[str, Any], tables: dict[str, pd.DataFrame]) -> RunView:
    """A `RunView` from a manifest and the run's tables."""
    actors = manifest["actors"]
    return RunView(
        title=manifest["scenario"]["name"],
        actors=tuple(a["id"] for a in actors),
        names={a["id"]: a["name"] for a in actors},
        capability={a["id"]: a["capability"] for a in actors},
        focal=manifest["scenario"]["focal"],
        alignment=tables["alignment"],
        metrics=tables["metrics"],
        events=tables["events"],
    )


def load_view(folder: Path) -> RunView:
    """Read a run folder back for plotting."""
    manifest = read_manifest(folder)
    return make_view(manifest, {name: read_table(folder, name) for name in TABLES})


def manifest_of(trajectory: Trajectory, command: str, seconds: float) -> dict[str, Any]:
    """The manifest of a run (without its list of outputs)."""
    scenario: Scenario = trajectory.scenario
    shift = trajectory.spinup_shift
    worst = np.unravel_index(np.abs(shift).argmax(), shift.shape)
    ids = scenario.actor_ids
    return {
        "alignsim_version": __version__,
        "scenario": {
            "name": scenario.name,
            "file": str(scenario.path),
            "hash": scenario.hash,
            "focal": scenario.focal,
            "start": scenario.start,
            "end": scenario.end,
            "step": scenario.step,
            "files": dict(scenario.files),
        },
        "seed": trajectory.seed,
        "parameters": dict(scenario.parameters),
        "parameter_sources": dict(scenario.parameter_sources),
        "actors": [
            {
                "id": a.id,
                "name": a.name,
                "capability": a.capability,
                "hedging": a.hedging,
                "tolerance": a.tolerance,
            }
            for a in scenario.actors
        ],
        "spinup": {
            "days": scenario.parameters["spinup"],
            "max_abs_shift": float(np.abs(shift).max()),
            "largest_shift": {
                "source": ids[worst[0]],
                "target": ids[worst[1]],
                "from": float(scenario.alignment[worst]),
                "to": float(trajectory.alignment[0][worst]),
            },
        },
        "events": {
            "scripted": len(scenario.events),
            "agent_actions": len(trajectory.actions),
            "skipped": dict(scenario.skipped),
            "agents_act_from": str(scenario.dates[scenario.agents_start_step - 1]),
        },
        "command": command,
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 3),
        "platform": {
            "python": sys.version.split()[0],
            "numpy": np.__version__,
            "mesa": mesa.__version__,
            "machine": platform.machine(),
        },
    }


def run_tables(trajectory: Trajectory) -> dict[str, pd.DataFrame]:
    """The three tables of a run."""
    return {
        "alignment": alignment_table(trajectory),
        "metrics": metrics_table(trajectory),
        "events": events_table(trajectory),
    }


def view_of(source: Path) -> RunView:
    """A run's view from a run folder, or from one run of a scenario file (default seed)."""
    if source.is_dir():
        return load_view(source)
    trajectory = run_model(load_scenario(source))
    return make_view(manifest_of(trajectory, "", 0.0), run_tables(trajectory))


def write_run(
    scenario: Scenario,
    seed: int | None,
    target: Path,
    command: str,
    csv: bool = False,
    formats: tuple[str, ...] = ("png",),
) -> list[str]:
    """Run a scenario and write its folder; return the summary lines.

    The folder appears only when complete (see `sim.io.files.atomic_folder`).
    """
    began = time.perf_counter()
    trajectory = run_model(scenario, seed)
    tables = run_tables(trajectory)
    manifest = manifest_of(trajectory, command, time.perf_counter() - began)
    with atomic_folder(target) as work:
        written = [p for name, table in tables.items() for p in write_table(table, work, name, csv)]
        written += render_run(make_view(manifest, tables), work, formats)
        manifest["outputs"] = {p.name: sha256(p) for p in written}
        write_json(work / "manifest.json", manifest)
    return [*summary(trajectory), f"outputs: {target}/ ({len(written) + 1} files)"]
