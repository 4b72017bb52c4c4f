"""The `alignsim` command line: one module per group of commands over the library.

Each command checks its input, calls one function of the package and formats the result
as text; the options several commands share are defined once, in `sim.cli.options`.
"""

from sim.cli.group import cli, main

__all__ = ["cli", "main"]
