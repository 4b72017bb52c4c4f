"""The teaching page's limits on scenarios, in a module of their own so that the command
line can show their defaults without importing the scenario machinery at start-up."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageLimits:
    """How large a scenario the page runs, and how far it looks for scenarios.

    Attributes:
        steps: most calendar steps of a scenario (a 10-year weekly calendar is 522).
        actors: most actors of a scenario.
        entries: most scenarios listed.
        depth: how many folder levels below the served folder are searched.
        file_bytes: largest scenario file read.
    """

    steps: int = 1500
    actors: int = 30
    entries: int = 100
    depth: int = 2
    file_bytes: int = 1_000_000
