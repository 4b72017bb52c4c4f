"""Random streams of a batch of runs: one generator family per run, drawn in blocks.

Randomness policy (ARCHITECTURE.md): a run's numbers come only from its own seed, through
``SeedSequence(seed)``, which spawns two independent streams: one for the noise on
alignments, one for the agents' decisions. Each stream is drawn in blocks of steps (a
generator call per run per step would cost seconds over thousands of runs). Because each
stream draws one kind of number only, in order, the values a step receives do not depend
on the block size or on which other runs share the batch. No `random` module, no
``np.random`` globals.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Steps drawn per block.
BLOCK_STEPS = 64


class Streams:
    """The random draws of R runs, step by step.

    Args:
        seeds: one non-negative integer seed per run.
        n_actors: N, the number of actors.
        steps: K, the number of steps of a run (the last block holds only what is left).
        block: steps drawn per generator call.
    """

    def __init__(
        self, seeds: Sequence[int], n_actors: int, steps: int, block: int = BLOCK_STEPS
    ) -> None:
        pairs = [np.random.SeedSequence(int(s)).spawn(2) for s in seeds]
        self.noise = [np.random.Generator(np.random.PCG64(p[0])) for p in pairs]
        self.policy = [np.random.Generator(np.random.PCG64(p[1])) for p in pairs]
        self.n_actors = n_actors
        self.steps = steps
        self.block = block
        self._first = 0
        self._normal = np.empty((len(seeds), 0, n_actors, n_actors))
        self._uniform = np.empty((len(seeds), 0, 2, n_actors))

    def draws(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The draws of step k (1, 2, ... in order): normals [R, N, N], uniforms [R, 2, N]."""
        offset = k - 1 - self._first
        if not 0 <= offset < self._normal.shape[1]:
            self._refill(k - 1)
            offset = 0
        return self._normal[:, offset], self._uniform[:, offset]

    def _refill(self, first: int) -> None:
        n, runs = self.n_actors, len(self.noise)
        size = min(self.block, self.steps - first)
        self._first = first
        if self._normal.shape[1] != size:
            self._normal = np.empty((runs, size, n, n))
            self._uniform = np.empty((runs, size, 2, n))
        for r in range(runs):
            self.noise[r].standard_normal(out=self._normal[r])
            self.policy[r].random(out=self._uniform[r])
