"""Calibration: fit the model's parameters to the documents' targets."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sim.cli import options
from sim.core.errors import InputError
from sim.io.progress import progress

if TYPE_CHECKING:
    from sim.experiments.calibration import Calibration, Forecast
    from sim.experiments.modelchoice import ModelChoice
    from sim.experiments.posterior import Posterior
    from sim.io.scenario import Scenario


@click.command()
@options.scenario_argument()
@options.targets
@options.params
@options.choice("--method", ("abc", "optimize"), "abc: a posterior by ABC; optimize: a point fit.")
@options.choice("--evidence", ("documents", "unga", "all"), "What the fit uses (abc only; README).")
@click.option(
    "--draws",
    type=options.Whole(100, 5_000_000),
    help="abc: most prior runs, the bank growing until --ess [default: 1000000]; "
    "--compare-models: prior runs per bank [default: 100000].",
)
@options.amount("--ess", 10, 1e6, 1000, "abc: effective sample size the bank grows to.")
@options.count("--budget", 1, None, 20000, "optimize: most model runs to spend.")
@options.replicates(4, high=100)
@options.seed
@options.model
@options.date("--holdout", "optimize: fit with events and targets before DATE only, then forecast.")
@click.option(
    "--epsilon",
    type=click.FloatRange(0, 1),
    default=0.001,
    show_default=True,
    help="optimize: plateau: evaluated vectors within this loss of the best.",
)
@options.out_folder("outputs/calibration/")
@click.option(
    "--fitted",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the fitted point (not with --holdout) [default: the scenario's "
    "`parameters_from` file; with --out, none].",
)
@click.option(
    "--compare-models",
    is_flag=True,
    help="Compare every model variant on the evidence instead (Bayes factors under three "
    "prior widths, out-of-sample score, recovery; --draws runs per bank), into "
    "outputs/model-comparison/ without --out.",
)
@options.count("--datasets", 2, 1000, 20, "--compare-models: synthetic datasets per variant.")
@options.figures
@options.json_output
def calibrate(
    scenario: Path,
    targets_path: Path | None,
    names: tuple[str, ...],
    method: str,
    evidence: str,
    draws: int | None,
    ess: float,
    budget: int,
    replicates: int,
    seed: int | None,
    model: str | None,
    holdout: dt.date | None,
    epsilon: float,
    out: Path | None,
    force: bool,
    fitted: Path | None,
    compare_models: bool,
    datasets: int,
    as_json: bool,
) -> None:
    """Infer the parameters from the evidence: a posterior by ABC (default), or a point fit
    by differential evolution (--method optimize).

    \b
    Examples:
      alignsim calibrate scenarios/baseline.yaml --seed 1
      alignsim calibrate scenarios/baseline.yaml --seed 1 --method optimize --holdout 2025-09-01
      alignsim calibrate scenarios/baseline.yaml --seed 1 --compare-models
    """
    from sim.io.scenario import load_scenario

    loaded = load_scenario(scenario, model=model, fit=False)
    chosen = loaded.seed if seed is None else seed
    if compare_models:
        if method != "abc" or holdout is not None or model not in (None, "full"):
            raise InputError(
                "--compare-models: compares every variant by ABC; drop --method, --holdout "
                "and --model"
            )
        if names or fitted is not None:
            raise InputError(
                "--compare-models: infers every variant's calibrated parameters and writes no "
                "fitted point; drop --params and --fitted"
            )
        per_bank = 100_000 if draws is None else draws
        compare(loaded, targets_path, evidence, per_bank, datasets, chosen, out, force, as_json)
    elif method == "abc":
        if holdout is not None:
            raise InputError("--holdout: only with --method optimize (abc: see --compare-models)")
        most = 1_000_000 if draws is None else draws
        infer(loaded, targets_path, names, evidence, most, ess, chosen, out, force, fitted, as_json)
    else:
        if evidence != "documents":
            raise InputError(f"--evidence {evidence}: --method optimize fits the documents only")
        optimize(
            loaded,
            targets_path,
            names,
            budget,
            replicates,
            chosen,
            holdout,
            epsilon,
            out,
            force,
            fitted,
            as_json,
        )


def infer(
    loaded: Scenario,
    targets_path: Path | None,
    names: tuple[str, ...],
    evidence: str,
    draws: int,
    ess: float,
    seed: int,
    out: Path | None,
    force: bool,
    fitted: Path | None,
    as_json: bool,
) -> None:
    """The ABC posterior: its files beside the fitted point (or in --out) and its report."""
    from sim.experiments.bench import batch_seconds
    from sim.experiments.calibration import free_names, targets_beside
    from sim.experiments.posterior import checked_on_votes, evidence_of, posterior, votes_beside
    from sim.experiments.targets import load_targets
    from sim.io.files import output_folder

    fitted_names = free_names(loaded, names)
    if out is not None and fitted is None:  # the report and the posterior, all in --out
        targets_path, point = fit_files(
            loaded, targets_path or targets_beside(loaded), None, None, True
        )
    else:
        targets_path, point = fit_files(
            loaded, targets_path or targets_beside(loaded), fitted, None
        )
    targets = load_targets(targets_path, loaded.actor_ids, loaded.start, loaded.end)
    votes, counts_path = votes_beside(loaded, evidence)
    folder = output_folder(out, Path("outputs") / "calibration", force)
    # the posterior lives beside the point that reads it, else in --out
    home = point.parent if point is not None else (out or targets_path.parent)
    hashes = evidence_of(loaded, targets_path, counts_path, home)
    rate = 1 / batch_seconds(loaded, 2000)
    with progress(draws, "prior runs") as advance:
        result = posterior(
            loaded,
            targets,
            fitted_names,
            draws,
            seed,
            evidence=evidence,
            votes=votes,
            ess=ess,
            hashes=hashes,
            batch_rate=rate,
            progress=advance,
        )
    result = checked_on_votes(result, loaded, votes)  # out of sample under documents
    result.save(folder, force=True)  # output_folder has refused a user's folder
    kept = (Path(home) / "posterior.parquet").is_file()
    written = result.write(Path(os.path.normpath(home)))
    lines = posterior_summary(result)
    lines.append(
        f"wrote {written[0]} and {written[1]}"
        + (" (previous kept as posterior.previous.*)" if kept else "")
    )
    if point is not None:
        point = Path(os.path.normpath(point))
        result.write_point(point, provenance(targets_path))
        lines.append(f"wrote {point}: the posterior median (previous kept as fitted.previous.yaml)")
    summarised = {
        "command": "calibrate",
        "method": "abc",
        "folder": str(folder),
        "files": sorted(
            {*options.written(folder), *map(str, written), *([str(point)] if point else [])}
        ),
        **{k: result.record[k] for k in RECORDED if k in result.record},
        "parameters": result.record["parameters"],
    }
    options.report([*lines, f"report: {folder}/"], summarised, as_json)


def compare(
    loaded: Scenario,
    targets_path: Path | None,
    evidence: str,
    draws: int,
    datasets: int,
    seed: int,
    out: Path | None,
    force: bool,
    as_json: bool,
) -> None:
    """The model comparison: its tables in the output folder, its verdicts on the terminal."""
    from sim.core.variants import VARIANTS
    from sim.experiments.calibration import targets_beside
    from sim.experiments.modelchoice import WIDTHS, model_choice
    from sim.experiments.posterior import evidence_of, votes_beside
    from sim.experiments.targets import load_targets
    from sim.io.files import output_folder

    path = targets_path or targets_beside(loaded)
    if path is None:
        raise InputError(f"{loaded.path}: has no `parameters_from`; give --targets")
    targets = load_targets(path, loaded.actor_ids, loaded.start, loaded.end)
    votes, counts = votes_beside(loaded, evidence)
    if evidence == "unga":
        raise InputError("--compare-models --evidence unga: compares on documents or all")
    folder = output_folder(out, Path("outputs") / "model-comparison", force)
    total = draws * len(VARIANTS) * len(WIDTHS)
    with progress(total, "prior runs, every variant") as advance:
        result = model_choice(
            loaded, targets, draws, seed, datasets=datasets, votes=votes, progress=advance
        )
    result.save(folder, force=True)  # output_folder has refused a user's folder
    home = Path(
        os.path.normpath(loaded.parameters_from.parent if loaded.parameters_from else folder)
    )
    models = result.write_models(home, evidence_of(loaded, path, counts, home))
    lines = [*comparison_lines(result), f"tables: {folder}/"]
    summarised = {
        "command": "calibrate",
        "method": "compare-models",
        "folder": str(folder),
        "files": [*options.written(folder), str(models), str(models.with_suffix(".parquet"))],
        "verdicts": options.records(result.verdicts),
        "evidence": options.records(result.evidence),
    }
    options.report([*lines, f"wrote {models} and models.parquet beside it"], summarised, as_json)


def comparison_lines(result: ModelChoice) -> list[str]:
    """Lines on a model comparison: Bayes factors, out-of-sample scores, recovery, verdicts."""
    lines = [
        f"model comparison ({result.manifest['draws_per_bank']} prior runs per bank, "
        f"{result.manifest['seconds']:.0f} s of runs): log Bayes factor against the null"
    ]
    for name, rows in result.evidence.groupby("model", sort=False):
        cells = "  ".join(
            f"width {r['prior_width']:g}: {r['log_bf_vs_null']:+.2f} ± {r['log_bf_se']:.2f}"
            for r in rows.to_dict("records")
        )
        lines.append(f"  {name:13s} {cells}")
    lines.append("out-of-sample log score of the later targets (minus the null's):")
    for r in result.out_of_sample.to_dict("records"):
        lines.append(
            f"  {r['model']:13s} {r['log_score']:+.2f} ± {r['log_score_se']:.2f}  "
            f"({r['minus_null']:+.2f} ± {r['minus_null_se']:.2f})"
        )
    lines.append("recovery: share of synthetic datasets whose generating variant is picked:")
    lines += [
        f"  {r['generated_by']:13s} {r['recovered']:.0%}"
        for r in result.recovery.to_dict("records")
    ]
    lines.append(f"verdicts ({result.manifest['rule']}):")
    for r in result.verdicts.to_dict("records"):
        factors = ", ".join(
            f"{str(k).removeprefix('bf_width_')}: {v:.3g}"
            for k, v in r.items()
            if str(k).startswith("bf_width_") and not str(k).endswith("_se")
        )
        lines.append(
            f"  {r['mechanism']:10s} {'supported' if r['supported'] else 'not supported'}: "
            f"Bayes factors by prior width {factors}; out-of-sample "
            f"{r['oos_full_minus_ablation']:+.2f} ± {r['oos_se']:.2f}"
        )
    return lines


def posterior_summary(result: Posterior) -> list[str]:
    """Lines on a posterior: its runs and speed, its precision, each parameter."""
    record = result.record
    speed = f"{record['runs_per_second']:.0f} runs/s"
    if result.batch_rate is not None:
        speed += f" (bench batch: {result.batch_rate:.0f} runs/s in this process)"
    lines = [
        f"posterior ({record['model']}, evidence: {result.evidence}): {record['runs']} prior "
        f"runs in {record['seconds']:.1f} s, {speed}",
        f"effective sample size {record['effective_sample_size']:.0f} (asked "
        f"{record['effective_sample_size_asked']:.0f}; documents' error scale kappa "
        f"{record['kappa']:g}); {record['draws_kept']} draws kept",
    ]
    check = record.get("vote_check")
    if check is not None:
        kind = "out of sample" if check["out_of_sample"] else "in sample: the votes are evidence"
        lines.append(
            f"{check['years'][0]}-{check['years'][-1]} UN votes, log score of the median's "
            f"runs minus persistence: {check['median_minus_persistence']:+.1f} ± {check['se']:.1f}"
            f" ({kind})"
        )
    for name, p in record["parameters"].items():
        low, high = p["interval_90"]
        lines.append(
            f"  {name:15s} median {p['median']:.4g}  90% [{low:.4g}, {high:.4g}]  prior "
            f"[{p['prior'][0]:.4g}, {p['prior'][1]:.4g}]  shrinkage {p['shrinkage']:+.2f}"
        )
    return lines


def optimize(
    loaded: Scenario,
    targets_path: Path | None,
    names: tuple[str, ...],
    budget: int,
    replicates: int,
    seed: int,
    holdout: dt.date | None,
    epsilon: float,
    out: Path | None,
    force: bool,
    fitted: Path | None,
    as_json: bool,
) -> None:
    """A point fit by differential evolution, its report and (not a holdout) its point."""
    from sim.experiments.calibration import calibration, free_names, targets_beside
    from sim.experiments.targets import load_targets
    from sim.io.files import output_folder

    fitted_names = free_names(loaded, names)
    only_report = out is not None and fitted is None  # unless --fitted says where
    targets_path, fitted = fit_files(
        loaded, targets_path or targets_beside(loaded), fitted, holdout, only_report
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
        seed,
        epsilon,
        holdout=holdout,
        progress=True,
    )
    result.save(folder, force=True)  # output_folder has refused a user's folder
    lines = summary(result)
    if fitted is not None:
        from sim.experiments.posterior import evidence_of

        hashes = evidence_of(loaded, targets_path, None, fitted.parent)
        result.write_fitted(fitted, {**provenance(targets_path), "evidence_sha256": hashes})
        lines.append(f"wrote {fitted} (previous kept as fitted.previous.yaml)")
    fit = result.fit
    summarised = {
        "command": "calibrate",
        "method": "optimize",
        "folder": str(folder),
        "files": [*options.written(folder), *([str(fitted)] if fitted else [])],
        "loss": fit.loss,
        "runs": fit.runs,
        "seconds": fit.seconds,
        "best": fit.best,
        "holdout": None if holdout is None else str(holdout),
    }
    options.report([*lines, f"report: {folder}/"], summarised, as_json)


#: What a --json summary of an ABC posterior takes from its record (`posterior.yaml`).
RECORDED = ("model", "evidence", "runs", "seconds", "runs_per_second", "effective_sample_size")


def fit_files(
    loaded: Scenario,
    targets: Path | None,
    fitted: Path | None,
    holdout: dt.date | None,
    no_point: bool = False,
) -> tuple[Path, Path | None]:
    """The targets file and where the fit goes (None for a holdout or `no_point`, which
    write none): by default the scenario's `parameters_from` file."""
    if no_point or holdout:
        if targets is None:
            raise InputError(f"{loaded.path}: has no `parameters_from`; give --targets")
        return targets, None
    fitted = fitted or loaded.parameters_from
    if targets is None or fitted is None:
        raise InputError(f"{loaded.path}: has no `parameters_from`; give --targets and --fitted")
    return targets, fitted


