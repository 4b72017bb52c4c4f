"""Limits on input, checked before anything large is built (README, "Bad input").

Each limit has a default; those a user may need to raise are read from an environment
variable when checked, so they apply to every command and to the Python API alike. A
message quotes a user's value through `excerpt`, never whole.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sim.core.errors import NUMBER_DIGITS, InputError, excerpt

#: Deepest nesting of a YAML file (a scenario needs four levels).
YAML_DEPTH = 64
#: Most aliases (``*name``) in a YAML file.
YAML_ALIASES = 100
#: Most values (scalars, lists, mappings) of a YAML document with its aliases expanded.
YAML_NODES = 1_000_000
#: Longest `extends` chain: a scenario and the bases below it.
EXTENDS_DEPTH = 32


@dataclass(frozen=True)
class Limit:
    """A limit with a default that an environment variable overrides.

    Attributes:
        what, unit: what is counted, for messages ("calendar of" 60,000 "steps").
        default: the limit without the variable.
        variable: the environment variable that sets another limit.
    """

    what: str
    unit: str
    default: int
    variable: str

    def value(self) -> int:
        """The limit in force: the environment variable's value, else the default.

        Raises:
            InputError: the variable is set to anything but a whole number ≥ 1.
        """
        text = os.environ.get(self.variable, "").strip()
        if not text:
            return self.default
        if not text.isdigit() or len(text) > NUMBER_DIGITS or int(text) < 1:
            raise InputError(f"{self.variable}={excerpt(text)}: expected a whole number ≥ 1")
        return int(text)

    def check(self, amount: int, place: str) -> None:
        """Raise InputError naming `place` if `amount` exceeds the limit."""
        limit = self.value()
        if amount > limit:
            raise InputError(
                f"{place}: {self.what} {amount:,} {self.unit} exceeds the limit of "
                f"{limit:,} {self.unit}; set {self.variable} to allow more"
            )


YAML_MB = Limit("a YAML file of", "MB", 4, "ALIGNSIM_MAX_YAML_MB")
FILE_MB = Limit("a file of", "MB", 256, "ALIGNSIM_MAX_FILE_MB")
STEPS = Limit("a calendar of", "steps", 50_000, "ALIGNSIM_MAX_STEPS")
#: A CSV copy of a run's alignment table: 5 million rows are about 400 MB of text, written
#: row by row; beyond, the Parquet file (row groups by date) is the table.
CSV_ROWS = Limit("a CSV alignment table of", "rows", 5_000_000, "ALIGNSIM_MAX_CSV_ROWS")
SWEEP_RUNS = Limit("a design of", "runs", 1_000_000, "ALIGNSIM_MAX_SWEEP_RUNS")
