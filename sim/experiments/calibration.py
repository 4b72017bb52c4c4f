"""A calibration as an object: the fit, the tables and figures of its report, its record.

README, "Calibration: what the documents say, and how well the model says it". `calibration`
fits parameters to the documents' targets (`sim.experiments.calibrate`) and returns a
`Calibration`. Its report folder (`Calibration.save`, written whole or not at all) holds,
as Parquet and CSV:

- ``targets``: per target, the share of replicates satisfying it and its mean sides;
- ``series``: each side of each target at every recorded date at the best fit (median and
  5–95% band over replicates) with the date the claim reads, which ``targets.png`` draws;
- ``plateau``: every evaluated vector within ε of the best loss, which ``parameters.png``
  draws on the registry's ranges;
- ``projections``: the focal actor's end state across the plateau;
- ``forecast`` (a holdout only): the later targets' satisfaction without the later events;

and ``manifest.json`` (what was fitted, how, and the best vector). `alignsim plot` redraws
the figures from these files alone. `Calibration.write_fitted` writes ``fitted.yaml``, which
scenarios read through ``parameters_from`` (README, "Scenario files").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim import __version__
from sim.core import metrics
from sim.core.errors import InputError
from sim.core.params import CALIBRATED
from sim.core.variants import variant
from sim.engine.ensemble import Ensemble
from sim.experiments.calibrate import Fit, calibrate, evaluate
from sim.experiments.targets import Target, metric_value, violations
from sim.figures.calibration import calibration_figures
from sim.figures.folders import save_output
from sim.io.files import keep_previous, write_calibration_yaml
from sim.io.progress import progress
from sim.io.scenario import Scenario

log = logging.getLogger("alignsim.calibration")

#: Most plateau members run forward for the projection spread.
PROJECTED_MEMBERS = 40


@dataclass(frozen=True)
class Forecast:
    """A holdout forecast (README, "Holdout forecast"): the fit run to the end without the
    events from `cutoff` on, checked against the targets it was not fitted to.

    Attributes:
        cutoff: the holdout date.
        targets: the later targets (any of whose dates is on or after the cutoff).
        satisfaction: per later target, the share of replicates that satisfy it.
    """

    cutoff: dt.date
    targets: tuple[Target, ...]
    satisfaction: np.ndarray

    @property
    def table(self) -> pd.DataFrame:
        """Per later target: claim, satisfaction share and document."""
        return pd.DataFrame(
            {
                "id": [t.spec.id for t in self.targets],
                "claim": [t.spec.claim for t in self.targets],
                "satisfied_share": self.satisfaction,
                "doc": [t.spec.doc for t in self.targets],
            }
        )


@dataclass(frozen=True)
class Calibration:
    """A fit of parameters to targets, with its report's tables, figures and record.

    Attributes:
        scenario: the scenario fitted (for a holdout, without the events from the cutoff on).
        targets: the targets fitted.
        fit: the optimiser's result.
        epsilon: the plateau's width: evaluated vectors within it of the best loss.
        forecast: for a holdout, the later targets' forecast; else None.

    The tables that need model runs are computed on first use, once.
    """

    scenario: Scenario
    targets: tuple[Target, ...]
    fit: Fit
    epsilon: float
    forecast: Forecast | None = None

    @cached_property
    def best_runs(self) -> np.ndarray:
        """The best fit's replicates run to the end: the alignment at every step
        [R, K + 1, N, N]."""
        seeds = self.fit.seeds
        engine = Ensemble(self.scenario, seeds, [self.fit.best] * len(seeds), record_actions=False)
        return engine.run()

    @cached_property
    def targets_table(self) -> pd.DataFrame:
        """Per target: claim, source, satisfaction share and mean sides at the best fit."""
        history = self.best_runs
        steps = list(range(history.shape[1]))
        s = self.scenario
        _, lhs, rhs = violations(self.targets, history, steps, s.dates, s.capability)
        return pd.DataFrame(
            {
                "id": [t.spec.id for t in self.targets],
                "claim": [t.spec.claim for t in self.targets],
                "metric": [t.spec.metric for t in self.targets],
                "comparison": [t.spec.comparison for t in self.targets],
                "weight": [t.spec.weight for t in self.targets],
                "satisfied_share": self.fit.satisfaction,
                "lhs_mean": lhs.mean(axis=0),
                "rhs_mean": rhs.mean(axis=0),
                "doc": [t.spec.doc for t in self.targets],
            }
        )

    @cached_property
    def series_table(self) -> pd.DataFrame:
        """Per target, side (``lhs``, ``rhs``) and recorded date: the side's median (q50) and
        5–95% band (q05, q95) over replicates at the best fit; ``actors`` (``PRK→CHN``; empty
        for a number) and ``claim_date`` (the date the claim reads the side; empty for a
        number) mark the claim."""
        history = self.best_runs
        return pd.concat(
            [side_series(t, history, self.scenario) for t in self.targets],
            ignore_index=True,
        )

    @property
    def plateau_table(self) -> pd.DataFrame:
        """Every evaluated vector within `epsilon` of the best loss, best first, with its loss."""
        inside = self.fit.plateau(self.epsilon)
        table = pd.DataFrame(self.fit.evaluated[inside], columns=list(self.fit.names))
        table["loss"] = self.fit.losses[inside]
        return table

    @cached_property
    def projections_table(self) -> pd.DataFrame:
        """The focal actor's hedging index and alignments at the end, per plateau member and
        replicate seed.

        Up to PROJECTED_MEMBERS members, spread evenly over the plateau in order of loss (not
        the best few, which differential evolution makes near copies of each other).
        """
        fit, s = self.fit, self.scenario
        plateau = fit.plateau(self.epsilon)
        spread = np.linspace(0, len(plateau) - 1, PROJECTED_MEMBERS).astype(int)
        members = plateau[np.unique(spread)]
        vectors = [dict(zip(fit.names, map(float, fit.evaluated[m]), strict=True)) for m in members]
        varied = [v for v in vectors for _ in fit.seeds]
        engine = Ensemble(s, fit.seeds * len(vectors), varied, record_actions=False)
        end = engine.run([engine.steps])[:, 0]
        i = s.focal_index
        table = pd.DataFrame(
            {
                "member": np.repeat(np.arange(len(vectors)), len(fit.seeds)),
                "seed": fit.seeds * len(vectors),
                "hedging_index": metrics.patron_balance(end[:, i], s.capability, i),
            }
        )
        for j, actor in enumerate(s.actor_ids):
            if j != i:
                table[f"alignment_{s.focal}_{actor}"] = end[:, i, j]
        table.attrs["after"] = str(s.end)
        return table

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The report's tables by file stem (``forecast`` for a holdout only)."""
        tables = {
            "targets": self.targets_table,
            "plateau": self.plateau_table,
            "projections": self.projections_table,
            "series": self.series_table,
        }
        if self.forecast is not None:
            tables["forecast"] = self.forecast.table
        return tables

    @property
    def manifest(self) -> dict[str, Any]:
        """What was fitted and how: enough to cite the report and to redraw its figures."""
        fit, s = self.fit, self.scenario
        return {
            "alignsim_version": __version__,
            "scenario": {"name": s.name, "file": str(s.path), "hash": s.hash},
            "parameters": list(fit.names),
            "best": fit.best,
            "loss": fit.loss,
            "epsilon": self.epsilon,
            "plateau_size": len(fit.plateau(self.epsilon)),
            "targets": len(self.targets),
            "holdout": None if self.forecast is None else str(self.forecast.cutoff),
            "seed": fit.seed,
            "replicates": len(fit.seeds),
            "budget": fit.budget,
            "runs": fit.runs,
            "generations": fit.generations,
            "seconds": round(fit.seconds, 3),
        }

    def figures(self) -> dict[str, Figure]:
        """Each target at the best fit, and the fitted parameters, by file stem."""
        return calibration_figures(
            self.targets_table, self.series_table, self.plateau_table, self.manifest
        )

    def save(
        self, folder: str | Path, formats: tuple[str, ...] = ("png",), force: bool = False
    ) -> Path:
        """Write tables (Parquet and CSV), figures and manifest; the folder appears whole.
        A non-empty folder is refused unless `force` (then it is replaced)."""
        return save_output(folder, self.tables, self.figures(), self.manifest, formats, force)

    def write_fitted(self, path: str | Path, provenance: Mapping[str, Any]) -> Path:
        """Write ``fitted.yaml`` (whole or not at all), keeping the previous one beside it as
        ``fitted.previous.yaml``.

        It holds the fitted values (6 decimals), the loss, each target's satisfaction, the
        plateau's intervals, the runs, the seeds and budget, the scenario file and the hash
        of the scenario as it loads with this fit, the event tables' hashes, then
        `provenance` (what only the caller knows: the targets file and its hash, the date,
        the command).

        Raises:
            ValueError: a holdout's fit, which saw only part of the events.
        """
        if self.forecast is not None:
            raise ValueError("a holdout's fit is a forecast, not a calibration to write")
        target = Path(path)
        values = fitted_values(self.fit)
        s = self.scenario
        content = {
            **self.fitted_record(values),
            "scenario": str(s.path),
            "scenario_hash": s.with_fit(values, str(target)).hash,
            "events_sha256": {k: v for k, v in s.files.items() if k.endswith(".csv")},
            **provenance,
        }
        keep_previous(target, "fitted.previous.yaml")
        write_calibration_yaml(target, content)
        return target

    def fitted_record(self, values: dict[str, float]) -> dict[str, Any]:
        """The fit's part of ``fitted.yaml``, rounded for reading."""
        fit = self.fit
        members = fit.evaluated[fit.plateau(self.epsilon)]
        return {
            "parameters": values,
            "loss": round(fit.loss, 6),
            "satisfaction": {
                t.spec.id: round(float(r), 3)
                for t, r in zip(self.targets, fit.satisfaction, strict=True)
            },
            "plateau": {
                "epsilon": self.epsilon,
                "size": len(members),
                "intervals": {
                    n: [round(float(members[:, i].min()), 6), round(float(members[:, i].max()), 6)]
                    for i, n in enumerate(fit.names)
                },
            },
            "runs": fit.runs,
            "generations": fit.generations,
            "seed": fit.seed,
            "replicates": len(fit.seeds),
            "budget": fit.budget,
        }


