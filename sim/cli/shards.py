"""Sweeps in shards: the `sweep` group (``alignsim sweep SCENARIO ...`` runs a sweep, as
before; ``alignsim sweep assemble DIR`` joins a sharded one), and the ``--shard`` option."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from sim.cli import options

if TYPE_CHECKING:
    from sim.experiments.shard import Shard, ShardRun


class DefaultFirst(options.OptionsOnce):
    """A group that hands its arguments to its first command when the first of them names
    none of its commands: ``alignsim sweep SCENARIO ...`` is ``alignsim sweep run
    SCENARIO ...``, and ``alignsim sweep --vary ... SCENARIO`` too."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse as Click does, the first command's name put in front when none is given."""
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [next(iter(self.commands)), *args]
        return super().parse_args(ctx, args)


def parse_shard(ctx: click.Context, param: click.Parameter, value: str | None) -> Shard | None:
    """The ``--shard I/N`` option's shard (checked), or None."""
    from sim.experiments.shard import Shard

    return None if value is None else Shard.parse(value)


shard_option = click.option(
    "--shard",
    callback=parse_shard,
    metavar="I/N",
    help="Run only shard I of N (I from 0 to N-1, e.g. $SLURM_ARRAY_TASK_ID/3) into the "
    "shared --out folder; join the shards with `alignsim sweep assemble DIR`.",
)


def run_shard(*args: Any) -> None:
    """Run one shard (`sim.experiments.shard.run_shard`'s arguments) and say what it did."""
    from sim.experiments.shard import run_shard as run

    done: ShardRun = run(*args)
    click.echo(
        f"shard {done.shard}: {done.chunks} chunks, {done.runs} runs; ran {done.ran} now in "
        f"{done.seconds:.1f} s"
    )
    click.echo(f"when every shard is done: alignsim sweep assemble {done.folder}")


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), metavar="DIR")
def assemble(folder: Path) -> None:
    """Join the shards of a sweep in DIR (every one finished) into results.parquet and
    envelopes.parquet, the same bytes as one unsharded sweep's.

    \b
    Example (after `alignsim sweep ... --shard I/3 --out runs/sweep` for I = 0, 1, 2):
      alignsim sweep assemble runs/sweep
    """
    from sim.experiments.shard import assemble_shards

    done = assemble_shards(folder)
    plan = done.plan
    click.echo(
        f"assembled {len(plan['chunks'])} chunks, {sum(c['runs'] for c in plan['chunks'])} "
        f"runs: {folder}/results.parquet, envelopes: {folder}/envelopes.parquet"
    )


def sweep_group(run: click.Command) -> click.Group:
    """The `sweep` group: `run` (the default) and `assemble`."""

    @click.group(cls=DefaultFirst, commands=[run, assemble])
    def sweep() -> None:
        """Run SCENARIO over a design of parameter values, in resumable chunks, on one
        machine or in shards; join shards with `assemble`.

        \b
        `alignsim sweep SCENARIO ...` is short for `alignsim sweep run SCENARIO ...`:
          alignsim sweep scenarios/baseline.yaml --vary jealousy=0:0.6:4 --out runs/sweep
          alignsim sweep run --help          (every option)
          alignsim sweep assemble runs/sweep (after --shard I/N runs)
        """

    return sweep
