"""The options several commands share, each defined once: its name, type, range, default
and help. Parsing that needs the package (parameter names, formats) happens in callbacks,
so a command receives checked values.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from sim.core.errors import InputError
from sim.io.limits import NUMBER_DIGITS, excerpt

F = TypeVar("F", bound=Callable[..., Any])
FORMATS = ("png", "svg", "pdf")


class Whole(click.IntRange):
    """A whole-number range that refuses text of more than `NUMBER_DIGITS` digits before
    converting it, and quotes only an excerpt of what it refuses."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Convert as `click.IntRange` does, once the text is short enough to be a number."""
        if isinstance(value, str) and len(value.strip()) > NUMBER_DIGITS:
            self.fail(f"{excerpt(value)} is not a whole number of at most {NUMBER_DIGITS} digits")
        return super().convert(value, param, ctx)


SEED_RANGE = Whole(0, 2**63 - 1)


class OptionsOnce(click.Group):
    """A group whose commands refuse an option given twice that takes one value (the last
    would otherwise win silently): ``--seed 1 --seed 2``, ``--force --force``."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Resolve the command as Click does, then check its options are each given once."""
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and not isinstance(command, click.Group):
            refuse_repeats(command, click.Context(command, info_name=name, parent=ctx), rest)
        return name, command, rest


def refuse_repeats(command: click.Command, ctx: click.Context, args: list[str]) -> None:
    """Raise InputError if `args` give a single-valued option of `command` twice."""
    _, _, order = command.make_parser(ctx).parse_args(list(args))
    seen: set[str] = set()
    for param in order:
        if isinstance(param, click.Option) and not (param.multiple or param.count):
            if param.name in seen:
                raise InputError(f"{param.opts[0]}: given twice; give it once")
            seen.add(param.name or "")


