"""Regenerate tests/golden/tiny.json after a deliberate change of the model's behaviour.

Run from the project root: `.venv/bin/python tests/golden/make_golden.py`, and say in the
commit message which change of the model made the trace move.
"""

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest import TINY

from sim.engine.model import run_model
from sim.io.scenario import load_scenario

STEPS = [0, 1, 10, 24, 40, 52]

with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "tiny.yaml"
    path.write_text(TINY)
    trajectory = run_model(load_scenario(path, {"activity": 12.0}), seed=3)
golden = {
    "scenario": "tests/conftest.py TINY with activity=12, seed 3",
    "steps": STEPS,
    "alignment": trajectory.alignment[STEPS].tolist(),
    "actions": [[a.step, a.source, a.target, a.kind] for a in trajectory.actions],
}
out = Path(__file__).with_name("tiny.json")
out.write_text(json.dumps(golden, indent=1) + "\n")
print(f"wrote {out}: {len(trajectory.actions)} actions")
