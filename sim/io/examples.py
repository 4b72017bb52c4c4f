"""The example scenarios and calibration files that come with the package.

An installed wheel holds them as ``sim/examples/scenarios/`` and ``sim/examples/calibration/``
(mapped from the checkout's top-level folders by setup.py); a checkout or an editable install
uses those top-level folders themselves. Either way the two folders sit side by side, so a
scenario's ``parameters_from: ../calibration/fitted.yaml`` resolves against its own folder,
wherever the command runs from. `copy_examples` is `alignsim examples DIR`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sim.core.errors import InputError
from sim.io.files import atomic_folder

#: The folders of examples, copied out side by side.
FOLDERS = ("scenarios", "calibration")


def examples_home() -> Path:
    """The folder holding ``scenarios/`` and ``calibration/``: the package's ``examples``
    in an installed wheel, the checkout's top folder otherwise."""
    package = Path(__file__).resolve().parent.parent
    shipped = package / "examples"
    return shipped if shipped.is_dir() else package.parent


def example_scenario(name: str) -> Path:
    """The path of the example scenario `name` (e.g. ``baseline.yaml``)."""
    return examples_home() / "scenarios" / name


def copy_examples(folder: Path, force: bool) -> list[Path]:
    """Copy the example folders into `folder`; the folders written.

    Raises:
        InputError: one of them exists in `folder` and `force` is not set (before anything
            is written).
    """
    targets = [folder / name for name in FOLDERS]
    taken = next((t for t in targets if t.exists() or t.is_symlink()), None)
    if taken is not None and not force:
        raise InputError(f"{taken}: already exists; use --force to replace it")
    home = examples_home()
    skip = shutil.ignore_patterns("__pycache__", "__init__.py")
    for name, target in zip(FOLDERS, targets, strict=True):
        with atomic_folder(target) as work:
            shutil.copytree(home / name, work, ignore=skip, dirs_exist_ok=True)
    return targets