def compose(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """Several Click decorators as one, applied in the order written."""

    def apply(func: F) -> F:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


def parse_sets(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict:
    """`--set name=value` options, validated against the registry; a name given twice is
    refused rather than silently taking the last value."""
    from sim.core import params

    parsed: dict[str, float] = {}
    for text in values:
        name, sep, value = text.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InputError(f"--set {excerpt(text)}: expected name=value, e.g. --set decay=0.01")
        if name in parsed:
            raise InputError(f"--set {excerpt(name)}: given twice; give each parameter once")
        if len(value.strip()) > NUMBER_DIGITS:
            raise InputError(
                f"--set {excerpt(text)}: not a number of at most {NUMBER_DIGITS} characters"
            )
        parsed[name] = params.check_value(name, value.strip(), "--set")
    return parsed


def parse_formats(ctx: click.Context, param: click.Parameter, text: str) -> tuple[str, ...]:
    """`--format png,svg`: figure formats."""
    formats = tuple(f.strip().lower() for f in text.split(",") if f.strip())
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise InputError(
            f"--format {excerpt(text)}: unknown format {excerpt(bad[0] if bad else '')}; "
            f"allowed: {', '.join(FORMATS)} (comma-separated)"
        )
    return formats


def parse_date(ctx: click.Context, param: click.Parameter, text: str | None) -> dt.date | None:
    """An ISO date option."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--{param.name} {excerpt(text)}: not a date; use YYYY-MM-DD") from None


#: Largest generated scenario `alignsim bench --actors` runs (its table is N² rows a date).
MOST_ACTORS = 2000


def parse_sizes(ctx: click.Context, param: click.Parameter, text: str | None) -> tuple[int, ...]:
    """A comma-separated list of actor counts, each 2 to `MOST_ACTORS` (none: ())."""
    if text is None:
        return ()
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items or any(not t.isdigit() or not 2 <= int(t[:5]) <= MOST_ACTORS for t in items):
        raise InputError(
            f"--{param.name} {excerpt(text)}: expected actor counts from 2 to {MOST_ACTORS}, "
            f"comma-separated (e.g. 50,200,500)"
        )
    return tuple(int(t) for t in items)


def parse_points(
    ctx: click.Context, param: click.Parameter, text: str | None
) -> tuple[int, ...] | None:
    """`--points 0,5,10` (design points, each checked against the sweep when drawn) or
    `all` (every point: an empty tuple); none given: None."""
    from sim.figures.sweeps import MOST_POINTS

    if text is None:
        return None
    if text.strip().lower() == "all":
        return ()
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items or len(items) > MOST_POINTS or any(not t.isdigit() or len(t) > 9 for t in items):
        raise InputError(
            f"--points {excerpt(text)}: expected design point numbers, comma-separated "
            f"(at most {MOST_POINTS}, e.g. 0,5,10), or all"
        )
    return tuple(int(t) for t in items)


def parse_names(ctx: click.Context, param: click.Parameter, text: str | None) -> tuple[str, ...]:
    """A comma-separated list of parameter names, each known and given once (none: ())."""
    from sim.core.params import REGISTRY

    if text is None:
        return ()
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in REGISTRY]
    if unknown or not names:
        raise InputError(
            f"--params: unknown parameter {excerpt(unknown[0] if unknown else '')}; "
            f"known: {', '.join(REGISTRY)}"
        )
    if len(set(names)) != len(names):
        raise InputError("--params: a parameter is named twice")
    return names


def scenario_argument(default: str | None = None) -> Callable[[F], F]:
    """The SCENARIO argument: a file path (its existence is checked with a clear message)."""
    kind = click.Path(dir_okay=False, path_type=Path)
    if default is None:
        return click.argument("scenario", type=kind)
    return click.argument("scenario", type=kind, default=default, required=False)


def count(flag: str, low: int, high: int | None, default: int, text: str) -> Callable[[F], F]:
    """A whole-number option with a range and a default, shown in the help."""
    return click.option(flag, type=Whole(low, high), default=default, show_default=True, help=text)


def amount(flag: str, low: float, high: float, default: float, text: str) -> Callable[[F], F]:
    """A number option with a range and a default, shown in the help."""
    return click.option(
        flag, type=click.FloatRange(low, high), default=default, show_default=True, help=text
    )


def choice(
    flag: str, choices: tuple[str, ...], text: str, default: str | None = None
) -> Callable[[F], F]:
    """An option taking one of `choices` (the first by default)."""
    return click.option(
        flag,
        type=click.Choice(choices),
        default=default or choices[0],
        show_default=True,
        help=text,
    )


seed = click.option(
    "--seed",
    type=SEED_RANGE,
    metavar="N",
    help="Seed of the run, or the root every run's seed is spawned from "
    "[default: the scenario's `seed`].",
)

sets = click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="NAME=VALUE",
    callback=parse_sets,
    help="Set a parameter (repeatable, each name once); names and ranges: `alignsim params`.",
)

STYLES = ("screen", "paper", "talk")


def style(func: F) -> F:
    """`--style`: the command draws and writes every figure in that style
    (`sim.figures.style`); a command marked by `figures` hands its `--format` to the style."""

    @functools.wraps(func)
    def command(*args: Any, **kwargs: Any) -> Any:
        from sim.figures.style import use_style

        handed = getattr(func, "formats_in_style", False)
        with use_style(kwargs.pop("style"), kwargs.pop("formats") if handed else ()):
            return func(*args, **kwargs)

    return click.option(
        "--style",
        type=click.Choice(STYLES),
        default=STYLES[0],
        show_default=True,
        help="Figures for the screen, for a paper (no titles, one or two journal columns, "
        "print type) or for a talk (large type).",
    )(command)  # type: ignore[return-value]


format_option = click.option(
    "--format",
    "formats",
    default="png",
    show_default=True,
    callback=parse_formats,
    help="Figure formats, comma-separated: png, svg, pdf.",
)

#: `--format` and `--style`, for a command that hands its formats to its figures itself.
formats = compose(format_option, style)


def figures(func: F) -> F:
    """`--format` and `--style`, for a command whose results save without a formats
    argument: both go to every figure it writes through the style (`style`)."""
    func.formats_in_style = True  # type: ignore[attr-defined]
    return compose(format_option, style)(func)


force = click.option(
    "--force", is_flag=True, help="Replace an existing --out (a folder's whole content)."
)


def out_folder(default: str) -> Callable[[F], F]:
    """`--out DIR`, with the tool-owned folder written without it, and `--force`."""
    return compose(
        click.option(
            "--out",
            type=click.Path(file_okay=False, path_type=Path),
            metavar="DIR",
            help=f"Output folder; an existing, non-empty one is refused unless --force "
            f"[default: {default}, replaced each time].",
        ),
        force,
    )


def out_file(what: str, required: bool = False) -> Callable[[F], F]:
    """`--out FILE` (written whole or not at all) and `--force`."""
    return compose(
        click.option(
            "--out",
            type=click.Path(dir_okay=False, path_type=Path),
            metavar="FILE",
            required=required,
            help=f"{what}; an existing file is refused unless --force.",
        ),
        force,
    )


def replicates(default: int, low: int = 1, high: int | None = None) -> Callable[[F], F]:
    """`--replicates R`: runs per scenario, candidate or design point, on common seeds."""
    return count(
        "--replicates",
        low,
        high,
        default,
        "Runs per scenario, candidate or design point (the same seeds for each).",
    )


params = click.option(
    "--params",
    "names",
    metavar="A,B,...",
    callback=parse_names,
    help="Parameters, comma-separated; ranges from the registry (`alignsim params`) "
    "[default: the command's own list].",
)


def date(flag: str, meaning: str) -> Callable[[F], F]:
    """A date option (YYYY-MM-DD)."""
    return click.option(flag, metavar="DATE", callback=parse_date, help=meaning)


metric = compose(
    click.option(
        "--metric",
        default="hedging_index",
        show_default=True,
        help="hedging_index, dependence or alignment_<ACTOR>.",
    ),
    click.option("--actor", help="Whose metric [default: the scenario's focal actor]."),
    date("--at", "Date of the outcome [default: the end of the horizon]."),
)

draw = click.option(
    "--draw",
    type=Whole(0, None),
    metavar="K",
    help="Run with draw K of the posterior (row K of posterior.parquet beside the "
    "scenario's `parameters_from`) [default: the posterior median, fitted.yaml].",
)

targets = click.option(
    "--targets",
    "targets_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Targets file [default: targets.yaml beside the scenario's `parameters_from`].",
)

model = click.option(
    "--model",
    metavar="NAME",
    help="Model variant: full, no-balance, no-hedging, no-jealousy, no-spillover, no-agents, "
    "no-memory, null, or null+M+... with mechanisms M switched back on (`alignsim params "
    "--model NAME`) [default: the scenario's `model:`, else full].",
)


def executors(func: F) -> F:
    """`--workers`, `--dask-local` and `--scheduler`, handed to the command as one
    `dispatch` (a `sim.experiments.sweepfolder.Dispatch`); they exclude each other."""

    @functools.wraps(func)
    def command(*args: Any, **kwargs: Any) -> Any:
        chosen = (kwargs.pop("workers"), kwargs.pop("dask_local"), kwargs.pop("scheduler"))
        return func(*args, dispatch=dispatch_of(*chosen), **kwargs)

    return compose(
        count("--workers", 1, None, 1, "Local worker processes."),
        click.option(
            "--dask-local",
            type=Whole(1),
            metavar="N",
            help="Start a Dask LocalCluster of N workers on 127.0.0.1.",
        ),
        click.option(
            "--scheduler",
            metavar="ADDRESS",
            help="Join a running Dask cluster, e.g. tcp://10.0.0.5:8786.",
        ),
    )(command)  # type: ignore[return-value]


def dispatch_of(workers: int, dask_local: int | None, scheduler: str | None) -> Any:
    """The `Dispatch` the executor options ask for (they exclude each other)."""
    from sim.experiments.sweepfolder import Dispatch

    if sum(bool(x) for x in (workers > 1, dask_local, scheduler)) > 1:
        raise InputError("--workers, --dask-local and --scheduler exclude each other")
    return Dispatch(workers, dask_local, scheduler)


def command_line() -> str:
    """The command as typed, for manifests."""
    return shlex.join(["alignsim", *sys.argv[1:]])


def echo_lines(lines: list[str]) -> None:
    """Print lines of a result."""
    for line in lines:
        click.echo(line)


#: The options every command takes, and the group too (`alignsim -v run ...` and
#: `alignsim run -v ...` alike): how much to log, and where (`sim.cli.logs`).
LOGGING = (
    click.Option(
        ["-v", "--verbose"], count=True, help="Log more detail (repeatable; DEBUG level)."
    ),
    click.Option(
        ["-q", "--quiet"], is_flag=True, help="Log warnings and errors only: no progress."
    ),
    click.Option(
        ["--log-file"],
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="PATH",
        help="Also append every log record (with its time) to this file.",
    ),
)


def with_logging(command: click.Command) -> click.Command:
    """Give `command` (and, for a group, each of its commands) the `LOGGING` options:
    its callback sets up logging from them, added to those given before the command's
    name, then runs as before."""
    if not any(p.name == "verbose" for p in command.params):  # `blocs` shares its params
        command.params.extend(copy.copy(option) for option in LOGGING)
    callback = command.callback

    @functools.wraps(callback or (lambda: None))
    def logged(*args: Any, verbose: int, quiet: bool, log_file: Path | None, **kwargs: Any) -> Any:
        from sim.cli import logs

        meta = click.get_current_context().meta
        verbose += meta.get("alignsim.verbose", 0)
        quiet = quiet or meta.get("alignsim.quiet", False)
        log_file = log_file or meta.get("alignsim.log_file")
        meta.update({"alignsim.verbose": verbose, "alignsim.quiet": quiet})
        meta["alignsim.log_file"] = log_file
        logs.configure(verbose, quiet, log_file)
        return callback(*args, **kwargs) if callback else None

    command.callback = logged
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            with_logging(sub)
    return command


json_output = click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON document of the results (paths written, key numbers) on standard "
    "output, and nothing else there.",
)


def written(folder: Path) -> list[str]:
    """The files of an output folder, as paths (for a --json summary)."""
    return sorted(str(p) for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def report(lines: list[str], summary: dict[str, Any], as_json: bool) -> None:
    """Print a result: its lines, or with --json its summary as one JSON document."""
    if as_json:
        click.echo(json.dumps(summary, indent=2, default=str))
    else:
        echo_lines(lines)


def records(table: Any) -> list[dict[str, Any]]:
    """A pandas table's rows as JSON-ready mappings (dates as ISO text, NaN as null)."""
    rows: list[dict[str, Any]] = json.loads(
        table.to_json(orient="records", date_format="iso", date_unit="s")
    )
    return rows
