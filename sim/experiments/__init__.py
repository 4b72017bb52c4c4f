"""Work over many runs: calibration, experimental designs and sweeps, what-if comparisons,
influence, sensitivity, landscape blocs and the benchmark.
"""
