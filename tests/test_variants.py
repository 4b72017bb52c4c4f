"""Model variants: one kernel, terms switched off exactly, chosen by --model or `model:`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sim.cli import cli
from sim.core import dynamics
from sim.core.errors import InputError
from sim.core.params import CALIBRATED
from sim.core.variants import VARIANTS, variant
from sim.engine.ensemble import Ensemble
from sim.io.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").rglob("*.yaml"))


@pytest.mark.parametrize("name", list(VARIANTS))
def test_every_variant_runs_every_scenario(name: str) -> None:
    for path in SCENARIOS:
        scenario = load_scenario(path, model=name)
        assert scenario.model == name
        assert all(scenario.parameters[k] == 0.0 for k in VARIANTS[name].off)
        history = Ensemble(scenario, [3], record_actions=False).run([len(scenario.dates) - 1])
        assert np.isfinite(history).all() and np.abs(history).max() <= 1.0, path.name


def test_the_agents_and_the_continuous_terms_are_off_exactly() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "two-patrons.yaml", model="null")
    engine = Ensemble(scenario, [1, 2])
    engine.run()
    assert engine.action_count.tolist() == [0, 0] and engine.actions == []
    coefficients = engine.rates_for(7.0)
    assert not coefficients.balance.any() and not coefficients.hedging.any()
    full = Ensemble(load_scenario(ROOT / "scenarios" / "two-patrons.yaml"), [1])
    full.run()
    assert full.action_count[0] > 0 and full.rates_for(7.0).hedging.any()


def test_without_spillover_and_jealousy_bystanders_do_not_move() -> None:
    """An event changes only its two participants' stances when both bystander terms are
    off; with them on, a bystander's stance toward the source moves."""
    rng = np.random.default_rng(0)
    A = rng.uniform(-0.9, 0.9, (1, 4, 4))
    np.fill_diagonal(A[0], 0.0)
    for name, moves in (("null", False), ("full", True)):
        params = {
            k: np.array([v])
            for k, v in variant(name)
            .apply(load_scenario(ROOT / "scenarios" / "two-patrons.yaml").parameters)
            .items()
        }
        state = dynamics.State(A.copy(), A.copy(), np.ones((1, 4)), params, np.ones(4))
        event = dynamics.Bilateral(
            np.array([0]),
            np.array([0]),
            np.array([1]),
            np.array([0.5]),
            np.array([False]),
            np.array([[False, False, True, True]]),
        )
        dynamics.apply_event(state, event)
        bystanders = state.alignment[0, 2:, 0]
        assert (not np.array_equal(bystanders, A[0, 2:, 0])) is moves, name


def test_a_scenario_names_its_variant_and_bad_names_are_located(
    runner: CliRunner, tmp_path: Path
) -> None:
    overlay = tmp_path / "null.yaml"
    overlay.write_text(f"extends: {ROOT / 'scenarios' / 'two-patrons.yaml'}\nmodel: null\n")
    assert load_scenario(overlay).model == "null"
    assert load_scenario(overlay, model="null").parameters["activity"] == 0.0
    switched_on = load_scenario(overlay).with_model("no-balance")  # comes back as it was
    assert (
        switched_on.parameters["activity"]
        == load_scenario(overlay, model="full").parameters["activity"]
        > 0
    )
    overlay.write_text(f"extends: {ROOT / 'scenarios' / 'two-patrons.yaml'}\nmodel: nul\n")
    result = runner.invoke(cli, ["validate", str(overlay)])
    assert result.exit_code == 2
    assert "null.yaml line 2, field model" in result.stderr and "choose from full" in result.stderr


def test_a_scenario_runs_the_model_its_fit_was_fitted_as(tiny: Path, write, runner) -> None:
    """Without a `model:` of its own, a scenario takes its fit's (so the baseline runs the
    variant calibrate fitted); its own `model:` and `--model` come first."""
    write("fitted.yaml", "parameters: {impulse: 0.5}\nmodel: null+spillover+agents\n")
    tiny.write_text(tiny.read_text() + "parameters_from: fitted.yaml\n")
    for fit in (True, False):  # a calibration refits the same variant
        scenario = load_scenario(tiny, fit=fit)
        assert scenario.model == "null+spillover+agents"
        assert scenario.parameters["balance"] == 0.0 and scenario.parameters["activity"] > 0
    assert load_scenario(tiny, model="full").parameters["balance"] > 0
    tiny.write_text(tiny.read_text() + "model: null\n")
    assert load_scenario(tiny).model == "null"
    write("fitted.yaml", "parameters: {impulse: 0.5}\nmodel: nul\n")
    tiny.write_text(tiny.read_text().replace("model: null\n", ""))
    result = runner.invoke(cli, ["validate", str(tiny)])
    assert result.exit_code == 2 and "fitted.yaml: model 'nul'" in result.stderr


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["run", "--model", "no-balance", "--set", "balance=0.01"], "fixes balance at 0"),
        (["run", "--model", "nope"], "unknown model variant"),
        (["sweep", "--model", "null", "--vary", "jealousy=0,0.1"], "--vary jealousy"),
        (["calibrate", "--model", "no-hedging", "--params", "hedging_rate"], "--params"),
    ],
)
def test_a_setting_the_variant_fixes_is_refused(
    runner: CliRunner, tmp_path: Path, args: list[str], fragment: str
) -> None:
    command, *rest = args
    result = runner.invoke(
        cli,
        [command, str(ROOT / "scenarios" / "baseline.yaml"), *rest, "--out", str(tmp_path / "o")],
    )
    assert result.exit_code == 2 and fragment in result.stderr, result.stderr
    assert not (tmp_path / "o").exists()


def test_params_lists_a_variants_free_parameters(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["params", "--model", "null"])
    assert result.exit_code == 0
    listed = {line.split()[0] for line in result.output.splitlines() if " default " in line}
    assert "balance" not in listed and "impulse" in listed
    free = variant("null").free(CALIBRATED)
    assert f"fitted by `calibrate`: {', '.join(free)}" in result.output


def test_the_library_refuses_to_switch_a_mechanism_back_on(tmp_path: Path) -> None:
    """Not only the command line: a sweep, a fit or any batch through the kernels."""
    import sim as alignsim

    overlay = tmp_path / "nj.yaml"
    overlay.write_text(f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\nmodel: no-jealousy\n")
    with pytest.raises(InputError, match="fixes jealousy at 0"):
        alignsim.sweep(overlay, {"jealousy": [0.0, 0.4]}, tmp_path / "s", replicates=1)
    assert not (tmp_path / "s").exists()
    with pytest.raises(InputError, match="fixes jealousy at 0"):
        alignsim.calibrate(overlay, params=["impulse", "jealousy"], budget=100)
    with pytest.raises(InputError, match="fixes jealousy at 0"):
        Ensemble(load_scenario(overlay), [1], [{"jealousy": 0.3}])
    fit = alignsim.calibrate(overlay, budget=96, replicates=1, seed=1)
    assert "jealousy" not in fit.fit.best
    null = alignsim.compare(overlay, overlay, replicates=2, seed=1, model="null")
    assert null.manifest["base"]["model"] == "null"
