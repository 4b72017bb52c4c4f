"""alignsim: an agent-based simulator of diplomatic alignment and hedging among states.

Use it from Python as ``import sim as alignsim`` (README, "From Python"): `load_scenario`,
`run`, `sweep`, `calibrate`, `posterior`, `compare` and `landscape` return objects with
tables, figures and ``save``; `AlignmentModel` is the Mesa model itself. The package's
floors, bottom to top (README, "Architecture"): `sim.core` (the model's rules), `sim.io`
(files and tables), `sim.engine` (the two drivers), `sim.figures`, `sim.experiments`, then
`sim.api`, the teaching page `sim.page` and the command line `sim.cli`.

The names are imported on first use, so ``import sim`` itself loads nothing heavy.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.3.0"

#: Each public name and the module that defines it.
API = {
    "load_scenario": "sim.api",
    "run": "sim.api",
    "sweep": "sim.api",
    "calibrate": "sim.api",
    "posterior": "sim.api",
    "compare": "sim.api",
    "landscape": "sim.api",
    "AlignmentModel": "sim.engine.model",
    "Scenario": "sim.io.scenario",
    "InputError": "sim.core.errors",
}

__all__ = ["__version__", *API]


def __getattr__(name: str) -> Any:
    if name not in API:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    return getattr(importlib.import_module(API[name]), name)


def __dir__() -> list[str]:
    return sorted(__all__)
