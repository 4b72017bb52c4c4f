"""`alignsim calibrate` from start to finish: validate, fit, forecast, write, summarise."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from sim.core.errors import InputError
from sim.experiments.calibrate import Fit, before, calibrate, evaluate, split_targets
from sim.experiments.fitreport import file_hash, fitted_values, write_fitted, write_report
from sim.experiments.targets import Target, load_targets
from sim.io.files import atomic_folder, output_folder, write_table
from sim.io.scenario import Scenario, load_scenario


def run_calibration(
    scenario_path: Path,
    targets_path: Path,
    names: Sequence[str],
    budget: int,
    replicates: int,
    seed: int,
    holdout: dt.date | None,
    epsilon: float,
    out: Path | None,
    fitted: Path,
    force: bool,
    quiet: bool,
    command: str,
) -> list[str]:
    """Run a calibration (or a holdout forecast) and write its outputs; return summary lines."""
    scenario = load_scenario(scenario_path)
    targets = load_targets(targets_path, scenario.actor_ids, scenario.start, scenario.end)
    default = Path("outputs") / "calibration"
    if holdout is not None:
        default = default / f"holdout-{holdout}"
        scenario = before(scenario, holdout)
        targets, later = split_targets(targets, holdout)
        if not targets or not later:
            raise InputError(
                f"--holdout {holdout}: needs targets both before and from that "
                f"date; found {len(targets)} before and {len(later)} after"
            )
    target_folder = output_folder(out, default, force)
    began = time.perf_counter()
    with tqdm(total=budget, unit="run", disable=True if quiet else None, desc="calibrating") as bar:

        def progress(runs: int, best: float) -> None:
            bar.update(runs)
            bar.set_postfix(best_loss=f"{best:.4f}")

        fit = calibrate(scenario, targets, names, budget, replicates, seed, progress)
    lines = summary(fit, targets, epsilon, time.perf_counter() - began)
    with atomic_folder(target_folder) as work:
        numbers = write_report(work, scenario, targets, fit, epsilon, scenario.end)
        if holdout is not None:
            lines += forecast(scenario, later, fit, work)
    lines.append(f"plateau: {numbers['plateau_size']} vectors within {epsilon:g} of the best")
    if holdout is None:
        provenance = {
            "seed": seed,
            "replicates": replicates,
            "budget": budget,
            "scenario": str(scenario_path),
            # the scenario as it loads with this fit, whatever fit it was loaded with here
            "scenario_hash": scenario.with_fit(fitted_values(fit), str(fitted)).hash,
            "events_sha256": {k: v for k, v in scenario.files.items() if k.endswith(".csv")},
            "targets": str(targets_path),
            "targets_sha256": file_hash(targets_path),
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": command,
        }
        write_fitted(fitted, fit, targets, epsilon, provenance)
        lines.append(f"wrote {fitted} (previous kept as fitted.previous.yaml)")
    lines.append(f"report: {target_folder}/")
    return lines


def summary(fit: Fit, targets: Sequence[Target], epsilon: float, seconds: float) -> list[str]:
    """Lines on the fit: loss, targets met, best values."""
    met = int((fit.satisfaction >= 0.5).sum())
    values = ", ".join(f"{k}={v:.4g}" for k, v in fit.best.items())
    return [
        f"fit: loss {fit.loss:.4f} after {fit.runs} runs ({fit.generations} generations, "
        f"{seconds:.1f} s); {met} of {len(targets)} targets hold in most replicates",
        f"best: {values}",
    ]


def forecast(
    scenario_before: Scenario, later: Sequence[Target], fit: Fit, folder: Path
) -> list[str]:
    """Run the fit without the later events; report (and tabulate) which later targets hold."""
    _, violation = evaluate(scenario_before, later, [fit.best], fit.seeds)
    rates = (violation[0] == 0).mean(axis=0)
    table = pd.DataFrame(
        {
            "id": [t.spec.id for t in later],
            "claim": [t.spec.claim for t in later],
            "satisfied_share": rates,
            "doc": [t.spec.doc for t in later],
        }
    )
    write_table(table, folder, "forecast", csv=True)
    lines = [f"holdout forecast: {int((rates >= 0.5).sum())} of {len(later)} later targets hold"]
    lines += [
        f"  {'holds' if r >= 0.5 else 'fails'} ({r:.0%} of runs): {t.spec.id}"
        for t, r in zip(later, rates, strict=True)
    ]
    return lines
