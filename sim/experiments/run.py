"""One run as an object: simulate a scenario once, keep its tables, save and draw them.

A run folder holds ``manifest.json`` (what was run, how, from which files, how long),
``alignment.parquet``, ``metrics.parquet`` and ``events.parquet`` (CSV copies on request)
and the figures (README, "Data dictionary"). `simulate` makes a `Run`; `Run.save` writes its
folder atomically; `Run.load` reads one back; `Run.figures` draws it.
"""

from __future__ import annotations

import datetime as dt
import platform
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from threadpoolctl import threadpool_limits

from sim import __version__
from sim.engine.history import AlignmentHistory
from sim.engine.model import run_model
from sim.engine.results import TABLES, RunTables, recorded_steps
from sim.engine.trajectory import Trajectory
from sim.experiments.fan import fan_table
from sim.figures.fans import fan_figure
from sim.figures.folders import save_output
from sim.figures.runs import RunView, run_figures
from sim.io.files import read_manifest, read_table
from sim.io.scenario import Scenario, load_scenario

DATE_COLUMNS = frozenset({"date", "applied_on"})


@dataclass(frozen=True)
class Run:
    """One run of a scenario: its manifest and its three tables (and, when it was just
    simulated, its full `Trajectory`).

    Attributes:
        manifest: what was run and how (the folder's ``manifest.json``).
        tables: the tables as saved, by name (``alignment``, ``metrics``, ``events``);
            their ``date`` columns hold `datetime.date` values, as Parquet's date32 does.
            A simulated run makes its alignment table only when it is asked for
            (`sim.engine.results.RunTables`); saving streams it instead.
        trajectory: the arrays of the run (None for a run read back from its folder).
        fan: the replicate fan of its scenario (`with_fan`), or None.
    """

    manifest: dict[str, Any]
    tables: Mapping[str, pd.DataFrame]
    trajectory: Trajectory | None = field(default=None, compare=False)
    fan: pd.DataFrame | None = field(default=None, compare=False)

    @property
    def alignment(self) -> pd.DataFrame:
        """Long table: date (datetime64), source, target, value, baseline, protocol_rank."""
        return dated(self.tables["alignment"])

    @property
    def metrics(self) -> pd.DataFrame:
        """Long table: date (datetime64), actor, hedging index, dependence, bloc, ..."""
        return dated(self.tables["metrics"])

    @property
    def events(self) -> pd.DataFrame:
        """Every scripted event row and agent action, with its date (datetime64) and source."""
        return dated(self.tables["events"])

    @property
    def view(self) -> RunView:
        """What the figures draw from (a simulated run's alignment read from its arrays)."""
        if isinstance(self.tables, RunTables):
            history = AlignmentHistory.of_trajectory(self.tables.trajectory, self.tables.recorded)
            return RunView.of(self.manifest, self.tables, history)
        return RunView.of(self.manifest, self.tables)

    def figures(self, actor: str | None = None, date: dt.date | None = None) -> dict[str, Figure]:
        """The run's four figures by file stem (`sim.figures.runs.run_figures`), and its
        fan (``fan_<FOCAL>``, `sim.figures.fans`) when it has one."""
        view = self.view
        figures = run_figures(view, actor, date)
        if self.fan is not None:
            figures[f"fan_{view.focal}"] = fan_figure(view, self.fan)
        return figures

    def with_fan(self, scenario: Scenario, replicates: int) -> Run:
        """This run with the fan of its scenario over `replicates` seeds spawned from its
        seed (`sim.experiments.fan`), noted in its manifest."""
        fan = fan_table(scenario, replicates, self.manifest["seed"])
        note = {"replicates": replicates, "seeds_spawned_from": self.manifest["seed"]}
        return replace(self, manifest={**self.manifest, "fan": note}, fan=fan)

    def save(
        self,
        folder: str | Path,
        csv: bool = False,
        formats: tuple[str, ...] = ("png",),
        force: bool = False,
    ) -> Path:
        """Write the run folder; it appears only when complete. A non-empty folder is
        refused unless `force` (then it is replaced); the command line decides `force`
        with `sim.io.files.output_folder`."""
        tables = self.tables
        blocks = {
            n: tables.blocks(n) if isinstance(tables, RunTables) else tables[n] for n in TABLES
        }
        if self.fan is not None:
            blocks["fan"] = self.fan
        figures = self.figures()
        return save_output(folder, blocks, figures, self.manifest, formats, force, csv, hashes=True)

    @classmethod
    def load(cls, folder: str | Path) -> Run:
        """Read a run folder back (with its fan, when it has one)."""
        folder = Path(folder)
        fan = read_table(folder, "fan") if (folder / "fan.parquet").is_file() else None
        return cls(read_manifest(folder), {n: read_table(folder, n) for n in TABLES}, fan=fan)


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    parameters: dict[str, float] | None = None,
    command: str = "",
    record_every: int = 1,
) -> Run:
    """Run a scenario once through the Mesa model.

    Args:
        scenario: a loaded scenario.
        seed: the run's seed (the scenario's when None).
        parameters: values over the scenario's (names and ranges: `alignsim params`).
        command: the command line recorded in the manifest, if any.
        record_every: record the start, every k-th step and the end in the tables (the
            run itself takes every step).

    BLAS runs on one thread: the run's matrices are small and many, and on a shared
    two-core machine OpenBLAS's threads made a 200-actor run five times slower (and its
    bloc measure a hundred times); the results are the same bits.
    """
    began = time.perf_counter()
    with threadpool_limits(1, user_api="blas"):
        trajectory = run_model(scenario, seed, parameters)
        recorded = recorded_steps(len(scenario.dates) - 1, record_every)
        tables = RunTables(trajectory, recorded)
    manifest = manifest_of(trajectory, command, time.perf_counter() - began, record_every)
    return Run(manifest, tables, trajectory)


def load_or_simulate(source: Path) -> Run:
    """A run folder read back, or one run of a scenario file at its own seed."""
    return Run.load(source) if source.is_dir() else simulate(load_scenario(source))


def dated(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table whose date columns (``date``, ``applied_on``) are datetime64, so
    pandas' ``.dt`` and date comparisons work."""
    out = table.copy()
    for column in DATE_COLUMNS.intersection(out.columns):
        out[column] = pd.to_datetime(out[column])
    return out


def manifest_of(
    trajectory: Trajectory, command: str, seconds: float, record_every: int = 1
) -> dict[str, Any]:
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
            "model": scenario.model,
            "focal": scenario.focal,
            "start": scenario.start,
            "end": scenario.end,
            "step": scenario.step,
            "files": dict(scenario.files),
        },
        "seed": trajectory.seed,
        "record_every": record_every,
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
