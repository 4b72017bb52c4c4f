"""The package's floors import only downward (README, "Architecture").

Every `import` and `from … import` in every module of `sim` is read from its syntax tree,
including imports inside functions and under `TYPE_CHECKING`: a layer that needs a floor
above it has the wrong shape, wherever the import is written.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parents[1] / "sim"

# Bottom to top; modules of one floor may import each other. The package's `__init__`
# (which re-exports the API lazily) and `__main__` (which starts the command line) stand
# outside the floors.
FLOORS = ("core", "io", "engine", "figures", "experiments", "api", "page", "cli")


def floor_of(module: str) -> int | None:
    """The floor of a `sim.…` module name, or None for the package root."""
    parts = module.split(".")
    if parts[0] != "sim" or len(parts) == 1:
        return None
    return FLOORS.index(parts[1]) if parts[1] in FLOORS else -1


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import of a `sim` module in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            found.append((node.lineno, "sim.<relative import>"))
        elif isinstance(node, ast.ImportFrom) and node.module == "sim":
            # the package root re-exports the API: importing from it is importing the API
            found += [(node.lineno, "sim.api") for a in node.names if a.name != "__version__"]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            module = next((n for n in reversed(names) if floor_of(n) not in (None, -1)), "")
            found.append((node.lineno, module or node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
    return [(line, m) for line, m in found if m == "sim" or m.startswith("sim.")]


def modules() -> list[Path]:
    return sorted(
        p
        for p in SIM.rglob("*.py")
        if p.parent != SIM or p.name not in ("__init__.py", "__main__.py")
    )


def upward_imports() -> list[str]:
    """Every import that reaches a floor above the importing module's, as text."""
    wrong = []
    for path in modules():
        relative = path.relative_to(SIM.parent).with_suffix("")
        own = floor_of(".".join(relative.parts))
        for line, module in imports_of(path):
            floor = floor_of(module)
            if own is None or floor is None:
                continue
            if floor == -1 or own == -1:
                wrong.append(f"{relative}:{line} imports {module} (not on any floor)")
            elif floor > own:
                wrong.append(f"{relative}:{line} imports {module}, a floor above")
    return wrong


def test_every_module_is_on_a_floor() -> None:
    strays = [
        str(p.relative_to(SIM))
        for p in modules()
        if p.relative_to(SIM).with_suffix("").parts[0] not in FLOORS
    ]
    assert strays == []


def test_imports_run_only_downward() -> None:
    assert upward_imports() == []


def test_the_rule_catches_an_upward_import(tmp_path: Path) -> None:
    """The check itself can fail: a core module importing the figures is reported, and so
    are a relative import and an import of the API through the package root."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "def f():\n    from sim.figures.runs import RunView\n"
        "from . import x\nfrom sim import run, __version__\n"
    )
    assert sorted(imports_of(bad)) == [
        (2, "sim.figures.runs.RunView"),
        (3, "sim.<relative import>"),
        (4, "sim.api"),
    ]
    assert floor_of("sim.figures.runs.RunView") > floor_of("sim.core.metrics")  # type: ignore[operator]


@pytest.mark.parametrize("module", ["sim.core.params", "sim.io.files", "sim.engine.results"])
def test_reading_tables_and_parameters_does_not_import_mesa(module: str) -> None:
    """Reading a table or the registry loads neither Mesa nor matplotlib."""
    heavy = "('mesa', 'matplotlib')"
    code = f"import sys, {module}; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
