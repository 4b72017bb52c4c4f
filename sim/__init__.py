"""alignsim: an agent-based simulator of diplomatic alignment and hedging among states.

The package is laid out in floors (see the README, "Architecture"): pure kernels and
measures at the bottom (`params`, `events`, `dynamics`, `metrics`, `store`), scenario
loading and the agents' policy above them, then the two drivers (`model` for one
inspectable Mesa run, `ensemble` for many runs at once), and the command line on top.
"""

__version__ = "0.2.0"
