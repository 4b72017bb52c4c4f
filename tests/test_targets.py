"""The targets schema's weights: a weight-0 target is scored and reported but not counted in
the loss; a file needs at least one target of positive weight."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from sim.cli import cli
from sim.core.errors import InputError
from sim.experiments.calibrate import evaluate
from sim.experiments.targets import load_targets, weights
from sim.io.scenario import load_scenario

POINT = {"source": "PRK", "target": "RUS", "date": "2024-07-01"}


def target(id: str, rhs: float, weight: float) -> dict:
    """An alignment target on PRK→RUS: "above -2" holds in every run, "above 2" in none."""
    return {
        "id": id,
        "claim": id,
        "metric": "alignment",
        "lhs": POINT,
        "comparison": ">",
        "rhs": rhs,
        "weight": weight,
        "doc": "d.txt",
        "quote": "said so",
    }


def test_weights_normalise_over_the_positive_ones(tiny: Path, write) -> None:
    path = write(
        "targets.yaml",
        yaml.safe_dump(
            {
                "targets": [
                    target("never", 2.0, 0.0),
                    target("always", -2.0, 1.0),
                    target("half", -2.0, 0.5),
                ]
            }
        ),
    )
    scenario = load_scenario(tiny)
    targets = load_targets(path, scenario.actor_ids, scenario.start, scenario.end)
    np.testing.assert_allclose(weights(targets), [0.0, 2 / 3, 1 / 3])


def test_a_weight_0_target_is_scored_but_not_counted_in_the_loss(tiny: Path, write) -> None:
    """A target that fails in every run costs nothing at weight 0, and is still scored."""
    path = write(
        "targets.yaml",
        yaml.safe_dump({"targets": [target("never", 2.0, 0.0), target("always", -2.0, 1.0)]}),
    )
    scenario = load_scenario(tiny)
    targets = load_targets(path, scenario.actor_ids, scenario.start, scenario.end)
    loss, violation = evaluate(scenario, targets, [{}, {"impulse": 0.5}], [1, 2])
    np.testing.assert_array_equal(loss, [0.0, 0.0])
    assert (violation[..., 0] > 0).all() and (violation[..., 1] == 0).all()


def test_a_subset_without_positive_weight_has_no_loss(tiny: Path, write) -> None:
    """weights() of targets all at weight 0 (a holdout's early ones, say) is refused."""
    path = write(
        "targets.yaml",
        yaml.safe_dump({"targets": [target("record", 2.0, 0.0), target("counted", -2.0, 1.0)]}),
    )
    scenario = load_scenario(tiny)
    targets = load_targets(path, scenario.actor_ids, scenario.start, scenario.end)
    with pytest.raises(InputError, match="none of these 1 targets has a positive weight"):
        weights(targets[:1])


@pytest.mark.parametrize(
    ("weights_given", "fragment"),
    [
        ((0.0, 0.0), "every target has weight 0; at least one must have a positive weight"),
        ((1.0, -0.5), "Input should be greater than or equal to 0"),
    ],
)
def test_a_file_needs_a_positive_weight_and_no_negative_one(
    runner: CliRunner,
    tiny: Path,
    write,
    tmp_path: Path,
    weights_given: tuple[float, float],
    fragment: str,
) -> None:
    path = write(
        "targets.yaml",
        yaml.safe_dump(
            {
                "targets": [
                    target("a", -2.0, weights_given[0]),
                    target("b", -2.0, weights_given[1]),
                ]
            }
        ),
    )
    out = tmp_path / "out"
    result = runner.invoke(
        cli,
        ["evidence", "audit", str(tiny), "--targets", str(path), "--draws", "2", "--out", str(out)],
    )
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1, result.stderr
    assert fragment in lines[0] and str(path) in lines[0]
    assert not out.exists()
