"""The ensemble engine: R runs of one scenario advanced at once, as arrays.

The same kernels as the Mesa model (`sim.core.dynamics`, `sim.core.policy`) with a leading
run axis, and the same step (`sim.engine.phases.step`): one call advances every run. Each
run has its own parameters and seed, and its result depends only on (scenario, parameters,
seed), never on which runs share its batch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.core.policy import decide
from sim.engine import phases


class Ensemble(phases.Runs):
    """R runs of a scenario, advanced together step by step; every agent of every run
    decides by the batched policy.

    Args:
        scenario: the scenario.
        seeds: one seed per run.
        varied: optional per-run parameter values over the scenario's (one mapping per run).
        record_actions: keep every agent action; batches that need only their number
            (sweeps, calibration) leave it off.

    Attributes:
        alignment, baseline: current state [R, N, N].
        k: index of the last completed step (0 before the first).
        actions: agent-initiated actions so far (when recorded).
        action_count: number of agent actions per run so far.
    """

    def decide(self, days: float, uniforms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every agent of every run decides at once, on the same state (`policy.decide`)."""
        agents = np.arange(len(self.scenario.actors))
        return decide(self.state, agents, self.actors.tolerance, days, uniforms)

    def step(self) -> None:
        """Advance every run by one step (`sim.engine.phases.step`, ODD.md §3)."""
        phases.step(self, self.decide)

    def run(self, keep: Sequence[int] | np.ndarray | None = None) -> np.ndarray:
        """Run to the last kept step; return the alignment at the kept steps.

        Args:
            keep: step indices to keep (0 = the start); every step when None.

        Returns:
            Alignment history [R, len(keep), N, N] (all K + 1 steps when `keep` is None).
        """
        kept = np.arange(self.steps + 1) if keep is None else np.asarray(keep, dtype=int)
        slot = {int(k): i for i, k in enumerate(kept)}
        history = np.empty((len(self.alignment), len(kept), *self.alignment.shape[1:]))
        if 0 in slot:
            history[:, slot[0]] = self.alignment
        while self.k < max(slot):
            self.step()
            if self.k in slot:
                history[:, slot[self.k]] = self.alignment
        return history
