"""Landscape theory: minima and basins by exhaustive enumeration, against brute force."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sim.cli import cli
from sim.core import metrics

# A published-style table (sizes and propensities of five powers, invented for the test):
# two camps {0, 1} and {3, 4}, and a swing state 2 leaning to the first.
SIZES = np.array([0.3, 0.2, 0.1, 0.25, 0.15])
PROPENSITY = np.array(
    [
        [0.0, 0.8, 0.3, -0.6, -0.5],
        [0.8, 0.0, 0.2, -0.4, -0.7],
        [0.3, 0.2, 0.0, 0.3, 0.1],
        [-0.6, -0.4, 0.3, 0.0, 0.9],
        [-0.5, -0.7, 0.1, 0.9, 0.0],
    ]
)


def brute_force_minima(sizes: np.ndarray, propensity: np.ndarray) -> set[tuple[int, ...]]:
    """Every configuration (actor 0 on side 0) that no single switch improves."""
    n = len(sizes)
    minima = set()
    for tail in itertools.product((0, 1), repeat=n - 1):
        sides = np.array((0, *tail))
        energy = metrics.landscape_energy(sides, sizes, propensity)
        neighbours = []
        for i in range(n):
            moved = sides.copy()
            moved[i] ^= 1
            neighbours.append(metrics.landscape_energy(moved, sizes, propensity))
        if min(neighbours) >= energy - 1e-12:
            minima.add(tuple(int(s) for s in sides))
    return minima


def test_minima_match_brute_force_on_a_published_style_table() -> None:
    landscape = metrics.landscape_minima(SIZES, PROPENSITY)
    found = {tuple(int(s) for s in sides) for sides in landscape.sides}
    assert found == brute_force_minima(SIZES, PROPENSITY)
    assert found == {(0, 0, 0, 1, 1)}
    assert landscape.exhaustive and landscape.basin.sum() == pytest.approx(1.0)


def test_a_frustrated_triangle_has_three_equal_minima() -> None:
    """Three mutual rivals: any one stands alone (energy −2), each a third of the basins."""
    landscape = metrics.landscape_minima(np.ones(3), -(1 - np.eye(3)))
    found = {tuple(int(s) for s in sides) for sides in landscape.sides}
    assert found == {(0, 1, 1), (0, 1, 0), (0, 0, 1)}
    np.testing.assert_allclose(landscape.energy, -2.0)
    assert landscape.basin.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("seed", range(5))
def test_random_tables_match_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    sizes = rng.uniform(0.05, 1, 7)
    propensity = rng.uniform(-1, 1, (7, 7))
    landscape = metrics.landscape_minima(sizes, propensity)
    found = {tuple(int(s) for s in sides) for sides in landscape.sides}
    assert found == brute_force_minima(sizes, propensity)


def test_blocs_command_reads_published_tables(runner: CliRunner, tmp_path: Path) -> None:
    actors = ["A", "B", "S", "D", "E"]
    sizes = tmp_path / "sizes.csv"
    sizes.write_text(
        "actor,size\n" + "".join(f"{a},{s}\n" for a, s in zip(actors, SIZES, strict=True))
    )
    matrix = tmp_path / "p.csv"
    matrix.write_text(
        ","
        + ",".join(actors)
        + "\n"
        + "".join(
            a + "," + ",".join(str(v) for v in row) + "\n"
            for a, row in zip(actors, PROPENSITY, strict=True)
        )
    )
    result = runner.invoke(cli, ["blocs", "--sizes", str(sizes), "--propensities", str(matrix)])
    assert result.exit_code == 0, result.output
    assert "1 stable configuration(s), exhaustive" in result.output
    assert "{A, B, S} vs {D, E}  <- spectral split" in result.output
    matrix.write_text(matrix.read_text().replace(",S,", ",X,"))
    bad = runner.invoke(cli, ["blocs", "--sizes", str(sizes), "--propensities", str(matrix)])
    assert bad.exit_code == 2 and "must name the actors" in bad.stderr


def test_blocs_of_a_scenario_find_the_balance_split(runner: CliRunner) -> None:
    from conftest import ROOT

    result = runner.invoke(cli, ["blocs", str(ROOT / "scenarios" / "balance.yaml")])
    assert result.exit_code == 0
    assert "{A, B, C, D} vs {E, F, G, H}  <- spectral split" in result.output
