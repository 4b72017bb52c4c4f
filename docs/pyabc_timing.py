"""Time pyabc's ABC-SMC on the baseline: milliseconds per model run, against a bank's batch.

README, "Calibration: a posterior" (why alignsim runs its ABC on banks of batched runs, not
through pyabc). pyabc is not a dependency; from the repository, in a separate environment:

    python -m venv /tmp/pyabcenv && /tmp/pyabcenv/bin/pip install pyabc -e .
    /tmp/pyabcenv/bin/python docs/pyabc_timing.py
"""

import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pyabc

from sim.core.params import CALIBRATED, REGISTRY
from sim.experiments.bank import Prior, simulate_bank
from sim.experiments.calibrate import evaluate
from sim.experiments.targets import load_targets
from sim.io.scenario import load_scenario

scenario = load_scenario(Path("scenarios/baseline.yaml"))
targets = load_targets(
    Path("calibration/targets.yaml"), scenario.actor_ids, scenario.start, scenario.end
)
seeds = np.random.default_rng(0)
calls = [0]


def model(parameters: dict) -> dict:
    """One run of one parameter vector, as pyabc calls it; its distance is the loss."""
    calls[0] += 1
    loss, _ = evaluate(scenario, targets, [dict(parameters)], [int(seeds.integers(2**31))])
    return {"d": float(loss[0])}


prior = pyabc.Distribution(
    **{
        n: pyabc.RV("uniform", REGISTRY[n].low, REGISTRY[n].high - REGISTRY[n].low)
        for n in CALIBRATED
    }
)
abc = pyabc.ABCSMC(
    model,
    prior,
    lambda x, y: x["d"],
    population_size=200,
    sampler=pyabc.sampler.SingleCoreSampler(),
)
abc.new("sqlite:///" + os.path.join(tempfile.mkdtemp(), "abc.db"), {"d": 0.0})
began = time.perf_counter()
abc.run(max_nr_populations=3)
per_call = (time.perf_counter() - began) / calls[0]
began = time.perf_counter()
simulate_bank(scenario, targets, Prior.about_defaults(CALIBRATED), 4000, 1)
per_run = (time.perf_counter() - began) / 4000
print(
    f"pyabc {pyabc.__version__} ABC-SMC: {calls[0]} runs, {1000 * per_call:.1f} ms a run; "
    f"a bank's batch: {1000 * per_run:.2f} ms a run; ratio {per_call / per_run:.0f}x"
)
