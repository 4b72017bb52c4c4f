"""`alignsim blocs`: the landscape of two-bloc configurations at a date.

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
from pathlib import Path

import numpy as np
import pandas as pd

from sim.core import metrics
from sim.core.errors import InputError
from sim.engine.model import run_model
from sim.engine.runs import load_view
from sim.io.files import read_text
from sim.io.scenario import load_scenario


def from_source(
    source: Path, date: dt.date | None
) -> tuple[list[str], np.ndarray, np.ndarray, str]:
    """Actors, sizes and alignment from a run folder or a scenario (run once, default seed)."""
    if source.is_dir():
        view = load_view(source)
        day = view.nearest_date(date or view.last_date)
        sizes = np.array([view.capability[a] for a in view.actors])
        return list(view.actors), sizes, view.matrix(day), f"{view.title}, {day}"
    scenario = load_scenario(source)
    trajectory = run_model(scenario)
    when = date or scenario.end
    if not scenario.start <= when <= scenario.end:
        raise InputError(
            f"--date {when}: outside the scenario ({scenario.start} to {scenario.end})"
        )
    k = int(np.searchsorted(scenario.dates, np.datetime64(when, "D")))
    return (
        list(scenario.actor_ids),
        scenario.capability,
        trajectory.alignment[k],
        f"{scenario.name}, {scenario.dates[k]}, seed {scenario.seed}",
    )


def from_tables(
    sizes_path: Path, propensities_path: Path
) -> tuple[list[str], np.ndarray, np.ndarray, str]:
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
    return actors, sizes["size"].to_numpy(dtype=float), values, "tables"


def describe(actors: list[str], sizes: np.ndarray, alignment: np.ndarray, what: str) -> list[str]:
    """The minima, their energies and basins, and the spectral split, as lines."""
    landscape = metrics.landscape_minima(sizes, alignment)
    spectral = metrics.blocs(alignment)
    method = "exhaustive" if landscape.exhaustive else "heuristic: 20,000 random descents"
    lines = [
        f"landscape of {len(actors)} actors ({what}); {len(landscape.energy)} stable "
        f"configuration(s), {method}:"
    ]
    for sides, energy, basin in zip(
        landscape.sides, landscape.energy, landscape.basin, strict=True
    ):
        left = [a for a, s in zip(actors, sides, strict=True) if s == 0]
        right = [a for a, s in zip(actors, sides, strict=True) if s == 1]
        mark = "  <- spectral split" if np.array_equal(sides, spectral) else ""
        lines.append(
            f"  energy {energy:+.4f}  basin {basin:6.1%}  {{{', '.join(left)}}} vs "
            f"{{{', '.join(right) or '-'}}}{mark}"
        )
    if not any(np.array_equal(s, spectral) for s in landscape.sides):
        energy = float(metrics.landscape_energy(spectral, sizes, alignment))
        left = [a for a, s in zip(actors, spectral, strict=True) if s == 0]
        lines.append(
            f"  spectral split {{{', '.join(left)}}} vs the rest (energy "
            f"{energy:+.4f}) is not a stable configuration"
        )
    return lines
