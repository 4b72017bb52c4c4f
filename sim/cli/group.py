"""The command group: its error policy (one line, exit status 2) and its commands."""

from __future__ import annotations

import sys
from typing import Any

import click

from sim import __version__
from sim.cli import (
    calibration,
    evidence,
    examples,
    inputs,
    options,
    page,
    runs,
    sweeps,
    whatif,
)
from sim.core.errors import InputError
from sim.io.paths import describe_os_error


class AlignsimGroup(options.OptionsOnce):
    """A Click group that reports every usage or input error, and every failure of the
    operating system (naming the path), as one line, exit status 2."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except InputError as exc:
            click.echo(f"alignsim: error: {exc}", err=True)
            sys.exit(2)
        except OSError as exc:
            click.echo(f"alignsim: error: {describe_os_error(exc)}", err=True)
            sys.exit(2)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help() if exc.ctx else "alignsim --help")
            sys.exit(0)
        except click.ClickException as exc:
            click.echo(f"alignsim: error: {' '.join(exc.format_message().split())}", err=True)
            sys.exit(2 if exc.exit_code == 1 else exc.exit_code)
        except click.exceptions.Abort:
            click.echo("alignsim: aborted", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(
    cls=AlignsimGroup,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="alignsim")
def cli() -> None:
    """alignsim: simulate diplomatic alignment and hedging among states.

    \b
    A first session:
      alignsim validate scenarios/baseline.yaml
      alignsim run scenarios/baseline.yaml
      alignsim compare scenarios/baseline.yaml scenarios/whatif/us-summit-2026.yaml
    """


for module in (inputs, runs, calibration, evidence, sweeps, whatif, page, examples):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    """Entry point of the `alignsim` console script."""
    cli(prog_name="alignsim")
