"""Calibration: fit the model's parameters to the documents' targets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from sim.cli import options
from sim.core.errors import InputError


@click.command()
@options.scenario_argument()
@click.option(
    "--targets",
    "targets_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Targets file [default: targets.yaml beside the scenario's `parameters_from`].",
)
@options.params
@options.count("--budget", 1, None, 20000, "Most model runs to spend.")
@options.replicates(4, high=100)
@options.seed
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
    from sim.core.params import CALIBRATED
    from sim.experiments.fitrun import run_calibration
    from sim.io.scenario import load_scenario

    loaded = load_scenario(scenario)
    fitted = fitted or loaded.parameters_from
    if targets_path is None and loaded.parameters_from is not None:
        targets_path = loaded.parameters_from.parent / "targets.yaml"
    if targets_path is None or (fitted is None and holdout is None):
        raise InputError(f"{scenario}: has no `parameters_from`; give --targets and --fitted")
    lines = run_calibration(
        scenario,
        targets_path,
        names or CALIBRATED,
        budget,
        replicates,
        loaded.seed if seed is None else seed,
        holdout,
        epsilon,
        out,
        fitted or Path("unused"),
        force,
        quiet,
        options.command_line(),
    )
    options.echo_lines(lines)


COMMANDS = (calibrate,)
