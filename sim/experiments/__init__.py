"""Work with runs, as objects: one run, calibration and its targets, experimental designs
and sweeps, what-if comparisons, influence, sensitivity, landscapes, the benchmark, and
adapters for EMA Workbench and SALib.
"""
