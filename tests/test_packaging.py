"""The package stands alone: its examples copy out and run from any folder, the teaching
page's packages are an extra, the version is written once, the floors CI tests are the
declared ones. (The built wheel's and sdist's contents are checked by .ci/check_dist.py.)
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import run
from packaging.requirements import Requirement
from packaging.version import Version

import sim
import sim.cli
from sim.io.examples import FOLDERS, examples_home

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

#: Modules only `alignsim serve` imports, after checking the classroom extra is installed.
PAGE_SERVER = {"sim.page.app", "sim.page.server", "sim.page.guard"}


def declared_floors() -> dict[str, Version]:
    """Each dependency's declared lower bound (the core and the classroom extra)."""
    extras = PYPROJECT["project"]["optional-dependencies"]
    floors = {}
    for text in [*PYPROJECT["project"]["dependencies"], *extras["classroom"]]:
        req = Requirement(text)
        lows = [Version(s.version) for s in req.specifier if s.operator == ">="]
        if lows:
            floors[req.name.lower()] = max(lows)
    return floors


def pinned_floors() -> dict[str, Version]:
    """The pins of .ci/floors.txt."""
    pins = {}
    for line in (ROOT / ".ci" / "floors.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.strip().lower()] = Version(version)
    return pins


def test_floors_file_pins_every_declared_floor_and_nothing_else() -> None:
    assert pinned_floors() == declared_floors()


def test_plain_install_leaves_solara_to_the_classroom_extra() -> None:
    core = [Requirement(t) for t in PYPROJECT["project"]["dependencies"]]
    names = {r.name.lower() for r in core}
    assert not names & {"solara", "solara-assets", "ipyvuetify"}
    assert all(not r.extras for r in core if r.name.lower() == "mesa")
    dev = [Requirement(t) for t in PYPROJECT["project"]["optional-dependencies"]["dev"]]
    assert any(r.name == "alignsim" and "classroom" in r.extras for r in dev)


def test_importing_the_package_imports_no_page_library() -> None:
    names = [
        m.name
        for m in pkgutil.walk_packages(sim.__path__, "sim.")
        if m.name not in PAGE_SERVER and not m.name.startswith("sim.examples")
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'solara', 'ipyvuetify', 'starlette', 'reacton'}))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert len(names) > 50
    assert found.stdout.strip() == "[]"


def test_serve_without_the_classroom_extra_is_one_line_naming_it(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sim.cli import page
    from sim.page import server

    def refuse(*args: object) -> None:
        raise AssertionError("serve went on without the classroom extra")

    monkeypatch.setattr(server, "system_allocator_in_use", lambda: True)
    monkeypatch.setattr(server, "serve", refuse)
    real = importlib.util.find_spec
    monkeypatch.setattr(
        page.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "solara" else real(name, *a),
    )
    code, lines = run(runner, "serve")
    assert code == 2
    assert len(lines) == 1 and "solara" in lines[0], lines
    assert "pip install 'alignsim[classroom]'" in lines[0]


def test_version_is_written_once() -> None:
    assert "version" not in PYPROJECT["project"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "sim.__version__"}
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert str(citation["version"]) == sim.__version__
    odd = (ROOT / "ODD.md").read_text(encoding="utf-8")
    assert f"(version {sim.__version__})" in odd.split("\n\n")[1]
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    released = re.findall(r"^## \[(\d[^\]]*)\] - (\d{4}-\d\d-\d\d)$", changelog, re.M)
    assert released[0] == (sim.__version__, str(citation["date-released"]))


def test_examples_copy_out_and_are_not_overwritten(runner: CliRunner, tmp_path: Path) -> None:
    code, lines = run(runner, "examples", str(tmp_path))
    assert code == 0, lines
    for name in FOLDERS:
        shipped = sorted(
            p.relative_to(examples_home() / name)
            for p in (examples_home() / name).rglob("*.*")
            if "__pycache__" not in p.parts
        )
        copied = sorted(p.relative_to(tmp_path / name) for p in (tmp_path / name).rglob("*.*"))
        assert copied == shipped and len(copied) >= 10
    fitted = tmp_path / "calibration" / "fitted.yaml"
    fitted.write_text("mine", encoding="utf-8")
    code, lines = run(runner, "examples", str(tmp_path))
    assert code == 2 and len(lines) == 1 and "--force" in lines[0], lines
    assert fitted.read_text(encoding="utf-8") == "mine"
    code, lines = run(runner, "examples", str(tmp_path), "--force")
    assert code == 0, lines
    assert fitted.read_text(encoding="utf-8") != "mine"


def test_the_copied_baseline_runs_from_an_empty_folder(tmp_path: Path) -> None:
    examples, work = tmp_path / "examples", tmp_path / "empty"
    work.mkdir()
    alignsim = [sys.executable, "-m", "sim"]
    env = {"PYTHONPATH": str(ROOT), "PATH": ""}
    subprocess.run([*alignsim, "examples", str(examples)], check=True, cwd=work, env=env)
    done = subprocess.run(
        [*alignsim, "run", str(examples / "scenarios" / "baseline.yaml"), "--out", "out"],
        capture_output=True,
        text=True,
        cwd=work,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert (work / "out" / "alignment.parquet").is_file()


def test_defaults_resolve_against_the_package_not_the_current_folder(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sim.io.examples import example_scenario
    from sim.io.scenario import load_scenario

    monkeypatch.chdir(tmp_path)
    for name in ("baseline.yaml", "two-patrons.yaml"):
        assert example_scenario(name).is_absolute() and example_scenario(name).is_file()
    baseline = load_scenario(example_scenario("baseline.yaml"))
    assert baseline.parameters_from is not None
    assert baseline.parameters_from.resolve() == examples_home() / "calibration" / "fitted.yaml"
    result = runner.invoke(sim.cli.cli, ["bench", "--runs", "2", "--mesa-runs", "1"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{baseline.name}: 6 actors")
    assert not any(tmp_path.iterdir())
