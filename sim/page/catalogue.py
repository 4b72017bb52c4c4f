"""The scenarios a teaching page offers, chosen and loaded once, when the server starts.

A client of the page never names a file: it picks an entry of this catalogue, and the page
looks the entry up. The catalogue holds the scenarios of the served folder (the folder of
the scenario `alignsim serve` was given) and of its subfolders a few levels down, leaving
out hidden folders, virtual environments and package trees, and every file that does not
load as a scenario or is larger than the page's limits. The limits are checked from the
file's calendar and actor list before the scenario is built.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from sim.core.errors import InputError
from sim.io.scenario import Scenario, load_scenario, scenario_extent
from sim.page.limits import PageLimits

log = logging.getLogger("alignsim.page")

SKIPPED_FOLDERS = frozenset({"__pycache__", "node_modules", "site-packages", "outputs", "runs"})


@dataclass(frozen=True)
class Catalogue:
    """The scenarios a page offers, by their path relative to the served folder.

    Attributes:
        folder: the served folder.
        first: the entry the page starts with.
        scenarios: entry -> loaded scenario, in the menu's order.
        skipped: files left out, each with the reason.
    """

    folder: Path
    first: str
    scenarios: Mapping[str, Scenario]
    skipped: tuple[str, ...]

    @property
    def names(self) -> list[str]:
        """The entries, as the menu lists them."""
        return list(self.scenarios)


def is_environment(folder: Path) -> bool:
    """Whether a folder is a virtual environment or a package tree, not scenarios."""
    return (folder / "pyvenv.cfg").exists() or (folder / "conda-meta").is_dir()


def candidate_files(folder: Path, depth: int) -> Iterator[Path]:
    """`*.yaml` files of the folder and its ordinary subfolders to `depth` levels, sorted."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        log.warning("page: cannot list %s (%s)", folder, exc.strerror)
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_file(follow_symlinks=False) and entry.name.endswith((".yaml", ".yml")):
            yield Path(entry.path)
        elif entry.is_dir(follow_symlinks=False) and depth > 0:
            sub = Path(entry.path)
            if entry.name not in SKIPPED_FOLDERS and not is_environment(sub):
                yield from candidate_files(sub, depth - 1)


def check_extent(path: Path, limits: PageLimits) -> None:
    """Refuse a scenario file larger than the page's limits, before it is built.

    Raises:
        InputError: the file is too large, not a scenario, or beyond a limit.
    """
    try:
        info = path.stat()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the scenario ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path}: not a regular file; the page reads scenario files")
    size = info.st_size
    if size > limits.file_bytes:
        raise InputError(
            f"{path}: {size:,} bytes; the page reads scenario files of at most "
            f"{limits.file_bytes:,} bytes"
        )
    extent = scenario_extent(path)
    if extent.steps > limits.steps:
        raise InputError(
            f"{path}: {extent.steps:,} steps; the page runs at most {limits.steps:,} "
            f"(raise it with --max-steps)"
        )
    if extent.actors > limits.actors:
        raise InputError(
            f"{path}: {extent.actors} actors; the page runs at most {limits.actors} "
            f"(raise it with --max-actors)"
        )


def load_for_page(path: Path, limits: PageLimits, draw: int | None = None) -> Scenario:
    """Check a scenario against the page's limits, then load it (with posterior draw
    `draw` in place of the median where it reads a fit)."""
    check_extent(path, limits)
    scenario = load_scenario(path)
    if draw is None or scenario.parameters_from is None:
        return scenario
    return scenario.with_draw(draw)


def build_catalogue(first: Path, limits: PageLimits, draw: int | None = None) -> Catalogue:
    """The catalogue of the folder that holds `first`, which the page starts with; its
    scenarios that read a fit run with posterior draw `draw` when given.

    Raises:
        InputError: `first` does not load or is beyond the page's limits.
    """
    folder = first.resolve().parent
    name = first.resolve().relative_to(folder).as_posix()
    scenarios = {name: load_for_page(first, limits, draw)}
    skipped: list[str] = []
    for path in candidate_files(folder, limits.depth):
        entry = path.relative_to(folder).as_posix()
        if entry in scenarios:
            continue
        if len(scenarios) >= limits.entries:
            skipped.append(f"{entry}: more than {limits.entries} scenarios")
            continue
        try:
            scenarios[entry] = load_for_page(path, limits, draw)
        except (InputError, OSError) as exc:
            skipped.append(f"{entry}: {exc}")
    ordered = {k: scenarios[k] for k in sorted(scenarios)}
    for line in skipped:
        log.debug("page: left out %s", line)
    return Catalogue(folder, name, ordered, tuple(skipped))