def beside_fit(scenario: Scenario, name: str) -> Path | None:
    """A file of the scenario's evidence: `name` beside its `parameters_from` file (None
    when it has none)."""
    beside = scenario.parameters_from
    return None if beside is None else beside.parent / name


def free_names(scenario: Scenario, names: Sequence[str] | None) -> tuple[str, ...]:
    """The parameters a calibration fits: `names`, each free in the scenario's variant, or
    by default the calibrated ones the variant leaves free (ODD.md §7.14).

    Raises:
        InputError: a name the variant fixes at 0.
    """
    free = variant(scenario.model)
    return free.check_free(names, "--params") if names else free.free(CALIBRATED)


def targets_beside(scenario: Scenario) -> Path | None:
    """The targets file a scenario's calibration reads by default: ``targets.yaml`` beside
    its `parameters_from` file (None when it has none)."""
    return beside_fit(scenario, "targets.yaml")


def calibration(
    scenario: Scenario,
    targets: Sequence[Target],
    names: Sequence[str],
    budget: int,
    replicates: int,
    seed: int,
    epsilon: float = 0.001,
    *,
    holdout: dt.date | None = None,
    progress: bool = True,
) -> Calibration:
    """Fit `names` to the targets by differential evolution within the registry's ranges.

    Args:
        scenario: the scenario (its other parameters stay as they are).
        targets: the targets (`sim.experiments.targets.load_targets`).
        names: the parameters to fit.
        budget: the most model runs to spend.
        replicates: runs per candidate, on seeds common to every candidate.
        seed: seeds the replicates and the optimiser.
        epsilon: the plateau's width in loss.
        holdout: fit with the events and targets before this date only, then forecast the
            later targets without the later events (README, "Holdout forecast").
        progress: show a progress bar of the runs spent and the best loss so far.

    Raises:
        InputError: a budget below one generation, or a holdout date with no targets on one
            side of it.
    """
    later: list[Target] = []
    if holdout is not None:
        scenario, targets, later = holdout_split(scenario, targets, holdout)
    with progress_bar(budget, progress) as advance:
        fit = calibrate(scenario, targets, names, budget, replicates, seed, advance)
    forecast = None
    if holdout is not None:
        _, violation = evaluate(scenario, later, [fit.best], fit.seeds)
        forecast = Forecast(holdout, tuple(later), (violation[0] == 0).mean(axis=0))
    return Calibration(scenario, tuple(targets), fit, epsilon, forecast)


