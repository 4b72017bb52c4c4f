"""What-if comparisons: a base scenario against overlays, with common random numbers.

Every scenario runs the same replicate seeds through the ensemble engine, so replicate r of
a what-if differs from replicate r of the base only by what the overlay changed (common
random numbers; Law 2015, "Simulation Modeling and Analysis", ch. 11). Where the overlay
changes the number of actors, the noise draws have another shape and the pairing is
partial. The difference at the end of the horizon is summarised by its mean with a
t-interval and a bootstrap percentile interval (`scipy.stats`), and the share of replicates
in which it is positive.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from sim.core import metrics
from sim.core.errors import InputError, excerpt
from sim.core.params import AGENT_PARAMETERS, CALIBRATED, REGISTRY
from sim.core.streams import spawn_seeds
from sim.core.variants import variant
from sim.engine.ensemble import Ensemble
from sim.experiments.abc import weighted_quantiles
from sim.experiments.sweep import envelope_steps
from sim.experiments.targets import step_index
from sim.figures.comparison import comparison_figures
from sim.figures.folders import save_output
from sim.io.posteriorfile import models_table, posterior_files, posterior_table
from sim.io.scenario import Scenario


@dataclass(frozen=True)
class Metric:
    """A per-run quantity over time: `hedging_index`, `dependence` or `alignment_<ACTOR>`."""

    name: str
    actor: str

    @property
    def label(self) -> str:
        """A readable label with units."""
        if self.name.startswith("alignment_"):
            return f"{self.actor}'s alignment toward {self.name.removeprefix('alignment_')} (−1..1)"
        return f"{self.actor}'s {self.name.replace('_', ' ')} (0..1)"

    def check(self, scenario: Scenario) -> None:
        """Raise InputError unless the scenario has the actors the metric needs."""
        needed = [self.actor]
        if self.name.startswith("alignment_"):
            needed.append(self.name.removeprefix("alignment_"))
        elif self.name not in ("hedging_index", "dependence"):
            raise InputError(
                f"--metric {excerpt(self.name)}: allowed hedging_index, dependence or "
                "alignment_<ACTOR>"
            )
        missing = [a for a in needed if a not in scenario.actor_ids]
        if missing:
            raise InputError(
                f"--metric/--actor: {scenario.name} has no actor '{missing[0]}'; "
                f"actors: {', '.join(scenario.actor_ids)}"
            )

    def values(self, scenario: Scenario, history: np.ndarray) -> np.ndarray:
        """The metric per run and kept date, from a history [R, E, N, N]."""
        i = scenario.actor_ids.index(self.actor)
        if self.name.startswith("alignment_"):
            return history[:, :, i, scenario.actor_ids.index(self.name[10:])]
        if self.name == "hedging_index":
            return metrics.patron_balance(history[:, :, i], scenario.capability, i)
        return metrics.dependence(metrics.shares_of(history[:, :, i]))


def series(
    scenario: Scenario,
    metric: Metric,
    seeds: Sequence[int],
    at: dt.date | None = None,
    draws: Sequence[Mapping[str, float]] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The metric monthly (and on the state recorded on or after `at`) for every replicate,
    each with its posterior draw's parameters where given (`drawn_part`).

    Returns:
        (dates [E], values [R, E]).
    """
    kept = envelope_steps(scenario, "month")
    if at is not None:
        kept = np.union1d(kept, [step_index(scenario.dates, at)])
    varied = None if draws is None else [drawn_part(scenario, d) for d in draws]
    engine = Ensemble(scenario, seeds, varied, record_actions=False)
    history = engine.run(kept)
    return scenario.dates[kept], metric.values(scenario, history)


#: Distinguish the resampling and the agents' prior draws from the replicates' seeds
#: spawned from the same root.
RESAMPLE_STREAM, AGENTS_STREAM = 0x5EED, 0xA6E5


def drawn_part(scenario: Scenario, draw: Mapping[str, float]) -> dict[str, float]:
    """The values of a draw for the parameters a scenario leaves to its fit or to the
    registry: a what-if's own parameters, `--set` and a variant's switched-off terms stay
    as they are."""
    sources = scenario.parameter_sources
    return {k: v for k, v in draw.items() if sources.get(k, "").startswith(("fitted", "default"))}


