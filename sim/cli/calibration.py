"""Calibration: fit the model's parameters to the documents' targets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sim.cli import options
from sim.core.errors import InputError

if TYPE_CHECKING:
    from sim.experiments.calibration import Calibration, Forecast
    from sim.io.scenario import Scenario


@click.command()
@options.scenario_argument()
@options.targets
@options.params
@options.count("--budget", 1, None, 20000, "Most model runs to spend.")
@options.replicates(4, high=100)
@options.seed
@options.model
@options.date("--holdout", "Fit with events and targets before DATE only, then forecast the rest.")
@click.option(
    "--epsilon",
    type=click.FloatRange(0, 1),
    default=0.001,
    show_default=True,
    help="Plateau: evaluated vectors within this loss of the best.",
)
@options.out_folder("outputs/calibration/")
@click.option(
    "--fitted",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the fitted parameters (not with --holdout) [default: the "
    "scenario's `parameters_from` file].",
)
@options.quiet
def calibrate(
    scenario: Path,
    targets_path: Path | None,
    names: tuple[str, ...],
    budget: int,
    replicates: int,
    seed: int | None,
    model: str | None,
    holdout: dt.date | None,
    epsilon: float,
    out: Path | None,
    force: bool,
    fitted: Path | None,
    quiet: bool,
) -> None:
    """Fit parameters to the documents' targets (differential evolution).

    \b
    Examples:
      alignsim calibrate scenarios/baseline.yaml --seed 1
      alignsim calibrate scenarios/baseline.yaml --seed 1 --holdout 2025-09-01
    """
    from sim.experiments.calibration import calibration, free_names, targets_beside
    from sim.experiments.targets import load_targets
    from sim.io.files import output_folder
    from sim.io.scenario import load_scenario

    loaded = load_scenario(scenario, model=model)
    fitted_names = free_names(loaded, names)
    targets_path, fitted = fit_files(
        loaded, targets_path or targets_beside(loaded), fitted, holdout
    )
    targets = load_targets(targets_path, loaded.actor_ids, loaded.start, loaded.end)
    default = Path("outputs") / "calibration"
    folder = output_folder(
        out, default if holdout is None else default / f"holdout-{holdout}", force
    )
    result = calibration(
        loaded,
        targets,
        fitted_names,
        budget,
        replicates,
        loaded.seed if seed is None else seed,
        epsilon,
        holdout=holdout,
        progress=not quiet,
    )
    result.save(folder, force=True)  # output_folder has refused a user's folder
    lines = summary(result)
    if fitted is not None:
        result.write_fitted(fitted, provenance(targets_path))
        lines.append(f"wrote {fitted} (previous kept as fitted.previous.yaml)")
    options.echo_lines([*lines, f"report: {folder}/"])


def fit_files(
    loaded: Scenario, targets: Path | None, fitted: Path | None, holdout: dt.date | None
) -> tuple[Path, Path | None]:
    """The targets file and where the fit goes (None for a holdout, which writes none): by
    default the scenario's `parameters_from` file."""
    fitted = None if holdout else (fitted or loaded.parameters_from)
    if targets is None or (fitted is None and holdout is None):
        raise InputError(f"{loaded.path}: has no `parameters_from`; give --targets and --fitted")
    return targets, fitted


def summary(result: Calibration) -> list[str]:
    """Lines on a calibration: the fit, the holdout forecast if any, the plateau."""
    fit = result.fit
    met = int((fit.satisfaction >= 0.5).sum())
    values = ", ".join(f"{k}={v:.4g}" for k, v in fit.best.items())
    return [
        f"fit: loss {fit.loss:.4f} after {fit.runs} runs ({fit.generations} generations, "
        f"{fit.seconds:.1f} s); {met} of {len(result.targets)} targets hold in most replicates",
        f"best: {values}",
        *([] if result.forecast is None else forecast_lines(result.forecast)),
        f"plateau: {len(result.plateau_table)} vectors within {result.epsilon:g} of the best",
    ]


def forecast_lines(forecast: Forecast) -> list[str]:
    """Lines on a holdout forecast: how many later targets hold, then each one."""
    rates = forecast.satisfaction
    lines = [f"holdout forecast: {int((rates >= 0.5).sum())} of {len(rates)} later targets hold"]
    return lines + [
        f"  {'holds' if r >= 0.5 else 'fails'} ({r:.0%} of runs): {t.spec.id}"
        for t, r in zip(forecast.targets, rates, strict=True)
    ]


def provenance(targets_path: Path) -> dict[str, str]:
    """What `fitted.yaml` records of the command: the targets file, when, and how."""
    from sim.io.files import sha256

    return {
        "targets": str(targets_path),
        "targets_sha256": sha256(targets_path),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": options.command_line(),
    }


COMMANDS = (calibrate,)
