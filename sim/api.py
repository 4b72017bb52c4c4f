"""The Python API: what ``import sim as alignsim`` offers a notebook or a script.

Each function takes a scenario file's path (or a loaded `Scenario`) and keyword options
named as the command line's, and returns an object: a `Run`, a `Sweep`, a `Calibration`, a
`Posterior`, a `Comparison`, a `Landscape`. Objects hold pandas tables (a run's with
datetime64 dates), and have methods to draw (``figures()``, a dict of matplotlib Figures)
and to save (``save(folder)``, written whole or not at all, as the command line writes it).

Examples:
    >>> import sim as alignsim
    >>> run = alignsim.run("scenarios/two-patrons.yaml", seed=3, jealousy=0.4)
    >>> run.metrics.groupby("actor")["hedging_index"].last().round(2).dropna().to_dict()
    {'NBR': 0.58, 'SML': 0.77}
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from sim.core.errors import InputError
from sim.experiments.calibration import Calibration, calibration, free_names, targets_beside
from sim.experiments.compare import Comparison, Metric, as_models, posterior_draws, with_models
from sim.experiments.compare import compare as compare_scenarios
from sim.experiments.design import parse_vary
from sim.experiments.landscape import Landscape
from sim.experiments.landscape import landscape as landscape_of
from sim.experiments.posterior import Posterior, evidence_of, votes_beside
from sim.experiments.posterior import posterior as posterior_of
from sim.experiments.run import Run, simulate
from sim.experiments.sweepfolder import Dispatch, Sweep, SweepSpec, execute
from sim.experiments.targets import load_targets
from sim.io.limits import excerpt
from sim.io.scenario import Scenario, scenario_of

ScenarioLike = str | os.PathLike[str] | Scenario


def load_scenario(path: str | os.PathLike[str], **parameters: float) -> Scenario:
    """Read, validate and resolve a scenario file (with its `extends` chain and tables).

    Args:
        path: the scenario file.
        parameters: values over the file's (as ``--set``; names: `alignsim params`).

    Raises:
        InputError: one line naming the file, line and field, what is wrong and what is
            allowed.

    Examples:
        >>> scenario = load_scenario("scenarios/two-patrons.yaml", impulse=0.5)
        >>> scenario.actor_ids, scenario.parameters["impulse"], str(scenario.end)
        (('SML', 'EST', 'WST', 'NBR'), 0.5, '2024-12-31')
    """
    return scenario_of(path, parameters)


def run(
    scenario: ScenarioLike,
    *,
    seed: int | None = None,
    model: str | None = None,
    **parameters: float,
) -> Run:
    """Run a scenario once through the Mesa model (as `alignsim run`).

    Args:
        scenario: a scenario file's path or a loaded `Scenario`.
        seed: the run's seed (the scenario's `seed` when None).
        model: the model variant (`alignsim params --model NAME`; the scenario's when None).
        parameters: values over the scenario's (names and ranges: `alignsim params`).

    Returns:
        The `Run`: ``alignment``, ``metrics`` and ``events`` tables, its ``manifest``,
        ``figures()`` and ``save(folder)``.

    Examples:
        >>> run = run("scenarios/two-patrons.yaml", seed=3)
        >>> run.metrics["date"].dt.year.unique().tolist()
        [2020, 2021, 2022, 2023, 2024]
        >>> sorted(run.figures())
        ['alignment_SML', 'heatmap_2024-12-31', 'hedging', 'network_2024-12-31']
    """
    return simulate(scenario_of(scenario, parameters, model=model), seed)


def sweep(
    scenario: ScenarioLike,
    vary: Mapping[str, str | Sequence[float]],
    out: str | os.PathLike[str],
    *,
    sampler: str = "grid",
    samples: int | None = None,
    replicates: int = 10,
    seed: int | None = None,
    model: str | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    resume: bool = False,
    force: bool = False,
    progress: bool = False,
) -> Sweep:
    """Run a scenario over a design of parameter values into a resumable folder (as
    `alignsim sweep`).

    Args:
        vary: per parameter, ``"LO:HI:N"`` (N values; ``"LO:HI"`` for lhs and sobol) or
            the values themselves.
        out: the sweep folder; an existing one is refused unless `resume` or `force`.
        sampler: ``grid``, ``lhs`` or ``sobol``.
        samples: the number of points for lhs and sobol.
        seed: the root of every run's seed (the scenario's `seed` when None).
        model: the model variant (the scenario's when None).
        workers: local processes to run on.
        scheduler: the address of a Dask scheduler to run on instead.

    Examples:
        >>> import tempfile
        >>> folder = tempfile.mkdtemp()
        >>> done = sweep("scenarios/two-patrons.yaml", {"jealousy": [0.0, 0.4]}, folder,
        ...              replicates=2, force=True)
        >>> done.results.groupby("jealousy").size().to_dict()
        {0.0: 2, 0.4: 2}
    """
    loaded = scenario_of(scenario, model=model)
    varies = tuple(parse_vary(f"{name}={spec_text(spec)}") for name, spec in vary.items())
    spec = SweepSpec(
        varies,
        sampler,
        samples,
        replicates,
        loaded.seed if seed is None else seed,
        500,
        "month",
        False,
    )
    dispatch = Dispatch(workers=workers, scheduler=scheduler)
    return execute(loaded, spec, dispatch, Path(out), resume, force, not progress)


def spec_text(spec: str | Sequence[float]) -> str:
    """A `--vary` value from an interval text or a list of values."""
    return spec if isinstance(spec, str) else ",".join(repr(float(v)) for v in spec)


def calibrate(
    scenario: ScenarioLike,
    targets: str | os.PathLike[str] | None = None,
    *,
    params: Sequence[str] | None = None,
    budget: int = 20000,
    replicates: int = 4,
    seed: int | None = None,
    epsilon: float = 0.001,
    holdout: str | None = None,
    model: str | None = None,
    progress: bool = False,
) -> Calibration:
    """Fit parameters to documented targets by differential evolution (as `alignsim
    calibrate --method optimize`), without writing the fitted file: call ``write_fitted``
    for that. For the posterior that `alignsim calibrate` infers by default, `posterior`.

    Args:
        targets: the targets file (``targets.yaml`` beside the scenario's
            `parameters_from` file when None).
        params: the parameters to fit, within their registry ranges (the calibrated ones
            the scenario's model variant leaves free when None).
        budget: the most model runs to spend; replicates: runs per candidate.
        seed: seeds the replicates and the optimiser (the scenario's `seed` when None).
        holdout: fit with what precedes this date (``YYYY-MM-DD``), forecast the rest.
        model: the model variant (the scenario's when None).

    Examples:
        >>> fit = calibrate("scenarios/baseline.yaml", params=["impulse", "decay"],
        ...                 budget=240, replicates=2, seed=1)
        >>> fit.fit.runs <= 240, sorted(fit.fit.best), len(fit.targets_table)
        (True, ['decay', 'impulse'], 29)
    """
    loaded = scenario_of(scenario, model=model, fit=False)
    path = targets or targets_beside(loaded)
    if path is None:
        raise InputError(f"{loaded.path}: has no `parameters_from`; give the targets file")
    found = load_targets(Path(path), loaded.actor_ids, loaded.start, loaded.end)
    names = free_names(loaded, params)
    root = loaded.seed if seed is None else seed
    day = None if holdout is None else date_of(holdout)
    return calibration(
        loaded, found, names, budget, replicates, root, epsilon, holdout=day, progress=progress
    )


def posterior(
    scenario: ScenarioLike,
    targets: str | os.PathLike[str] | None = None,
    *,
    params: Sequence[str] | None = None,
    draws: int = 100_000,
    ess: float = 1000.0,
    evidence: str = "documents",
    seed: int | None = None,
    model: str | None = None,
) -> Posterior:
    """Infer the posterior by ABC on a bank of prior runs (as `alignsim calibrate`), without
    writing its files: call ``write(folder)`` and ``write_point(path, provenance)`` for that.

    Args:
        targets: the targets file (``targets.yaml`` beside the scenario's
            `parameters_from` file when None).
        params: the parameters inferred, each uniform over its registry range (the
            calibrated ones the scenario's model variant leaves free when None).
        draws: prior runs in the bank; ess: the effective sample size of the weights.
        evidence: ``documents``, ``unga`` or ``all`` (README, "Calibration: a posterior").
        seed: seeds the prior design and the runs (the scenario's `seed` when None).
        model: the model variant (the scenario's when None).

    Examples:
        >>> post = posterior("scenarios/baseline.yaml", params=["impulse", "decay"],
        ...                  draws=400, ess=40, seed=1)
        >>> post.bank.size, list(post.parameters_table["parameter"]), 1 < post.weights.ess < 400
        (400, ['impulse', 'decay'], True)
    """
    loaded = scenario_of(scenario, model=model, fit=False)
    path = targets or targets_beside(loaded)
    if path is None:
        raise InputError(f"{loaded.path}: has no `parameters_from`; give the targets file")
    found = load_targets(Path(path), loaded.actor_ids, loaded.start, loaded.end)
    votes, counts = votes_beside(loaded, evidence)
    home = Path(path).parent if loaded.parameters_from is None else loaded.parameters_from.parent
    hashes = evidence_of(loaded, Path(path), counts, home)
    root = loaded.seed if seed is None else seed
    names = free_names(loaded, params)
    return posterior_of(
        loaded, found, names, draws, root, evidence=evidence, votes=votes, ess=ess, hashes=hashes
    )


def compare(
    base: ScenarioLike,
    *whatifs: ScenarioLike,
    metric: str = "hedging_index",
    actor: str | None = None,
    replicates: int = 100,
    seed: int | None = None,
    at: str | None = None,
    model: str | None = None,
    conditional: bool = False,
    models: Sequence[str] = (),
) -> Comparison:
    """Compare what-if scenarios with a base on common random numbers (as `alignsim
    compare`), each replicate at a draw from the base's posterior where it has one.

    Args:
        metric: ``hedging_index``, ``dependence`` or ``alignment_<ACTOR>``.
        actor: whose metric (the base's focal actor when None).
        seed: the root of the replicates' seeds (the base's `seed` when None).
        at: the date of the comparison, ``YYYY-MM-DD`` (the end of the horizon when None).
        model: the model variant of every scenario compared (each one's own when None).
        conditional: run every replicate at the fitted point instead of posterior draws.
        models: also answer under each of these variants, at draws of its posterior kept
            by the model comparison, and averaged over them (the result's ``models``).

    Examples:
        >>> result = compare("scenarios/baseline.yaml", "scenarios/whatif/us-summit-2026.yaml",
        ...                  metric="alignment_USA", at="2026-07-06", replicates=20, seed=1)
        >>> row = result.summary.iloc[0]
        >>> row["whatif"], round(float(row["difference_mean"]), 2), bool(row["t_low"] > 0)
        ('What if a US-DPRK summit in 2026', 0.61, True)
    """
    loaded = scenario_of(base, model=model)
    others = [scenario_of(w, model=model) for w in whatifs]
    if not others:
        raise InputError("compare: give at least one what-if scenario")
    day = None if at is None else date_of(at)
    root = loaded.seed if seed is None else seed
    if models and conditional:
        raise InputError("compare: models= answers at posterior draws; drop conditional=True")
    variants = as_models(loaded, others, models)
    draws = None if conditional else posterior_draws(loaded, replicates, root)
    chosen = Metric(metric, actor or loaded.focal)
    result = compare_scenarios(loaded, others, chosen, replicates, root, day, draws)
    return with_models(result, *variants, chosen, replicates, root, day) if models else result


def date_of(text: str) -> dt.date:
    """A `datetime.date` from ISO text, or an InputError naming it."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"at={excerpt(text)}: not a date; use YYYY-MM-DD") from None


def landscape(source: ScenarioLike | Run, date: str | None = None) -> Landscape:
    """The Axelrod-Bennett landscape of two-bloc configurations of a run on a date (as
    `alignsim landscape`): a `Run`, a run folder, or a scenario run once at its seed.

    Examples:
        >>> found = landscape("scenarios/balance.yaml")
        >>> found.table.loc[0, ["bloc_0", "bloc_1"]].tolist(), bool(found.table.loc[0, "spectral"])
        (['A B C D', 'E F G H'], True)
    """
    day = None if date is None else date_of(date)
    if isinstance(source, Scenario):
        return landscape_of(simulate(source), day)
    return landscape_of(source if isinstance(source, Run) else Path(source), day)