def resample(
    table: pd.DataFrame, names: Sequence[str], count: int, seed: int
) -> list[dict[str, float]]:
    """`count` parameter vectors drawn, with replacement, by weight from posterior draws
    (from a stream of their own, apart from the replicates' seeds)."""
    weights = table["weight"].to_numpy() if "weight" in table else np.ones(len(table))
    rng = np.random.default_rng([seed, RESAMPLE_STREAM])
    rows = rng.choice(len(table), count, p=weights / weights.sum())
    values = table[list(names)].to_numpy()[rows]
    return [dict(zip(names, map(float, v), strict=True)) for v in values]


def agent_draws(scenario: Scenario, count: int, seed: int) -> list[dict[str, float]]:
    """`count` draws of the agents' decision parameters from their priors (uniform over
    the registry's ranges, ODD.md §7.11), for those the scenario leaves at their defaults:
    agents act after the documents, which cannot inform them. None drawn where the
    scenario's variant switches the agents off."""
    agents_on = "activity" not in variant(scenario.model).off
    free = [n for n in AGENT_PARAMETERS if agents_on and scenario.parameter_sources[n] == "default"]
    rng = np.random.default_rng([seed, AGENTS_STREAM])
    low = np.array([REGISTRY[n].low for n in free])
    high = np.array([REGISTRY[n].high for n in free])
    values = rng.uniform(low, high, size=(count, len(free)))
    return [dict(zip(free, map(float, v), strict=True)) for v in values]


def posterior_draws(base: Scenario, replicates: int, seed: int) -> list[dict[str, float]] | None:
    """One draw per replicate from the posterior beside the base's fit, its evidence
    checked (`sim.io.posteriorfile`), with the agents' parameters from their priors; None
    when the base has no posterior.

    Raises:
        InputError: a posterior whose evidence files have changed.
    """
    fitted = base.parameters_from
    if fitted is None or not posterior_files(fitted)[1].is_file():
        return None
    table, names = posterior_table(fitted, "compare")
    return with_agents(base, resample(table, names, replicates, seed), seed)


def with_agents(
    base: Scenario, draws: Sequence[Mapping[str, float]], seed: int
) -> list[dict[str, float]]:
    """Each draw with the agents' parameters drawn from their priors (`agent_draws`)."""
    agents = agent_draws(base, len(draws), seed)
    return [{**d, **a} for d, a in zip(draws, agents, strict=True)]


def model_draws(
    bases: Mapping[str, Scenario], replicates: int, seed: int
) -> tuple[dict[str, list[dict[str, float]]], dict[str, float]]:
    """Per model variant (`bases`: the base loaded as each), one draw per replicate from
    its posterior kept by the model comparison beside the base's fit (``models.parquet``),
    with the agents' parameters from their priors; and each variant's posterior
    probability renormalised over the variants asked for.

    Raises:
        InputError: no model comparison beside the fit, hashes that do not match, or a
            variant it did not compare.
    """
    first = next(iter(bases.values()))
    table, probability = models_table(first.parameters_from, list(bases))
    draws = {}
    for name, base in bases.items():
        rows = table[table["model"] == name]
        draws[name] = with_agents(base, resample(rows, list(CALIBRATED), replicates, seed), seed)
    total = sum(probability[m] for m in bases)
    return draws, {m: probability[m] / total for m in bases}


@dataclass(frozen=True)
class Comparison:
    """Bands per scenario over time, and differences per what-if on the comparison date.

    Attributes:
        bands: median and 5–95% band per scenario and date (``scenario`` is its label).
        differences: what-if minus base per what-if and replicate.
        summary: per what-if: mean difference, t and bootstrap intervals, share positive.
        manifest: what was compared: the files and their hashes, each scenario's label and
            hypothetical event dates, the metric, replicates and seed.
        models: per what-if, the answer under each model variant asked for and the
            model-averaged answer (`across_models`); None unless asked for.
    """

    bands: pd.DataFrame
    differences: pd.DataFrame
    summary: pd.DataFrame
    manifest: dict[str, Any]
    models: pd.DataFrame | None = None

    def figures(self) -> dict[str, Figure]:
        """The bands over time and the differences, by file stem."""
        return comparison_figures(self.bands, self.differences, self.summary, self.manifest)

    def save(
        self, folder: str | Path, formats: tuple[str, ...] = ("png",), force: bool = False
    ) -> Path:
        """Write tables (Parquet and CSV), figures and manifest; the folder appears whole.
        A non-empty folder is refused unless `force` (then it is replaced)."""
        names = (
            "bands",
            "differences",
            "summary",
            *(("models",) if self.models is not None else ()),
        )
        tables = {name: getattr(self, name) for name in names}
        return save_output(folder, tables, self.figures(), self.manifest, formats, force)


