"""What the evidence can tell: `alignsim evidence audit`."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli import options
from sim.core.errors import InputError
from sim.io.progress import progress


@click.group(cls=options.OptionsOnce)
def evidence() -> None:
    """What the documents' targets can tell about the model's mechanisms.

    \b
    Example:
      alignsim evidence audit scenarios/baseline.yaml
    """


@evidence.command()
@options.scenario_argument()
@options.targets
@options.count("--draws", 1, 20_000, 200, "Parameter vectors drawn from the priors, per variant.")
@options.replicates(4, high=100)
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

    loaded = load_scenario(scenario, model="full", fit=False)
    path = targets_path or targets_beside(loaded)
    if path is None:
        raise InputError(f"{scenario}: has no `parameters_from`; give --targets")
    targets = load_targets(path, loaded.actor_ids, loaded.start, loaded.end)
    folder = output_folder(out, Path("outputs") / "evidence" / slug(loaded.name), force)
    found = run_audit(loaded, targets, draws, replicates, loaded.seed if seed is None else seed)
    found.save(folder, force=True)  # output_folder has refused a user's folder
    table = found.table
    shares = [c for c in table.columns if c.startswith("share_")]
    click.echo(
        f"{len(table)} targets, {draws} prior draws x {replicates} seeds per variant; share of "
        f"runs satisfying each target:"
    )
    click.echo(
        f"  {'target':38s} {'weight':>6s} " + " ".join(f"{c[6:]:>12s}" for c in shares) + "  flags"
    )
    for row in table.to_dict("records"):
        flags = ("uninformative " if row["uninformative"] else "") + (
            f"circular ({row['restates']})" if row["circular"] else ""
        )
        values = " ".join(f"{row[c]:12.2f}" for c in shares)
        click.echo(f"  {row['id']:38s} {row['weight']:6.2g} {values}  {flags}")
    click.echo(
        f"uninformative (>= {UNINFORMATIVE:.0%} under every variant): "
        f"{int(table['uninformative'].sum())}; circular: {int(table['circular'].sum())}; "
        f"weight 0 (reported, not in the loss): {int((table['weight'] == 0).sum())}"
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
    from sim.experiments.agreement import alpha_table, coding_counts

    counts = coding_counts(first, second).iloc[0]
    click.echo(
        f"{counts['units']} units: {counts['first_events']} coded as events by the first "
        f"coder, {counts['second_events']} by the second, {counts['both_events']} by both"
    )
    for row in alpha_table(first, second).to_dict("records"):
        click.echo(
            f"  {row['field']:11s} alpha {row['alpha']:.3f}  agreement "
            f"{row['percent_agreement']:5.1f}% of {row['pairable']} units ({row['scope']})"
        )


@evidence.command()
@options.scenario_argument()
@click.option(
    "--counts",
    type=click.Path(dir_okay=False, path_type=Path),
    help="UN General Assembly vote counts [default: unga_counts.csv beside the scenario's "
    "`parameters_from`].",
)
def votes(scenario: Path, counts: Path | None) -> None:
    """How the scenario's alignments relate to UN General Assembly votes: the measurement
    model fitted to the hand-set starting alignments and 2015–2017 votes, the alignments
    the votes imply, and whether a run's alignments predict the 2018–2019 votes better than
    persistence of 2015–2017 agreement.

    \b
    Example:
      alignsim evidence votes scenarios/baseline.yaml
    """
    import numpy as np

    from sim.engine.ensemble import Ensemble
    from sim.experiments import votes as model
    from sim.experiments.calibration import beside_fit
    from sim.io.scenario import load_scenario
    from sim.io.votes import count_arrays, read_vote_counts

    loaded = load_scenario(scenario, fit=False)  # the hand-set alignments, unfitted
    path = counts or beside_fit(loaded, "unga_counts.csv")
    if path is None:
        raise InputError(f"{scenario}: has no `parameters_from`; give --counts")
    table = read_vote_counts(path)
    basis = count_arrays(table, loaded.actor_ids, model.BASIS_YEARS)
    hand_set = model.pair_alignment(loaded.alignment)[:, None].repeat(len(model.BASIS_YEARS), 1)
    dispersion = model.dispersion_table(basis, hand_set)
    fit = model.fit_votes(basis, hand_set, dispersion=True)
    click.echo(
        f"measurement model on {len(basis.pairs)} pairs, {model.BASIS_YEARS[0]}-"
        f"{model.BASIS_YEARS[-1]}, at the hand-set starting alignments:"
    )
    for row in dispersion.to_dict("records"):
        kind = "beta-binomial" if row["beta_binomial"] else "binomial"
        click.echo(
            f"  {row['model']:18s} {kind:13s} loglik {row['loglik']:8.1f}  "
            f"AIC {row['aic']:7.1f}  (+{row['delta_aic']:.1f})"
        )
    click.echo(
        "  "
        + ", ".join(
            f"{n} = {v:.3g} ± {e:.2g}"
            for n, v, e in zip(fit.names, fit.estimate, fit.se, strict=True)
        )
    )
    implied = model.implied_alignment(table, loaded, model.VoteParams(*fit.estimate[:3]))
    click.echo("symmetric starting alignment, hand-set against implied by the votes (± SE):")
    for row in implied.to_dict("records"):
        bound = " (at a bound)" if row["at_bound"] else ""
        click.echo(
            f"  {row['pair']:8s} {row['hand_set']:+.2f}  {row['implied']:+.2f} ± "
            f"{row['se']:.2f}{bound}  agreement {row['agreement']:.3f}"
        )
    fitted = load_scenario(scenario)  # the run: the scenario as it runs, with its fit
    run = Ensemble(fitted, [fitted.seed], record_actions=False).run()[0]
    constant = np.repeat(loaded.alignment[None], len(loaded.dates), axis=0)
    years = f"{model.CHECK_YEARS[0]}-{model.CHECK_YEARS[-1]}"
    for what, history in ((f"a run (seed {loaded.seed})", run), ("the hand-set values", constant)):
        check = model.vote_check(table, history, loaded.dates, loaded.actor_ids, fit.params)
        click.echo(
            f"{years} votes, log score of {what} minus persistence of 2015-2017 agreement: "
            f"{check.difference:+.1f} ± {check.se:.1f}"
        )


@evidence.command()
@options.scenario_argument()
@options.targets
@options.model
@options.count("--draws", 100, 5_000_000, 100_000, "Prior runs in the bank.")
@options.count("--datasets", 10, 10_000, 200, "Synthetic datasets, each fitted.")
@options.seed
@options.out_folder("outputs/sbc/")
@options.figures
def sbc(
    scenario: Path,
    targets_path: Path | None,
    model: str | None,
    draws: int,
    datasets: int,
    seed: int | None,
    out: Path | None,
    force: bool,
) -> None:
    """Simulation-based calibration of calibrate's ABC: the rank of each true parameter in
    its posterior over synthetic datasets, against a simultaneous 95% band.

    \b
    Example:
      alignsim evidence sbc scenarios/baseline.yaml --seed 1
    """
    from sim.core.params import CALIBRATED
    from sim.core.variants import variant
    from sim.experiments.bank import Prior, reference_claims, simulate_bank
    from sim.experiments.calibration import targets_beside
    from sim.experiments.sbc import sbc as calibrate_inference
    from sim.experiments.targets import load_targets
    from sim.io.files import output_folder
    from sim.io.scenario import load_scenario

    loaded = load_scenario(scenario, model=model, fit=False)
    path = targets_path or targets_beside(loaded)
    if path is None:
        raise InputError(f"{scenario}: has no `parameters_from`; give --targets")
    if datasets > draws:
        raise InputError(f"--datasets {datasets}: more than the bank's {draws} draws")
    targets = load_targets(path, loaded.actor_ids, loaded.start, loaded.end)
    folder = output_folder(out, Path("outputs") / "sbc", force)
    chosen = loaded.seed if seed is None else seed
    prior = Prior.about_defaults(variant(loaded.model).free(CALIBRATED))
    with progress(draws, "prior runs") as advance:
        bank = simulate_bank(loaded, targets, prior, draws, chosen, progress=advance)
    claims = reference_claims(loaded, targets, chosen)
    result = calibrate_inference(bank, claims, datasets, chosen)
    result.manifest["model"] = loaded.model
    result.save(folder, force=True)  # output_folder has refused a user's folder
    lines = [
        f"simulation-based calibration ({loaded.model}): {datasets} synthetic datasets from "
        f"{draws} prior runs; each posterior's effective sample size {result.ess.min():.0f}"
        f" to {result.ess.max():.0f}",
    ]
    for row in result.table.to_dict("records"):
        verdict = "inside" if row["inside_band"] else "OUTSIDE"
        lines.append(
            f"  {row['parameter']:15s} {verdict} the 95% band (largest ECDF deviation "
            f"{row['largest_ecdf_deviation']:.3f}); mean shrinkage {row['mean_shrinkage']:+.2f}"
        )
    passed = "passes" if result.passed.all() else "FAILS"
    lines.append(f"the inference {passed} (family-wise 95% over {len(result.names)} parameters)")
    options.echo_lines([*lines, f"report: {folder}/"])


COMMANDS = (evidence,)
