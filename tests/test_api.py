"""The Python API: names, cheap import, objects that save and load back what they hold.

Its examples run as doctests (`sim/api.py`, collected by `make test`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

import sim as alignsim
from sim.experiments.run import Run


def test_the_api_names_resolve_and_document_themselves() -> None:
    assert set(dir(alignsim)) >= {"run", "sweep", "compare", "landscape", "load_scenario"}
    for name in ("run", "sweep", "compare", "landscape", "load_scenario"):
        assert ">>> " in (getattr(alignsim, name).__doc__ or ""), name
    with pytest.raises(AttributeError, match="no attribute 'simulate'"):
        alignsim.simulate  # noqa: B018


def test_importing_the_package_loads_nothing_heavy() -> None:
    code = "import sys, sim; print(sorted({'mesa', 'pandas', 'matplotlib'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_run_has_real_dates_and_saves_what_it_holds(tiny: Path, tmp_path: Path) -> None:
    run = alignsim.run(tiny, seed=5, decay=0.02)
    for table in (run.alignment, run.metrics, run.events):
        assert pd.api.types.is_datetime64_any_dtype(table["date"])
    assert run.manifest["parameters"]["decay"] == 0.02 and run.manifest["seed"] == 5
    run.save(tmp_path / "r")
    back = Run.load(tmp_path / "r")
    for name in ("alignment", "metrics", "events"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(run, name))


def test_a_loaded_scenario_and_its_path_give_the_same_run(tiny: Path) -> None:
    scenario = alignsim.load_scenario(tiny, impulse=0.3)
    by_path = alignsim.run(tiny, seed=2, impulse=0.3)
    pd.testing.assert_frame_equal(alignsim.run(scenario, seed=2).alignment, by_path.alignment)


def test_bad_input_raises_one_clear_error(tiny: Path) -> None:
    with pytest.raises(alignsim.InputError, match="unknown parameter 'decai'"):
        alignsim.run(tiny, decai=1.0)
    with pytest.raises(alignsim.InputError, match="not a date"):
        alignsim.compare(tiny, tiny, at="soon")


def test_saving_over_a_users_folder_needs_force(tiny: Path, tmp_path: Path) -> None:
    run = alignsim.run(tiny, seed=1)
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    with pytest.raises(alignsim.InputError, match="force=True"):
        run.save(folder)
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    run.save(folder, force=True)
    assert (folder / "manifest.json").is_file() and not (folder / "notes.txt").exists()


def test_compare_answers_under_each_variant_from_python() -> None:
    """`alignsim.compare(..., models=[...])` adds the per-variant and averaged answers the
    command line's --models gives, from the comparison kept beside the baseline's fit."""
    result = alignsim.compare(
        ROOT / "scenarios" / "baseline.yaml",
        ROOT / "scenarios" / "whatif" / "us-summit-2026.yaml",
        metric="alignment_USA",
        at="2026-07-06",
        replicates=10,
        seed=1,
        models=["full", "null"],
    )
    assert result.models is not None
    assert list(result.models["model"]) == ["full", "null", "averaged"]
    assert (result.models["difference_mean"] > 0).all()
