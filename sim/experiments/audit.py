"""What the evidence can tell: each target's prior-predictive share under every variant.

For every model variant (ODD.md §7.14), parameter vectors are drawn from the priors (uniform
over the registry's ranges of the variant's free calibrated parameters, a Latin hypercube
from `scipy.stats.qmc`), each run with several seeds, and every target is scored in every
run. A target is *uninformative* when at least 95% of the runs satisfy it under every
variant: no setting of any mechanism can fail it, so it cannot tell them apart. It is
*circular* when its quote is also the quote of a coded event (one contains the other) whose
two actors are both actors of the target, dated inside the target's window (from
`WINDOW_BEFORE` before its first date to its last): it then restates its own input (README,
"What the evidence can tell").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from sim.core.events import Event
from sim.core.params import CALIBRATED, REGISTRY
from sim.core.streams import spawn_seeds
from sim.core.variants import VARIANTS, variant
from sim.experiments.calibrate import evaluate
from sim.experiments.targets import Target
from sim.figures.folders import save_output
from sim.io.scenario import Scenario

#: Share of runs above which a target counts as satisfied whatever the parameters.
UNINFORMATIVE = 0.95
#: Most runs evaluated in one ensemble batch.
BATCH_RUNS = 4000
#: How long before a target's first date an event still falls inside its window.
WINDOW_BEFORE = dt.timedelta(days=31)


def prior_draws(names: Sequence[str], draws: int, seed: int) -> list[dict[str, float]]:
    """`draws` parameter vectors from uniform priors over the registry's ranges."""
    if not names:
        return [{}] * draws
    unit = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(seed)).random(draws)
    low = [REGISTRY[n].low for n in names]
    high = [REGISTRY[n].high for n in names]
    return [dict(zip(names, map(float, row), strict=True)) for row in qmc.scale(unit, low, high)]


def satisfied_shares(
    scenario: Scenario, targets: Sequence[Target], draws: int, seeds: Sequence[int], seed: int
) -> np.ndarray:
    """Per target, the share of prior-predictive runs (draws × seeds) that satisfy it.

    The draws run in batches of at most `BATCH_RUNS` runs, so memory stays bounded however
    many are asked for.
    """
    names = variant(scenario.model).free(CALIBRATED)
    candidates = prior_draws(names, draws, seed)
    step = max(1, BATCH_RUNS // len(seeds))
    satisfied = np.zeros(len(targets))
    for i in range(0, draws, step):
        _, violation = evaluate(scenario, targets, candidates[i : i + step], seeds)
        satisfied += (violation == 0).sum(axis=(0, 1))
    share: np.ndarray = satisfied / (draws * len(seeds))
    return share


def target_actors(target: Target) -> set[str]:
    """The actors a target reads."""
    sides = [target.spec.lhs] + ([] if isinstance(target.spec.rhs, float) else [target.spec.rhs])
    return {
        a for point in sides for a in (point.source, point.target, point.actor, point.partner) if a
    }


def circular_events(target: Target, events: Sequence[Event]) -> list[str]:
    """The ids of the coded events whose quote the target shares, on its actors, inside its
    window."""
    quote, actors = target.spec.quote, target_actors(target)
    first, last = min(target.dates) - WINDOW_BEFORE, max(target.dates)
    return [
        e.id
        for e in events
        if e.quote
        and (e.quote in quote or quote in e.quote)
        and e.source in actors
        and bool(set(e.targets) & actors)
        and first <= e.date <= last
    ]


@dataclass(frozen=True)
class Audit:
    """Each target's prior-predictive share under every variant, and its flags.

    Attributes:
        table: per target: id, claim, doc, weight, ``share_<variant>`` for each variant,
            ``uninformative``, ``circular`` and the ids of the events it restates.
        manifest: the scenario and targets audited, draws, seeds, seed, the rule's thresholds.
    """

    table: pd.DataFrame
    manifest: dict[str, Any]

    def save(self, folder: str | Path, force: bool = False) -> Path:
        """Write ``audit.parquet``, ``audit.csv`` and ``manifest.json``, whole or not at all.
        A non-empty folder is refused unless `force` (then it is replaced)."""
        return save_output(folder, {"audit": self.table}, {}, self.manifest, force=force)


def audit(
    scenario: Scenario,
    targets: Sequence[Target],
    draws: int = 100,
    replicates: int = 4,
    seed: int = 0,
    variants: Sequence[str] = tuple(VARIANTS),
) -> Audit:
    """Score every target on prior-predictive runs of every variant (module docstring).

    Args:
        scenario: the scenario (loaded as the full model; each variant is derived from it).
        draws: parameter vectors per variant; replicates: seeds each vector runs with.
    """
    seeds = spawn_seeds(seed, replicates)
    table = pd.DataFrame(
        {
            "id": [t.spec.id for t in targets],
            "claim": [t.spec.claim for t in targets],
            "doc": [t.spec.doc for t in targets],
            "weight": [t.spec.weight for t in targets],
        }
    )
    for name in variants:
        shares = satisfied_shares(scenario.with_model(name), targets, draws, seeds, seed)
        table[f"share_{name}"] = shares
    columns = [f"share_{name}" for name in variants]
    table["uninformative"] = (table[columns] >= UNINFORMATIVE).all(axis=1)
    restated = [circular_events(t, scenario.events) for t in targets]
    table["circular"] = [bool(ids) for ids in restated]
    table["restates"] = [" ".join(ids) for ids in restated]
    manifest = {
        "scenario": {"file": str(scenario.path), "hash": scenario.hash},
        "targets": len(targets),
        "variants": list(variants),
        "draws": draws,
        "replicates": replicates,
        "seed": seed,
        "uninformative_at": UNINFORMATIVE,
        "window_before_days": WINDOW_BEFORE.days,
    }
    return Audit(table, manifest)
