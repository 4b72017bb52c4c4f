"""Random streams of a batch of runs: one generator family per run, drawn in blocks.

Randomness policy (README, "Architecture"; ODD.md §4.9): a run's numbers come only from its
own seed, through ``SeedSequence(seed)``, which spawns two independent streams (SFC64
generators, about a fifth faster at normal draws than PCG64 here): one for the noise on
alignments (one normal per directed pair and step), one for the agents' decisions. Each
stream is drawn in blocks of steps (a generator call per run per step would cost seconds
over thousands of runs). Because each stream draws one kind of number only, in order, the
values a step receives do not depend on the block size or on which other runs share the
batch. The decision stream is drawn only from the first step in which agents may act (a
property of the scenario, the same for every driver). No `random` module, no ``np.random``
globals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

#: Most steps drawn per block.
BLOCK_STEPS = 64

#: Most bytes of a stream's step-major block (its buffer of draws as generated is at most as
#: large), so a stream holds at most twice this; large scenarios draw fewer steps at once.
BLOCK_BYTES = 64 * 2**20


def spawn_seeds(seed: int, count: int, dtype: type = np.uint32) -> list[int]:
    """`count` run seeds spawned from one seed (``SeedSequence.generate_state``), fixed before
    any work starts, so a run's seed never depends on how the runs are scheduled."""
    return [int(s) for s in np.random.SeedSequence(seed).generate_state(count, dtype=dtype)]


def substream(seed: int, key: int) -> np.random.SeedSequence:
    """The `key`-th child of the seed's sequence (as ``SeedSequence(seed).spawn`` makes
    them): a stream independent of the run seeds `spawn_seeds` draws from the root."""
    return np.random.SeedSequence(seed, spawn_key=(key,))


def off_diagonal(M: np.ndarray) -> np.ndarray:
    """A writable view [..., N − 1, N] of the off-diagonal cells of matrices [..., N, N].

    In row-major order the N(N − 1) off-diagonal cells are the N − 1 runs of N cells
    between consecutive diagonal cells, so they form a strided view (no copy).
    """
    *lead, n, _ = M.shape
    flat = M.reshape(*lead, n * n)[..., 1:]
    return flat.reshape(*lead, n - 1, n + 1)[..., :n]


class Stream:
    """One kind of draw for R runs, step by step from `first` to `last`, in blocks.

    Each generator fills its run's block (generators need contiguous output); the block is
    then laid out step-major, so that a step's draws for all runs are one contiguous array.
    Both buffers are allocated once and reused: fresh ones every block cost more in page
    faults than the copy itself.

    Args:
        generators: one generator per run.
        shape: the draws of one step of one run.
        normal: standard normal draws if true, else uniform on [0, 1).
        first, last: the steps (1-based, inclusive) the stream serves.
        block: most steps drawn per generator call (fewer when a block would pass
            `BLOCK_BYTES`; the values do not depend on it).
        pairs: `shape` is (N, N) and only its N(N − 1) off-diagonal cells (the directed
            pairs) are drawn, in row-major order; the diagonal is 0.
    """

    def __init__(
        self,
        generators: list[np.random.Generator],
        shape: tuple[int, ...],
        normal: bool,
        first: int,
        last: int,
        block: int = BLOCK_STEPS,
        pairs: bool = False,
    ) -> None:
        self.generators = generators
        self.normal = normal
        self.last = last
        self.pairs = pairs
        cells = (shape[0] - 1, shape[0]) if pairs else shape
        per_step = len(generators) * math.prod(shape) * np.dtype(float).itemsize
        block = max(1, min(block, last - first + 1, BLOCK_BYTES // max(per_step, 1)))
        self.drawn = np.empty((len(generators), block, *cells))
        self.steps = np.zeros((block, len(generators), *shape))
        self.start = first
        self.size = 0

    def at(self, k: int) -> np.ndarray:
        """The draws of step k, [R, *shape], contiguous (steps must be asked for in order)."""
        offset = k - self.start
        if not 0 <= offset < self.size:
            self.refill(k)
            offset = 0
        return self.steps[offset]

    def refill(self, k: int) -> None:
        """Draw the block of steps that begins at step k."""
        self.start, self.size = k, min(len(self.steps), self.last - k + 1)
        drawn = self.drawn[:, : self.size]
        for generator, out in zip(self.generators, drawn, strict=True):
            if self.normal:
                generator.standard_normal(out=out)
            else:
                generator.random(out=out)
        steps = self.steps[: self.size]
        np.copyto(off_diagonal(steps) if self.pairs else steps, drawn.swapaxes(0, 1))


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
        noise = [np.random.Generator(np.random.SFC64(p[0])) for p in pairs]
        policy = [np.random.Generator(np.random.SFC64(p[1])) for p in pairs]
        self.noise = Stream(noise, (n_actors, n_actors), True, 1, steps, pairs=True)
        self.decisions = Stream(policy, (2, n_actors), False, decisions_from, steps)
        self.decisions_from = decisions_from

    def draws(self, k: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Step k's normals [R, N, N] (0 on the diagonal) and uniforms [R, 2, N] (None before
        agents may act)."""
        uniforms = self.decisions.at(k) if k >= self.decisions_from else None
        return self.noise.at(k), uniforms
