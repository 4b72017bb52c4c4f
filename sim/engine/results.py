"""The tables of a run: alignment, metrics and events, as the README's data dictionary says.

`RunTables` turns a `Trajectory` into three long tables (pandas DataFrames) that
`sim.io.files` writes as Parquet and CSV and `sim.figures.runs` draws. Every scripted event keeps
its source document and quote, so a scholar can trace each step of a result.

A run may record every k-th state only (`recorded_steps`: the start, every k-th step and the
end); the alignment and metrics tables then hold those dates, and an event's ``applied_on``
is the first recorded date whose state includes it, so the tables keep their meaning. Large
tables are made in blocks of whole dates (`date_blocks`), so a 500-actor run never holds
its 130 million alignment rows at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping

import numpy as np
import pandas as pd

from sim.core import metrics
from sim.core.policy import ACTION_NAMES, ACTION_TYPES, action_weight
from sim.engine.trajectory import Trajectory
from sim.io.scenario import Scenario

#: The tables of a run, in the order they are written.
TABLES = ("alignment", "metrics", "events")
#: Most rows of one block of a table (whole dates, at least one): a row group of its Parquet file.
BLOCK_ROWS = 2**18


def recorded_steps(steps: int, every: int = 1) -> np.ndarray:
    """Indices of the recorded states of a calendar of `steps` steps: the start, every
    `every`-th step and the end."""
    return np.unique(np.append(np.arange(0, steps + 1, every), steps))


def date_blocks(recorded: np.ndarray, rows_per_date: int) -> list[np.ndarray]:
    """The recorded steps in consecutive blocks of at most `BLOCK_ROWS` rows (at least one
    date each)."""
    per_block = max(1, BLOCK_ROWS // max(rows_per_date, 1))
    return [recorded[i : i + per_block] for i in range(0, len(recorded), per_block)]


def alignment_rows(scenario: Scenario, every: int = 1) -> int:
    """Rows of a run's alignment table when it records every `every`-th state."""
    n = len(scenario.actors)
    return len(recorded_steps(len(scenario.dates) - 1, every)) * n * (n - 1)


def dates_of(scenario: Scenario, steps: np.ndarray | None = None) -> pd.DatetimeIndex:
    """The dates of the given steps (every state when None) as a pandas index."""
    dates = scenario.dates if steps is None else scenario.dates[steps]
    return pd.DatetimeIndex(dates.astype("datetime64[ns]"))


def alignment_table(trajectory: Trajectory, steps: np.ndarray | None = None) -> pd.DataFrame:
    """Long table: date, source, target, value, baseline, protocol_rank (off-diagonal pairs),
    at the given steps (every state when None)."""
    scenario = trajectory.scenario
    ids = np.array(scenario.actor_ids)
    n, dates = len(ids), dates_of(scenario, steps)
    src, tgt = np.nonzero(~np.eye(n, dtype=bool))
    A = trajectory.alignment if steps is None else trajectory.alignment[steps]
    B = trajectory.baseline if steps is None else trajectory.baseline[steps]
    ranks = metrics.protocol_rank(A)
    return pd.DataFrame(
        {
            "date": np.repeat(dates.date, len(src)),
            "source": np.tile(ids[src], len(dates)),
            "target": np.tile(ids[tgt], len(dates)),
            "value": A[:, src, tgt].ravel(),
            "baseline": B[:, src, tgt].ravel(),
            "protocol_rank": ranks[:, src, tgt].ravel().astype(np.int16),
        }
    )


def alignment_blocks(trajectory: Trajectory, recorded: np.ndarray) -> Iterator[pd.DataFrame]:
    """The alignment table at the recorded steps, one block of whole dates at a time."""
    n = len(trajectory.scenario.actors)
    for steps in date_blocks(recorded, n * (n - 1)):
        yield alignment_table(trajectory, steps)


def metrics_table(trajectory: Trajectory, recorded: np.ndarray | None = None) -> pd.DataFrame:
    """Long table: date, actor and the per-actor and system measures of `sim.core.metrics`,
    at the recorded steps (every state when None), measured a block of dates at a time
    (the measures' temporaries are several times the alignment they read)."""
    n = len(trajectory.scenario.actors)
    steps = np.arange(len(trajectory.alignment)) if recorded is None else recorded
    blocks = [metrics_block(trajectory, s) for s in date_blocks(steps, n * n)]
    return blocks[0] if len(blocks) == 1 else pd.concat(blocks, ignore_index=True)


def metrics_block(trajectory: Trajectory, steps: np.ndarray) -> pd.DataFrame:
    """The metrics table at the given steps."""
    scenario = trajectory.scenario
    A = trajectory.alignment[steps]
    ids = np.array(scenario.actor_ids)
    shares = metrics.shares_of(A)
    top = metrics.top_partner(shares)
    sides = metrics.blocs(A)
    n, dates = len(ids), dates_of(scenario, steps)
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


def events_table(trajectory: Trajectory, recorded: np.ndarray | None = None) -> pd.DataFrame:
    """Every event as applied: scripted ones (one row per target) and agents' actions;
    ``applied_on`` is the first recorded date whose state includes it (every state is
    recorded when `recorded` is None)."""
    scenario = trajectory.scenario
    rows = scripted_rows(scenario, recorded) + action_rows(trajectory, recorded)
    table = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    return table.sort_values(
        ["applied_on", "origin", "date", "id"], kind="stable", ignore_index=True
    )


def applied_on(scenario: Scenario, recorded: np.ndarray | None, step: int) -> dt.date:
    """The first recorded date at or after `step` (its own when every step is recorded)."""
    shown = step if recorded is None else recorded[np.searchsorted(recorded, step)]
    return to_date(scenario.dates[shown])


def scripted_rows(
    scenario: Scenario, recorded: np.ndarray | None = None
) -> list[dict[str, object]]:
    """Rows of the scripted events, with the date of the first recorded state that shows
    them (`applied_on`)."""
    schedule = scenario.schedule
    impulse = scenario.parameters["impulse"]
    rows = []
    for e in range(len(schedule.step)):
        event = schedule.events[schedule.event[e]]
        rows.append(
            {
                "date": event.date,
                "applied_on": applied_on(scenario, recorded, schedule.step[e]),
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


def action_rows(trajectory: Trajectory, recorded: np.ndarray | None) -> list[dict[str, object]]:
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
                "applied_on": applied_on(scenario, recorded, action.step),
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


class RunTables(Mapping[str, pd.DataFrame]):
    """A simulated run's three tables by name: metrics and events made at once, the
    alignment table only when asked for (cached), since at 500 actors it is 130 million
    rows; `blocks` gives each table as blocks of whole dates, which is how a run is saved."""

    def __init__(self, trajectory: Trajectory, recorded: np.ndarray) -> None:
        self.trajectory, self.recorded = trajectory, recorded
        self._made = {
            "metrics": metrics_table(trajectory, recorded),
            "events": events_table(trajectory, recorded),
        }

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name == "alignment" and name not in self._made:
            self._made[name] = alignment_table(self.trajectory, self.recorded)
        return self._made[name]

    def __iter__(self) -> Iterator[str]:
        return iter(TABLES)

    def __len__(self) -> int:
        return len(TABLES)

    def blocks(self, name: str) -> Iterable[pd.DataFrame]:
        """The table `name` as consecutive blocks (the alignment table's are streamed)."""
        if name == "alignment" and name not in self._made:
            return alignment_blocks(self.trajectory, self.recorded)
        return [self[name]]
