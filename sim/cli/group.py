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
        except Interrupted as exc:
            click.echo(f"alignsim: interrupted; {exc}", err=True)
            sys.exit(INTERRUPTED)
        except click.exceptions.Abort:
            click.echo("alignsim: interrupted", err=True)
            sys.exit(INTERRUPTED)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; Ctrl-C (SIGINT) becomes `Interrupted`, saying how to go on."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise Interrupted(how_to_resume(ctx)) from None


#: The exit status of a command stopped by Ctrl-C (128 + SIGINT, as shells report it).
INTERRUPTED = 130

#: What a command stopped by Ctrl-C leaves, and how to go on, by command name.
RESUME = {
    "sweep": "the chunks finished so far are kept: run the same command with --resume "
    "(and the same --out) to finish the sweep",
    "sensitivity": "nothing was written; run the same command again",
    "serve": "the page server has stopped",
}


def how_to_resume(ctx: click.Context) -> str:
    """What an interrupted command leaves behind and how to go on."""
    name = ctx.invoked_subcommand or ""
    return RESUME.get(
        name,
        "nothing was written (outputs appear whole or not at all, an earlier result is "
        "left as it was); run the same command again",
    )


class Interrupted(Exception):
    """The command was stopped by Ctrl-C; the message says how to resume."""


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
options.with_logging(cli)


def main() -> None:
    """Entry point of the `alignsim` console script."""
    cli(prog_name="alignsim")
