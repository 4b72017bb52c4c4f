"""Replicate fans of one scenario: its focal actor's alignment toward each partner over
many seeds, as quantiles per date (`alignsim run --replicates N`).

The replicates run together in the ensemble engine (`sim.engine.ensemble`, the Mesa
model's kernels with a run axis) on seeds spawned from the run's seed (`spawn_seeds`, as
`alignsim compare` spawns its replicates), every week kept; the table holds, per partner
and date, the 5, 25, 50, 75 and 95% quantiles over the replicates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from sim.core.streams import spawn_seeds
from sim.engine.ensemble import Ensemble
from sim.io.scenario import Scenario

#: The quantiles a fan keeps, and their columns.
QUANTILES = {"q05": 0.05, "q25": 0.25, "q50": 0.5, "q75": 0.75, "q95": 0.95}


def fan_table(
    scenario: Scenario, replicates: int, seed: int, actor: str | None = None
) -> pd.DataFrame:
    """Quantiles over `replicates` runs (seeds spawned from `seed`) of `actor`'s (the
    focal actor's by default) alignment toward each other actor at every recorded date.

    Returns:
        One row per partner and date: ``partner``, ``date``, the `QUANTILES` columns and
        ``replicates``.
    """
    actor = actor or scenario.focal
    i = scenario.actor_ids.index(actor)
    engine = Ensemble(scenario, spawn_seeds(seed, replicates), record_actions=False)
    rows = np.empty((replicates, engine.steps + 1, len(scenario.actor_ids)))  # [R, E, N]
    rows[:, 0] = engine.alignment[:, i]
    with threadpool_limits(1, user_api="blas"):  # small matrices: one thread is faster
        while engine.k < engine.steps:  # only the actor's row kept: R × E × N, not × N
            engine.step()
            rows[:, engine.k] = engine.alignment[:, i]
    levels = np.quantile(rows, list(QUANTILES.values()), axis=0)  # [Q, E, N]
    dates = pd.to_datetime(np.asarray(scenario.dates)).date
    frames = [
        pd.DataFrame(
            {
                "partner": partner,
                "date": dates,
                **{name: levels[q, :, j] for q, name in enumerate(QUANTILES)},
                "replicates": replicates,
            }
        )
        for j, partner in enumerate(scenario.actor_ids)
        if j != i
    ]
    return pd.concat(frames, ignore_index=True)
