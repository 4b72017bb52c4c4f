"""The example scenarios and calibration files ship inside the wheel as ``sim/examples/``
(`alignsim examples DIR` copies them out), mapped from the checkout's top-level
``scenarios/`` and ``calibration/``, which stay where the README's commands use them.
Everything else about the package is in pyproject.toml.
"""

from setuptools import find_namespace_packages, setup

EXAMPLES = {
    "sim.examples.scenarios": "scenarios",
    "sim.examples.scenarios.whatif": "scenarios/whatif",
    "sim.examples.calibration": "calibration",
}

PACKAGES = find_namespace_packages(include=["sim", "sim.*"], exclude=["*.__pycache__"])

setup(packages=[*PACKAGES, *EXAMPLES], package_dir=EXAMPLES)