def holdout_split(
    scenario: Scenario, targets: Sequence[Target], cutoff: dt.date
) -> tuple[Scenario, list[Target], list[Target]]:
    """The scenario without the events from `cutoff` on, the targets whose every date is
    before it (to fit), and the others (to forecast).

    Raises:
        InputError: no targets on one side of the cutoff.
    """
    early = [t for t in targets if max(t.dates) < cutoff]
    later = [t for t in targets if max(t.dates) >= cutoff]
    if not early or not later:
        raise InputError(
            f"--holdout {cutoff}: needs targets both before and from that "
            f"date; found {len(early)} before and {len(later)} after"
        )
    kept = tuple(e for e in scenario.events if e.date < cutoff)
    return dataclasses.replace(scenario, events=kept), early, later


@contextmanager
def progress_bar(budget: int, shown: bool) -> Iterator[Callable[[int, float], None]]:
    """Progress of the runs spent out of the budget (`sim.io.progress`, unless `shown` is
    False), the best loss so far logged at DEBUG."""
    with progress(budget, "calibrating", shown) as count:

        def advance(runs: int, best: float) -> None:
            count(runs)
            log.debug(f"calibrating: best loss so far {best:.4f}")

        yield advance


def side_series(target: Target, history: np.ndarray, scenario: Scenario) -> pd.DataFrame:
    """A target's two sides at every recorded date: median and 5–95% band over replicates
    (a number as a constant side without actors or date)."""
    frames = []
    for side, point in (("lhs", target.lhs), ("rhs", target.rhs)):
        if point is None:
            values = np.full(history.shape[:2], float(target.spec.rhs))  # type: ignore[arg-type]
            actors, claim = "", None
        else:
            values = metric_value(history, target.spec.metric, point[0], scenario.capability)
            actors, claim = "→".join(scenario.actor_ids[a] for a in point[0]), point[1]
        low, mid, high = np.quantile(values, [0.05, 0.5, 0.95], axis=0)
        frames.append(
            pd.DataFrame(
                {
                    "target": target.spec.id,
                    "side": side,
                    "actors": actors,
                    "claim_date": claim,
                    "date": scenario.dates.tolist(),
                    "q05": low,
                    "q50": mid,
                    "q95": high,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def fitted_values(fit: Fit) -> dict[str, float]:
    """The fitted parameters as ``fitted.yaml`` holds them (6 decimals)."""
    return {k: round(v, 6) for k, v in fit.best.items()}