def compare(
    base: Scenario,
    whatifs: Sequence[Scenario],
    metric: Metric,
    replicates: int,
    seed: int,
    at: dt.date | None = None,
    draws: Sequence[Mapping[str, float]] | None = None,
) -> Comparison:
    """Run every scenario on the same seeds (and the same posterior draws) and compare each
    what-if with the base.

    Args:
        at: date of the comparison (the first recorded date on or after it); the end of the
            horizon when None.
        draws: one parameter vector per replicate (`resample`), shared by every scenario:
            the differences are then posterior predictive; None for the scenarios' own
            parameters (conditional on one fit).
    """
    for scenario in (base, *whatifs):
        metric.check(scenario)
    if at is not None and not base.start <= at <= base.end:
        raise InputError(f"--at {at}: outside the scenario ({base.start} to {base.end})")
    seeds = spawn_seeds(seed, replicates)  # the same for every scenario
    scenarios = (base, *whatifs)
    runs = [series(s, metric, seeds, at, draws) for s in scenarios]  # by position, never name
    names = labels(scenarios)
    bands = pd.concat(
        [band_table(name, *result) for name, result in zip(names, runs, strict=True)],
        ignore_index=True,
    )
    dates = runs[0][0]
    recorded = None if at is None else base.dates[step_index(base.dates, at)]
    column = -1 if recorded is None else int(np.searchsorted(dates, recorded))
    base_at = runs[0][1][:, column]
    differences, rows = [], []
    for name, (_, values) in zip(names[1:], runs[1:], strict=True):
        delta = values[:, column] - base_at
        differences.append(
            pd.DataFrame(
                {
                    "whatif": name,
                    "replicate": np.arange(replicates),
                    "seed": seeds,
                    "difference": delta,
                }
            )
        )
        row = summary_row(name, base_at, base_at + delta, delta, seed)
        rows.append({"date": pd.Timestamp(dates[column]), **row})
    manifest = manifest_of(scenarios, names, metric, replicates, seed)
    manifest["parameters"] = "conditional" if draws is None else "posterior"
    return Comparison(
        bands, pd.concat(differences, ignore_index=True), pd.DataFrame(rows), manifest
    )


def manifest_of(
    scenarios: Sequence[Scenario], names: list[str], metric: Metric, replicates: int, seed: int
) -> dict[str, Any]:
    """What a comparison compared, enough to cite it and to redraw its figures."""
    entries = [
        {
            "label": name,
            "file": str(s.path),
            "hash": s.hash,
            "model": s.model,
            "hypothetical": [str(e.date) for e in s.events if e.note == "hypothetical"],
        }
        for name, s in zip(names, scenarios, strict=True)
    ]
    return {
        "base": entries[0],
        "whatifs": entries[1:],
        "metric": metric.name,
        "actor": metric.actor,
        "label": metric.label,
        "replicates": replicates,
        "seed": seed,
    }


def labels(scenarios: Sequence[Scenario]) -> list[str]:
    """One distinct label per scenario: its name, and its file where names repeat.

    A what-if that `extends` its base without a `name:` of its own inherits the base's.
    """
    names = [s.name for s in scenarios]
    found = [
        n if names.count(n) == 1 else f"{n} ({s.path.name})"
        for n, s in zip(names, scenarios, strict=True)
    ]
    return [f if found.count(f) == 1 else f"{f} #{i}" for i, f in enumerate(found)]


def band_table(name: str, dates: np.ndarray, values: np.ndarray) -> pd.DataFrame:
    """Median and 5–95% band over replicates, per date."""
    low, mid, high = np.nanquantile(values, [0.05, 0.5, 0.95], axis=0)
    return pd.DataFrame(
        {
            "scenario": name,
            "date": dates.astype("datetime64[D]"),
            "q05": low,
            "q50": mid,
            "q95": high,
        }
    )


