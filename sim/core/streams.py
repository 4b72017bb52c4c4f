"""Random streams of a batch of runs: one generator family per run, drawn in blocks.

Randomness policy (ARCHITECTURE.md): a run's numbers come only from its own seed, through
``SeedSequence(seed)``, which spawns two independent streams: one for the noise on
alignments, one for the agents' decisions. Each stream is drawn in blocks of steps (a
generator call per run per step would cost seconds over thousands of runs). Because each
stream draws one kind of number only, in order, the values a step receives do not depend
on the block size or on which other runs share the batch. The decision stream is drawn
only from the first step in which agents may act (a property of the scenario, the same for
every driver). No `random` module, no ``np.random`` globals.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Steps drawn per block.
BLOCK_STEPS = 64


def spawn_seeds(seed: int, count: int, dtype: type = np.uint32) -> list[int]:
    """`count` run seeds spawned from one seed (``SeedSequence.generate_state``), fixed before
    any work starts, so a run's seed never depends on how the runs are scheduled."""
    return [int(s) for s in np.random.SeedSequence(seed).generate_state(count, dtype=dtype)]


class Stream:
    """One kind of draw for R runs, step by step from `first` to `last`, in blocks.

    Args:
        generators: one generator per run.
        shape: the draws of one step of one run.
        normal: standard normal draws if true, else uniform on [0, 1).
        first, last: the steps (1-based, inclusive) the stream serves.
        block: steps drawn per generator call.
    """

    def __init__(
        self,
        generators: list[np.random.Generator],
        shape: tuple[int, ...],
        normal: bool,
        first: int,
        last: int,
        block: int = BLOCK_STEPS,
    ) -> None:
        self.generators = generators
        self.shape = shape
        self.normal = normal
        self.last = last
        self.block = block
        self.start = first
        self.buffer = np.empty((len(generators), 0, *shape))

    def at(self, k: int) -> np.ndarray:
        """The draws of step k, [R, *shape] (steps must be asked for in order)."""
        offset = k - self.start
        if not 0 <= offset < self.buffer.shape[1]:
            self.refill(k)
            offset = 0
        return self.buffer[:, offset]

    def refill(self, k: int) -> None:
        """Draw the block of steps that begins at step k."""
        size = min(self.block, self.last - k + 1)
        self.start = k
        if self.buffer.shape[1] != size:
            self.buffer = np.empty((len(self.generators), size, *self.shape))
        for generator, out in zip(self.generators, self.buffer, strict=True):
            if self.normal:
                generator.standard_normal(out=out)
            else:
                generator.random(out=out)


class Streams:
    """The random draws of R runs: noise every step, decisions from `decisions_from` on.

    Args:
        seeds: one non-negative integer seed per run.
        n_actors: N, the number of actors.
        steps: K, the number of steps of a run (the last block holds only what is left).
        decisions_from: the first step in which agents may act.
    """

    def __init__(
        self, seeds: Sequence[int], n_actors: int, steps: int, decisions_from: int = 1
    ) -> None:
        pairs = [np.random.SeedSequence(int(s)).spawn(2) for s in seeds]
        noise = [np.random.Generator(np.random.PCG64(p[0])) for p in pairs]
        policy = [np.random.Generator(np.random.PCG64(p[1])) for p in pairs]
        self.noise = Stream(noise, (n_actors, n_actors), True, 1, steps)
        self.decisions = Stream(policy, (2, n_actors), False, decisions_from, steps)
        self.decisions_from = decisions_from

    def draws(self, k: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Step k's normals [R, N, N] and uniforms [R, 2, N] (None before agents may act)."""
        uniforms = self.decisions.at(k) if k >= self.decisions_from else None
        return self.noise.at(k), uniforms
