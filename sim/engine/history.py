"""A run's alignment matrix at every recorded date, as one array: what its figures read.

Made from a just-simulated `Trajectory` (a view of its arrays, no copy when every state is
recorded), from an alignment table in memory, or from a run folder's ``alignment.parquet``
read a row group at a time (only its ``date`` and ``value`` columns, in the order
`sim.engine.results` writes them), so redrawing a 500-actor run needs its 1 GB of values,
not the 130 million rows of its table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sim.engine.results import to_date
from sim.engine.trajectory import Trajectory


@dataclass(frozen=True)
class AlignmentHistory:
    """Alignment at each recorded date.

    Attributes:
        dates: the recorded dates, in order.
        values: alignment at each of them, [D, N, N] (rows and columns in actor order).
    """

    dates: tuple[dt.date, ...]
    values: np.ndarray

    @classmethod
    def of_trajectory(cls, trajectory: Trajectory, recorded: np.ndarray) -> AlignmentHistory:
        """The recorded steps of a trajectory."""
        every = len(recorded) == len(trajectory.alignment)
        values = trajectory.alignment if every else trajectory.alignment[recorded]
        dates = tuple(to_date(d) for d in trajectory.scenario.dates[recorded])
        return cls(dates, values)

    @classmethod
    def of_table(cls, table: pd.DataFrame, actors: tuple[str, ...]) -> AlignmentHistory:
        """An alignment table (date, source, target, value), in any row order."""
        days = sorted(table["date"].unique())
        index = {a: i for i, a in enumerate(actors)}
        values = np.zeros((len(days), len(actors), len(actors)))
        at = table["date"].map({d: i for i, d in enumerate(days)})
        values[at, table["source"].map(index), table["target"].map(index)] = table["value"]
        return cls(tuple(days), values)

    @classmethod
    def of_file(cls, path: Path, actors: tuple[str, ...]) -> AlignmentHistory:
        """A run folder's alignment table, rows by date, source and target in actor order."""
        n = len(actors)
        found = pq.ParquetFile(path)
        flat = np.empty(found.metadata.num_rows)
        days: list[dt.date] = []
        done = 0
        for batch in found.iter_batches(columns=["date", "value"]):
            flat[done : done + batch.num_rows] = batch.column("value").to_numpy()
            days += [d for d in batch.column("date").unique().to_pylist() if d not in days[-1:]]
            done += batch.num_rows
        values = np.zeros((len(days), n, n))
        values[:, ~np.eye(n, dtype=bool)] = flat.reshape(len(days), n * (n - 1))
        return cls(tuple(days), values)

    def nearest(self, date: dt.date) -> int:
        """Index of the recorded date nearest to `date` (the earlier one on a tie)."""
        gaps = [abs((d - date).days) for d in self.dates]
        return int(np.argmin(gaps))