def summary_row(
    name: str, base: np.ndarray, whatif: np.ndarray, delta: np.ndarray, seed: int
) -> dict[str, object]:
    """Mean difference with a t-interval and a bootstrap interval of the mean (95%), and the
    5–95% interval of the replicates' differences (posterior predictive with draws)."""
    mean = float(delta.mean())
    if len(delta) > 1 and delta.std() > 0:
        t_low, t_high = stats.t.interval(0.95, len(delta) - 1, loc=mean, scale=stats.sem(delta))
        boot = stats.bootstrap(
            (delta,),
            np.mean,
            confidence_level=0.95,
            n_resamples=2000,
            method="percentile",
            rng=np.random.default_rng(seed),
        )
        b_low, b_high = boot.confidence_interval
    else:  # identical runs (or one replicate): no spread to estimate
        t_low = t_high = b_low = b_high = mean
    return {
        "whatif": name,
        "base_mean": float(base.mean()),
        "whatif_mean": float(whatif.mean()),
        "difference_mean": mean,
        "t_low": float(t_low),
        "t_high": float(t_high),
        "bootstrap_low": float(b_low),
        "bootstrap_high": float(b_high),
        "q05": float(np.quantile(delta, 0.05)),
        "q95": float(np.quantile(delta, 0.95)),
        "share_positive": float((delta > 0).mean()),
        "replicates": len(delta),
    }


def as_models(
    base: Scenario, whatifs: Sequence[Scenario], models: Sequence[str]
) -> tuple[dict[str, Scenario], dict[str, list[Scenario]]]:
    """The base and the what-ifs as each of the variants `models` (`Scenario.with_model`),
    checked before any run.

    Raises:
        InputError: an unknown variant or one listed twice.
    """
    if len(set(models)) != len(models):
        raise InputError(f"--models {excerpt(','.join(models))}: a variant is listed twice")
    bases = {m: base.with_model(m, "--models") for m in models}
    return bases, {m: [w.with_model(m, "--models") for w in whatifs] for m in models}


def with_models(
    result: Comparison,
    bases: Mapping[str, Scenario],
    whatifs: Mapping[str, Sequence[Scenario]],
    metric: Metric,
    replicates: int,
    seed: int,
    at: dt.date | None = None,
) -> Comparison:
    """The comparison with its answer under each model variant and averaged over them
    (`across_models`): per variant (`bases` and `whatifs` as it, `as_models`), the same
    seeds, each replicate at a draw of that variant's posterior (`model_draws`)."""
    draws, probability = model_draws(bases, replicates, seed)
    per_model = {
        name: compare(bases[name], whatifs[name], metric, replicates, seed, at, draws[name])
        for name in bases
    }
    manifest = {**result.manifest, "models": probability}
    return dataclasses.replace(
        result, manifest=manifest, models=across_models(per_model, probability)
    )


def across_models(
    comparisons: Mapping[str, Comparison], probability: Mapping[str, float]
) -> pd.DataFrame:
    """Per what-if: the answer under each model variant, and the model-averaged answer.

    The averaged answer is the posterior predictive difference under Bayesian model
    averaging (Hoeting, Madigan, Raftery & Volinsky 1999): the mixture of the variants'
    replicate differences, each variant weighted by its posterior probability
    (`probability`, summing to 1 over `comparisons`).
    """
    rows = []
    for name, result in comparisons.items():
        for row in result.summary.to_dict("records"):
            rows.append({"model": name, "probability": probability[name], **row})
    first = next(iter(comparisons.values()))
    for whatif, date in zip(first.summary["whatif"], first.summary["date"], strict=True):
        parts = [
            (c.differences.loc[c.differences["whatif"] == whatif, "difference"].to_numpy(), m)
            for m, c in comparisons.items()
        ]
        delta = np.concatenate([d for d, _ in parts])
        weight = np.concatenate([np.full(len(d), probability[m] / len(d)) for d, m in parts])
        low, high = weighted_quantiles(delta, weight, [0.05, 0.95])
        rows.append(
            {
                "model": "averaged",
                "probability": float(sum(probability.values())),
                "date": date,
                "whatif": whatif,
                "difference_mean": float(weight @ delta),
                "q05": float(low),
                "q95": float(high),
                "share_positive": float(weight @ (delta > 0)),
                "replicates": len(delta),
            }
        )
    return pd.DataFrame(rows)