def summary(result: Calibration) -> list[str]:
    """Lines on a calibration: the fit, the holdout forecast if any, the plateau."""
    import numpy as np

    fit = result.fit
    counted = np.array([t.spec.weight > 0 for t in result.targets])
    met = int((fit.satisfaction[counted] >= 0.5).sum())
    values = ", ".join(f"{k}={v:.4g}" for k, v in fit.best.items())
    return [
        f"fit: loss {fit.loss:.4f} after {fit.runs} runs ({fit.generations} generations, "
        f"{fit.seconds:.1f} s); {met} of the {counted.sum()} counted targets hold in most "
        f"replicates ({len(result.targets) - counted.sum()} more kept at weight 0)",
        f"best: {values}",
        *([] if result.forecast is None else forecast_lines(result.forecast)),
        f"plateau: {len(result.plateau_table)} vectors within {result.epsilon:g} of the best",
    ]


def forecast_lines(forecast: Forecast) -> list[str]:
    """Lines on a holdout forecast: how many later targets hold, then each one."""
    rates = forecast.satisfaction
    counted = [t.spec.weight > 0 for t in forecast.targets]
    held = sum(r >= 0.5 for r, c in zip(rates, counted, strict=True) if c)
    lines = [f"holdout forecast: {held} of the {sum(counted)} counted later targets hold"]
    return lines + [
        f"  {'holds' if r >= 0.5 else 'fails'} ({r:.0%} of runs): {t.spec.id}"
        f"{'' if t.spec.weight > 0 else ' (weight 0)'}"
        for t, r in zip(forecast.targets, rates, strict=True)
    ]


def provenance(targets_path: Path) -> dict[str, str]:
    """What `fitted.yaml` records of the command: the targets file, when, and how."""
    from sim.io.files import sha256

    return {
        "targets": os.path.normpath(targets_path),
        "targets_sha256": sha256(targets_path),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": options.command_line(),
    }


COMMANDS = (calibrate,)
