"""What the evidence can tell: `alignsim evidence audit`."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli import options
from sim.core.errors import InputError


@click.group()
def evidence() -> None:
    """What the documents' targets can tell about the model's mechanisms.

    \b
    Example:
      alignsim evidence audit scenarios/baseline.yaml
    """


@evidence.command()
@options.scenario_argument()
@options.targets
@options.count("--draws", 1, 100_000, 200, "Parameter vectors drawn from the priors, per variant.")
@options.replicates(4)
@options.seed
@options.out_folder("outputs/evidence/<scenario-name>/")
def audit(
    scenario: Path,
    targets_path: Path | None,
    draws: int,
    replicates: int,
    seed: int | None,
    out: Path | None,
    force: bool,
) -> None:
    """Each target's share of prior-predictive runs that satisfy it, under every variant;
    uninformative and circular targets flagged.

    \b
    Example:
      alignsim evidence audit scenarios/baseline.yaml --draws 400 --seed 0
    """
    from sim.experiments.audit import UNINFORMATIVE
    from sim.experiments.audit import audit as run_audit
    from sim.experiments.calibration import targets_beside
    from sim.experiments.targets import load_targets
    from sim.io.files import output_folder, slug
    from sim.io.scenario import load_scenario

    loaded = load_scenario(scenario, model="full")
    path = targets_path or targets_beside(loaded)
    if path is None:
        raise InputError(f"{scenario}: has no `parameters_from`; give --targets")
    targets = load_targets(path, loaded.actor_ids, loaded.start, loaded.end)
    folder = output_folder(out, Path("outputs") / "evidence" / slug(loaded.name), force)
    found = run_audit(loaded, targets, draws, replicates, loaded.seed if seed is None else seed)
    found.save(folder)
    table = found.table
    shares = [c for c in table.columns if c.startswith("share_")]
    click.echo(
        f"{len(table)} targets, {draws} prior draws x {replicates} seeds per variant; share of "
        f"runs satisfying each target:"
    )
    click.echo(f"  {'target':38s} " + " ".join(f"{c[6:]:>12s}" for c in shares) + "  flags")
    for row in table.to_dict("records"):
        flags = ("uninformative " if row["uninformative"] else "") + (
            f"circular ({row['restates']})" if row["circular"] else ""
        )
        values = " ".join(f"{row[c]:12.2f}" for c in shares)
        click.echo(f"  {row['id']:38s} {values}  {flags}")
    click.echo(
        f"uninformative (>= {UNINFORMATIVE:.0%} under every variant): "
        f"{int(table['uninformative'].sum())}; circular: {int(table['circular'].sum())}"
    )
    click.echo(f"outputs: {folder}/")


@evidence.command()
@click.argument("first", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("second", type=click.Path(dir_okay=False, path_type=Path))
def agreement(first: Path, second: Path) -> None:
    """Krippendorff's alpha between two codings of the same units, per field.

    \b
    Example:
      alignsim evidence agreement calibration/events_first_coder_units.csv \\
          calibration/events_second_coder.csv
    """
    from sim.experiments.agreement import alpha_table

    for row in alpha_table(first, second).to_dict("records"):
        click.echo(
            f"  {row['field']:11s} alpha {row['alpha']:.3f}  agreement "
            f"{row['percent_agreement']:5.1f}% of {row['pairable']} units ({row['scope']})"
        )


COMMANDS = (evidence,)
