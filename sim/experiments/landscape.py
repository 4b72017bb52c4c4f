"""The landscape of two-bloc configurations at a date (`alignsim landscape`).

Axelrod & Bennett (1993), "A landscape theory of aggregation": actors of sizes s_i with
propensities p_ij settle into a configuration that locally minimises the energy
E = Σ_{i<j} s_i s_j p_ij d_ij. Here sizes are capabilities and the propensity is the
symmetrised alignment at the chosen date (from a run folder, from a fresh run of a
scenario, or from plain tables of a published analysis). Every stable configuration is
reported with its energy and basin of attraction, next to the spectral split (the sign of
the leading eigenvector, `sim.core.metrics.blocs`).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from sim.core import metrics
from sim.core.errors import InputError
from sim.experiments.run import Run, load_or_simulate
from sim.io.files import read_text


@dataclass(frozen=True)
class Landscape:
    """Actors of sizes s_i with propensities p_ij, and their stable two-bloc configurations.

    Attributes:
        actors: actor ids, in order.
        sizes: sizes (capabilities), [N].
        propensity: the propensities (alignment), [N, N].
        source: what the propensities are (a run and its date, or "tables").
    """

    actors: tuple[str, ...]
    sizes: np.ndarray
    propensity: np.ndarray
    source: str

    @cached_property
    def minima(self) -> metrics.Landscape:
        """The stable configurations (`sim.core.metrics.landscape_minima`)."""
        return metrics.landscape_minima(self.sizes, self.propensity)

    @cached_property
    def spectral(self) -> np.ndarray:
        """The spectral split (`sim.core.metrics.blocs`), 0/1 per actor."""
        return metrics.blocs(self.propensity)

    @property
    def table(self) -> pd.DataFrame:
        """One row per stable configuration: its two blocs, energy, basin and whether it is
        the spectral split; lowest energy first."""
        rows = [
            {
                "bloc_0": " ".join(self.side(sides, 0)),
                "bloc_1": " ".join(self.side(sides, 1)),
                "energy": float(energy),
                "basin": float(basin),
                "spectral": bool(np.array_equal(sides, self.spectral)),
            }
            for sides, energy, basin in zip(
                self.minima.sides, self.minima.energy, self.minima.basin, strict=True
            )
        ]
        return pd.DataFrame(rows)

    def side(self, sides: np.ndarray, which: int) -> list[str]:
        """The actors on one side of a configuration."""
        return [a for a, s in zip(self.actors, sides, strict=True) if s == which]

    def save(self, path: str | Path) -> Path:
        """Write the table of configurations as CSV."""
        target = Path(path)
        self.table.to_csv(target, index=False, lineterminator="\n")
        return target


def landscape(source: Path | Run, date: dt.date | None = None) -> Landscape:
    """The landscape of a run (a `Run`, a run folder, or a scenario run once at its seed) on
    a date (the last by default), sizes being capabilities and propensities the alignment."""
    run = source if isinstance(source, Run) else load_or_simulate(Path(source))
    view = run.view
    if date is not None and not view.first_date <= date <= view.last_date:
        raise InputError(f"--date {date}: outside the run ({view.first_date} to {view.last_date})")
    day = view.nearest_date(date or view.last_date)
    sizes = np.array([view.capability[a] for a in view.actors])
    return Landscape(view.actors, sizes, view.matrix(day), f"{view.title}, {day}")


def landscape_of_tables(sizes_path: Path, propensities_path: Path) -> Landscape:
    """Actors, sizes and propensities from CSV tables (actor,size; a square matrix)."""
    sizes = pd.read_csv(io.StringIO(read_text(sizes_path, "sizes table")))
    if list(sizes.columns[:2]) != ["actor", "size"]:
        raise InputError(f"{sizes_path}: expected columns actor,size")
    matrix = pd.read_csv(
        io.StringIO(read_text(propensities_path, "propensities table")), index_col=0
    )
    actors = [str(a) for a in sizes["actor"]]
    if [str(c) for c in matrix.columns] != actors or [str(i) for i in matrix.index] != actors:
        raise InputError(
            f"{propensities_path}: rows and columns must name the actors of "
            f"{sizes_path.name} in the same order: {', '.join(actors)}"
        )
    values = matrix.to_numpy(dtype=float)
    if not np.isfinite(values).all() or not np.isfinite(sizes["size"]).all():
        raise InputError(f"{propensities_path}: every size and propensity must be a number")
    return Landscape(tuple(actors), sizes["size"].to_numpy(dtype=float), values, "tables")
