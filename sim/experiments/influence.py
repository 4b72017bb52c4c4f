"""`alignsim influence`: which single event, or which document, a conclusion hangs on.

Each scripted event (or every event coded from one document) is left out in turn; the
scenario is rerun with the same replicate seeds (common random numbers) and the change in
the chosen metric is ranked. The agents' start date is held at the full scenario's, so
leaving out the last event does not also move the agents.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

from sim.core.errors import InputError
from sim.engine.results import to_date
from sim.experiments.compare import Metric, compare
from sim.io.scenario import Scenario


def groups(scenario: Scenario, by: str) -> dict[str, list[str]]:
    """Event ids grouped by event, or by source document ('(no document)' for none)."""
    if by == "event":
        return {e.id: [e.id] for e in scenario.events}
    grouped: dict[str, list[str]] = {}
    for event in scenario.events:
        grouped.setdefault(event.doc or "(no document)", []).append(event.id)
    return grouped


def without(scenario: Scenario, name: str, ids: list[str]) -> Scenario:
    """The scenario less some events, its agents starting when the full scenario's do."""
    agents_from = scenario.agents_from
    if agents_from == "last_event":
        agents_from = to_date(scenario.dates[scenario.agents_start_step - 1])
    kept = tuple(e for e in scenario.events if e.id not in set(ids))
    return dataclasses.replace(
        scenario, name=f"without {name}", events=kept, agents_from=agents_from
    )


def influence(
    scenario: Scenario,
    by: str,
    metric: Metric,
    replicates: int,
    seed: int,
    at: dt.date | None = None,
) -> pd.DataFrame:
    """Leave-one-out differences (without minus with), ranked by absolute mean."""
    grouped = groups(scenario, by)
    if not grouped:
        raise InputError(f"{scenario.path}: the scenario has no scripted events to leave out")
    variants = [without(scenario, name, ids) for name, ids in grouped.items()]
    result = compare(scenario, variants, metric, replicates, seed, at)
    table = result.summary.assign(
        left_out=list(grouped), events=[len(ids) for ids in grouped.values()]
    )
    table = table[
        ["left_out", "events", "date", "difference_mean", "t_low", "t_high", "share_positive"]
    ]
    order = table["difference_mean"].abs().sort_values(ascending=False, kind="stable").index
    return table.loc[order].reset_index(drop=True)
