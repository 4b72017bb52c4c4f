"""The tables of a run: alignment, metrics and events, as the README's data dictionary says.

`run_tables` turns a `Trajectory` into three long tables (pandas DataFrames) that
`sim.io.files` writes as Parquet and CSV and `sim.figures.runs` draws. Every scripted event keeps
its source document and quote, so a scholar can trace each step of a result.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sim.core import metrics
from sim.core.policy import ACTION_NAMES, ACTION_TYPES, action_weight
from sim.engine.trajectory import Trajectory
from sim.io.scenario import Scenario


def dates_of(scenario: Scenario) -> pd.DatetimeIndex:
    """The run's dates as a pandas index (one per state recorded)."""
    return pd.DatetimeIndex(scenario.dates.astype("datetime64[ns]"))


def alignment_table(trajectory: Trajectory) -> pd.DataFrame:
    """Long table: date, source, target, value, baseline, protocol_rank (off-diagonal pairs)."""
    scenario = trajectory.scenario
    ids = np.array(scenario.actor_ids)
    n, dates = len(ids), dates_of(scenario)
    src, tgt = np.nonzero(~np.eye(n, dtype=bool))
    ranks = metrics.protocol_rank(trajectory.alignment)
    return pd.DataFrame(
        {
            "date": np.repeat(dates.date, len(src)),
            "source": np.tile(ids[src], len(dates)),
            "target": np.tile(ids[tgt], len(dates)),
            "value": trajectory.alignment[:, src, tgt].ravel(),
            "baseline": trajectory.baseline[:, src, tgt].ravel(),
            "protocol_rank": ranks[:, src, tgt].ravel().astype(np.int16),
        }
    )


def metrics_table(trajectory: Trajectory) -> pd.DataFrame:
    """Long table: date, actor and the per-actor and system measures of `sim.core.metrics`."""
    scenario = trajectory.scenario
    A = trajectory.alignment
    ids = np.array(scenario.actor_ids)
    shares = metrics.shares_of(A)
    top = metrics.top_partner(shares)
    sides = metrics.blocs(A)
    n, dates = len(ids), dates_of(scenario)
    return pd.DataFrame(
        {
            "date": np.repeat(dates.date, n),
            "actor": np.tile(ids, len(dates)),
            "hedging_index": metrics.hedging_index(A, scenario.capability).ravel(),
            "effective_partners": metrics.effective_partners(shares).ravel(),
            "dependence": metrics.dependence(shares).ravel(),
            "top_partner": np.where(top >= 0, ids[np.maximum(top, 0)], "").ravel(),
            "bloc": sides.ravel().astype(np.int8),
            "frustration": np.repeat(metrics.frustration(A), n),
            "landscape_energy": np.repeat(
                metrics.landscape_energy(sides, scenario.capability, A), n
            ),
        }
    )


EVENT_COLUMNS = (
    "date",
    "applied_on",
    "id",
    "origin",
    "source",
    "target",
    "type",
    "cameo",
    "goldstein",
    "magnitude",
    "institutional",
    "impulse",
    "doc",
    "quote",
    "note",
    "defined_in",
)


def events_table(trajectory: Trajectory) -> pd.DataFrame:
    """Every event as applied: scripted ones (one row per target) and agents' actions."""
    scenario = trajectory.scenario
    rows = scripted_rows(scenario) + action_rows(trajectory)
    table = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    return table.sort_values(
        ["applied_on", "origin", "date", "id"], kind="stable", ignore_index=True
    )


def scripted_rows(scenario: Scenario) -> list[dict[str, object]]:
    """Rows of the scripted events, with the date of the first state that shows them."""
    schedule, dates = scenario.schedule, scenario.dates
    impulse = scenario.parameters["impulse"]
    rows = []
    for e in range(len(schedule.step)):
        event = schedule.events[schedule.event[e]]
        rows.append(
            {
                "date": event.date,
                "applied_on": to_date(dates[schedule.step[e]]),
                "id": event.id,
                "origin": "scripted",
                "source": event.source,
                "target": scenario.actor_ids[schedule.target[e]],
                "type": event.type,
                "cameo": event.code,
                "goldstein": event.goldstein,
                "magnitude": event.magnitude,
                "institutional": event.institutional,
                "impulse": impulse * event.weight,
                "doc": event.doc,
                "quote": event.quote,
                "note": event.note,
                "defined_in": event.defined_in,
            }
        )
    return rows


def action_rows(trajectory: Trajectory) -> list[dict[str, object]]:
    """Rows of the agents' actions, dated at the start of the step they were taken in."""
    scenario = trajectory.scenario
    ids, dates = scenario.actor_ids, scenario.dates
    p = scenario.parameters
    rows = []
    for action in trajectory.actions:
        source, target = ids[action.source], ids[action.target]
        day = to_date(dates[action.step - 1])
        kind = ACTION_TYPES[action.kind]
        rows.append(
            {
                "date": day,
                "applied_on": to_date(dates[action.step]),
                "id": f"agent-{day}-{source}-{target}",
                "origin": "agent",
                "source": source,
                "target": target,
                "type": kind,
                "cameo": "",
                "goldstein": 10 * action_weight(action.kind),
                "magnitude": p["action_magnitude"],
                "institutional": False,
                "impulse": p["impulse"] * p["action_magnitude"] * action_weight(action.kind),
                "doc": "",
                "quote": "",
                "note": f"agent action: {ACTION_NAMES[action.kind]}",
                "defined_in": "",
            }
        )
    return rows


def to_date(value: np.datetime64) -> dt.date:
    """A numpy day as a `datetime.date`."""
    return dt.date.fromisoformat(str(value))
