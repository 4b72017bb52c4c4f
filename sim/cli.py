"""The `alignsim` command line (Click). Thin: each verb validates its input and calls one
function of the package.

Bad input ends with exit status 2 and one line on standard error naming the file, line or
field, what is wrong and what is allowed; nothing is written.
"""

from __future__ import annotations

import datetime as dt
import json
import shlex
import sys
from pathlib import Path
from typing import Any

import click

from sim import __version__
from sim.core.errors import InputError
from sim.core.params import CALIBRATED
from sim.page.limits import PageLimits

FORMATS = ("png", "svg", "pdf")


class AlignsimGroup(click.Group):
    """A Click group that reports every usage or input error as one line, exit status 2."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except InputError as exc:
            click.echo(f"alignsim: error: {exc}", err=True)
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


def parse_sets(values: tuple[str, ...]) -> dict[str, float]:
    """Parse `--set name=value` options and validate them against the registry."""
    from sim.core import params

    parsed: dict[str, float] = {}
    for text in values:
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--set {text!r}: expected name=value, e.g. --set decay=0.01")
        parsed[name.strip()] = params.check_value(name.strip(), value.strip(), "--set")
    return parsed


def parse_formats(text: str) -> tuple[str, ...]:
    """Parse `--format png,svg`."""
    formats = tuple(f.strip().lower() for f in text.split(",") if f.strip())
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise InputError(
            f"--format {text!r}: unknown format '{bad[0] if bad else ''}'; "
            f"allowed: {', '.join(FORMATS)} (comma-separated)"
        )
    return formats


def parse_date(text: str | None, option: str) -> dt.date | None:
    """Parse an ISO date option."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} {text!r}: not a date; use YYYY-MM-DD") from None


def executor_options(func: Any) -> Any:
    """The options that choose where runs go: local processes, a new Dask cluster, or one."""
    func = click.option(
        "--scheduler",
        metavar="ADDRESS",
        help="Join a running Dask cluster, e.g. tcp://10.0.0.5:8786.",
    )(func)
    func = click.option(
        "--dask-local",
        type=click.IntRange(1),
        metavar="N",
        help="Start a Dask LocalCluster of N workers on 127.0.0.1.",
    )(func)
    return click.option(
        "--workers",
        type=click.IntRange(1),
        default=1,
        show_default=True,
        help="Local worker processes.",
    )(func)


def dispatch_of(workers: int, dask_local: int | None, scheduler: str | None) -> Any:
    """The `Dispatch` the executor options ask for (they exclude each other)."""
    from sim.experiments.sweeprun import Dispatch

    if sum(bool(x) for x in (workers > 1, dask_local, scheduler)) > 1:
        raise InputError("--workers, --dask-local and --scheduler exclude each other")
    return Dispatch(workers, dask_local, scheduler)


def scenario_argument(func: Any) -> Any:
    """The SCENARIO argument (a path; its existence is checked with a clear message)."""
    return click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))(func)


@click.group(
    cls=AlignsimGroup,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="alignsim")
def cli() -> None:
    """alignsim: simulate diplomatic alignment and hedging among states."""


@cli.command()
@scenario_argument
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (refused if it exists and is not empty, unless --force). "
    "Default: outputs/<scenario-name>/, replaced on each run.",
)
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="Seed (default: the scenario's).")
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a parameter (repeatable); see `alignsim params`.",
)
@click.option("--csv", is_flag=True, help="Also write CSV copies of the tables.")
@click.option(
    "--format",
    "formats",
    default="png",
    show_default=True,
    help="Plot formats, comma-separated: png, svg, pdf.",
)
@click.option("--force", is_flag=True, help="Replace a non-empty --out folder.")
def run(
    scenario: Path,
    out: Path | None,
    seed: int | None,
    sets: tuple[str, ...],
    csv: bool,
    formats: str,
    force: bool,
) -> None:
    """Run SCENARIO once and write tables, manifest and plots."""
    from sim.engine.runs import write_run
    from sim.io.files import output_folder, slug
    from sim.io.scenario import load_scenario

    overrides, plot_formats = parse_sets(sets), parse_formats(formats)
    loaded = load_scenario(scenario, overrides)
    target = output_folder(out, Path("outputs") / slug(loaded.name), force)
    command = shlex.join(["alignsim", *sys.argv[1:]])
    for line in write_run(loaded, seed, target, command, csv, plot_formats):
        click.echo(line)


@cli.command()
@scenario_argument
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="As for `run`.")
def validate(scenario: Path, sets: tuple[str, ...]) -> None:
    """Check SCENARIO (and everything it includes) without running it."""
    from sim.io.scenario import load_scenario

    loaded = load_scenario(scenario, parse_sets(sets))
    changed = sorted(k for k, v in loaded.parameter_sources.items() if v != "default")
    click.echo(
        f"ok: {loaded.name}: {len(loaded.actors)} actors, {loaded.start} to "
        f"{loaded.end} in {len(loaded.dates) - 1} {loaded.step} steps, "
        f"{len(loaded.events)} events (skipped: {loaded.skipped['other_actors']} of "
        f"other actors, {loaded.skipped['other_dates']} outside the dates); parameters "
        f"set: {', '.join(changed) or 'none (all defaults)'}"
    )


@cli.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editors' completion)."""
    from sim.io.schema import json_schema

    click.echo(json.dumps(json_schema(), indent=2))


@cli.command()
@scenario_argument
def events(scenario: Path) -> None:
    """List the schedule of SCENARIO's events as the model will apply them."""
    import pandas as pd

    from sim.engine.results import EVENT_COLUMNS, scripted_rows
    from sim.io.scenario import load_scenario

    loaded = load_scenario(scenario)
    table = pd.DataFrame(scripted_rows(loaded))
    if table.empty:
        click.echo("no scripted events")
    else:
        hidden = ("origin", "quote", "note", "defined_in")
        shown = table[[c for c in EVENT_COLUMNS if c not in hidden]]
        with pd.option_context(
            "display.width", 250, "display.max_rows", None, "display.max_colwidth", 40
        ):
            click.echo(shown.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    skipped = loaded.skipped
    click.echo(
        f"{len(loaded.events)} events ({len(table)} bilateral rows); skipped "
        f"{skipped['other_actors']} naming other actors and {skipped['other_dates']} "
        f"outside {loaded.start}..{loaded.end}; agents act from "
        f"{loaded.dates[loaded.agents_start_step - 1]}"
    )


@cli.command("event-types")
@click.option("--all", "show_all", is_flag=True, help="Also list all 311 CAMEO codes.")
def event_types(show_all: bool) -> None:
    """List the event taxonomy: names, CAMEO codes and Goldstein weights."""
    from sim.core.events import NAMED_TYPES, SYMBOLIC_TYPES, cameo_table, taxonomy

    types = taxonomy()
    names = [*NAMED_TYPES, *SYMBOLIC_TYPES] + (list(cameo_table()) if show_all else [])
    for name in names:
        t = types[name]
        origin = "symbolic" if name in SYMBOLIC_TYPES else "CAMEO"
        click.echo(f"{name:24s} {t.code:>5s} {t.goldstein:+5.1f}  {origin:8s} {t.description}")


@cli.command()
def params() -> None:
    """List every model parameter: meaning, unit, default and range."""
    from sim.core.params import ACTOR_ATTRIBUTES, PARAMETERS

    for p in PARAMETERS:
        click.echo(
            f"{p.name:16s} default {p.default:<8g} range [{p.low:g}, {p.high:g}]  "
            f"{p.unit}\n{'':16s} {p.meaning}"
        )
    click.echo("\nActor attributes (per actor, in the scenario's `actors` list):")
    for name, (meaning, unit, default, low, high) in ACTOR_ATTRIBUTES.items():
        shown = "required" if default is None else f"default {default:g}"
        click.echo(f"{name:16s} {shown}, range [{low:g}, {high:g}]  {unit}\n{'':16s} {meaning}")


@cli.command()
@click.argument("run_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--actor", help="Actor whose alignment to plot (default: the focal actor).")
@click.option("--date", "date_text", help="Date of the network and heat map (default: last).")
@click.option(
    "--format",
    "formats",
    default="png",
    show_default=True,
    help="Plot formats, comma-separated: png, svg, pdf.",
)
def plot(run_dir: Path, actor: str | None, date_text: str | None, formats: str) -> None:
    """Redraw the plots of a run folder from its saved tables."""
    from sim.engine.runs import load_view
    from sim.figures.runs import render_run

    plot_formats, day = parse_formats(formats), parse_date(date_text, "--date")
    if not run_dir.is_dir():
        raise InputError(f"{run_dir}: no such run folder")
    view = load_view(run_dir)
    if actor is not None and actor not in view.actors:
        raise InputError(
            f"--actor {actor!r}: not an actor of this run; actors: {', '.join(view.actors)}"
        )
    for path in render_run(view, run_dir, plot_formats, actor, day):
        click.echo(str(path))


@cli.command()
@click.argument(
    "scenario", type=click.Path(dir_okay=False, path_type=Path), default="scenarios/baseline.yaml"
)
@click.option(
    "--targets",
    "targets_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default="calibration/targets.yaml",
    show_default=True,
    help="Targets file.",
)
@click.option(
    "--params",
    "names",
    default=",".join(CALIBRATED),
    show_default=True,
    help="Parameters to fit, comma-separated (ranges: `alignsim params`).",
)
@click.option(
    "--budget",
    type=click.IntRange(1),
    default=20000,
    show_default=True,
    help="Most model runs to spend.",
)
@click.option(
    "--replicates",
    type=click.IntRange(1, 100),
    default=4,
    show_default=True,
    help="Runs per candidate, with common random numbers.",
)
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=1, show_default=True)
@click.option(
    "--holdout",
    "holdout_text",
    metavar="DATE",
    help="Fit with events and targets before DATE only, then forecast the rest.",
)
@click.option(
    "--epsilon",
    type=click.FloatRange(0, 1),
    default=0.001,
    show_default=True,
    help="Plateau: evaluated vectors within this loss of the best.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Report folder (default outputs/calibration/, replaced each time).",
)
@click.option(
    "--fitted",
    type=click.Path(dir_okay=False, path_type=Path),
    default="calibration/fitted.yaml",
    show_default=True,
    help="Where to write the fitted parameters (not written with --holdout).",
)
@click.option("--force", is_flag=True, help="Replace a non-empty --out folder.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def calibrate(
    scenario: Path,
    targets_path: Path,
    names: str,
    budget: int,
    replicates: int,
    seed: int,
    holdout_text: str | None,
    epsilon: float,
    out: Path | None,
    fitted: Path,
    force: bool,
    quiet: bool,
) -> None:
    """Fit parameters to the documents' targets (differential evolution)."""
    from sim.experiments.fitrun import run_calibration

    holdout = parse_date(holdout_text, "--holdout")
    fitted_names = parse_names(names)
    for line in run_calibration(
        scenario,
        targets_path,
        fitted_names,
        budget,
        replicates,
        seed,
        holdout,
        epsilon,
        out,
        fitted,
        force,
        quiet,
        shlex.join(["alignsim", *sys.argv[1:]]),
    ):
        click.echo(line)


def parse_names(text: str) -> tuple[str, ...]:
    """Parse a comma-separated list of parameter names."""
    from sim.core.params import REGISTRY

    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in REGISTRY]
    if unknown or not names:
        raise InputError(
            f"--params: unknown parameter '{unknown[0] if unknown else ''}'; "
            f"known: {', '.join(REGISTRY)}"
        )
    if len(set(names)) != len(names):
        raise InputError("--params: a parameter is named twice")
    return names


@cli.command("import-events")
@click.option(
    "--format",
    "source_format",
    type=click.Choice(["gdelt", "icews"]),
    required=True,
    help="Layout of FILE: a GDELT 2.0 event export or an ICEWS event file.",
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Event table (CSV) to write.",
)
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
def import_events(source_format: str, file: Path, out: Path, force: bool) -> None:
    """Convert GDELT or ICEWS event rows into an alignsim event table."""
    from sim.io.eventtable import write_event_table
    from sim.io.importers import import_gdelt, import_icews

    if out.exists() and not force:
        raise InputError(f"--out {out}: file exists; use --force to replace it")
    imported = (import_gdelt if source_format == "gdelt" else import_icews)(file)
    partial = out.with_name(f".{out.name}.tmp")
    write_event_table(partial, imported.rows)
    partial.replace(out)
    skipped = ", ".join(f"{n} {reason}" for reason, n in imported.skipped.items())
    click.echo(f"wrote {len(imported.rows)} events to {out}; skipped {skipped}")


@cli.command()
@click.argument("docs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--date",
    "date_text",
    metavar="DATE",
    help="The article's date, when the text does not give one (one article only).",
)
@click.option(
    "--sources",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A sources table (file,date,...) giving the articles' dates.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the drafts to this CSV (default: print them).",
)
@click.option(
    "--compare",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Hand-coded event table to score the drafts against (precision, recall).",
)
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
def extract(
    docs: tuple[Path, ...],
    date_text: str | None,
    sources: Path | None,
    out: Path | None,
    compare: Path | None,
    force: bool,
) -> None:
    """Draft candidate event rows from plain-text news articles, for review."""
    from sim.io.eventtable import table_text, write_event_table
    from sim.io.extract import compare_drafts, draft_events

    published = parse_date(date_text, "--date")
    if published and len(docs) > 1:
        raise InputError("--date applies to one article; give one DOC with it (or --sources)")
    if out is not None and out.exists() and not force:
        raise InputError(f"--out {out}: file exists; use --force to replace it")
    drafts = draft_events(docs, published, sources)
    if out is None:
        click.echo(table_text(drafts), nl=False)
    else:
        write_event_table(out, drafts)
        click.echo(f"wrote {len(drafts)} draft events to {out}")
    if compare is not None:
        click.echo(compare_drafts(drafts, compare, docs), err=out is None)


@cli.command()
@scenario_argument
@click.option(
    "--vary",
    "varies",
    multiple=True,
    required=True,
    metavar="NAME=LO:HI:N|NAME=v1,v2",
    help="A varied parameter (repeatable): N values from LO to HI, listed values, "
    "or LO:HI for --sampler lhs|sobol.",
)
@click.option(
    "--sampler",
    type=click.Choice(["grid", "lhs", "sobol"]),
    default="grid",
    show_default=True,
    help="Design: full factorial grid, Latin hypercube or Sobol.",
)
@click.option("--samples", type=click.IntRange(1), help="Design points for lhs and sobol.")
@click.option(
    "--replicates",
    type=click.IntRange(1),
    default=10,
    show_default=True,
    help="Runs per design point (seeds spawned from --seed).",
)
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True)
@executor_options
@click.option(
    "--chunk-runs",
    type=click.IntRange(1),
    default=500,
    show_default=True,
    help="About how many runs each chunk (task) holds.",
)
@click.option(
    "--envelope-step",
    type=click.Choice(["week", "month", "quarter", "year"]),
    default="month",
    show_default=True,
    help="Spacing of the envelope dates.",
)
@click.option("--trajectories", is_flag=True, help="Also keep every run's full trajectory.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Sweep folder (default outputs/sweeps/<scenario-name>/).",
)
@click.option("--resume", is_flag=True, help="Finish an interrupted sweep in --out.")
@click.option("--force", is_flag=True, help="Discard an existing sweep folder and start again.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def sweep(
    scenario: Path,
    varies: tuple[str, ...],
    sampler: str,
    samples: int | None,
    replicates: int,
    seed: int,
    workers: int,
    dask_local: int | None,
    scheduler: str | None,
    chunk_runs: int,
    envelope_step: str,
    trajectories: bool,
    out: Path | None,
    resume: bool,
    force: bool,
    quiet: bool,
) -> None:
    """Run SCENARIO over a design of parameter values, in resumable chunks."""
    from sim.experiments.design import parse_vary
    from sim.experiments.sweeprun import SweepSpec, execute
    from sim.io.files import slug
    from sim.io.scenario import load_scenario

    dispatch = dispatch_of(workers, dask_local, scheduler)
    if resume and force:
        raise InputError("--resume and --force exclude each other")
    spec = SweepSpec(
        tuple(parse_vary(v) for v in varies),
        sampler,
        samples,
        replicates,
        seed,
        chunk_runs,
        envelope_step,
        trajectories,
    )
    loaded = load_scenario(scenario)
    folder = out or Path("outputs") / "sweeps" / slug(loaded.name)
    for line in execute(loaded, spec, dispatch, folder, resume, force, quiet):
        click.echo(line)


@cli.command()
@click.argument(
    "scenario", type=click.Path(dir_okay=False, path_type=Path), default="scenarios/baseline.yaml"
)
@click.option(
    "--runs",
    type=click.IntRange(1),
    default=2000,
    show_default=True,
    help="Runs in the ensemble batch.",
)
@click.option(
    "--mesa-runs",
    type=click.IntRange(1),
    default=5,
    show_default=True,
    help="Runs timed through the Mesa path.",
)
def bench(scenario: Path, runs: int, mesa_runs: int) -> None:
    """Time the Mesa path against the ensemble engine (runs per second, ratios, memory)."""
    from sim.experiments.bench import bench as measure
    from sim.io.scenario import load_scenario

    for line in measure(load_scenario(scenario), runs, mesa_runs):
        click.echo(line)


@cli.command("sweep-plot")
@click.argument("sweep_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--outcome",
    default="final_hedging_index",
    show_default=True,
    help="Results column for the heat map and scatter plots.",
)
@click.option(
    "--variable",
    default="hedging_index",
    show_default=True,
    help="Envelope variable (hedging_index or alignment_<ACTOR>).",
)
def sweep_plot(sweep_dir: Path, outcome: str, variable: str) -> None:
    """Plot a finished sweep: heat maps, envelopes over time, outcome vs parameter."""
    from sim.figures.sweeps import render_sweep

    for path in render_sweep(sweep_dir, outcome, variable):
        click.echo(str(path))


@cli.command()
@click.argument("base", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("whatifs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--replicates",
    type=click.IntRange(2),
    default=100,
    show_default=True,
    help="Runs per scenario, the same seeds for every scenario.",
)
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True)
@click.option(
    "--metric",
    default="hedging_index",
    show_default=True,
    help="hedging_index, dependence or alignment_<ACTOR>.",
)
@click.option("--actor", help="Whose metric (default: the base scenario's focal actor).")
@click.option(
    "--at",
    "at_text",
    metavar="DATE",
    help="Compare on this date (default: the end of the horizon).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default outputs/compare/<base-name>/, replaced each time).",
)
@click.option("--force", is_flag=True, help="Replace a non-empty --out folder.")
def compare(
    base: Path,
    whatifs: tuple[Path, ...],
    replicates: int,
    seed: int,
    metric: str,
    actor: str | None,
    at_text: str | None,
    out: Path | None,
    force: bool,
) -> None:
    """Compare WHATIF scenarios with BASE: bands, differences and confidence intervals."""
    from sim.experiments.compare import Metric
    from sim.experiments.comparerun import run_comparison
    from sim.io.files import output_folder, slug
    from sim.io.scenario import load_scenario

    loaded = load_scenario(base)
    others = [load_scenario(w) for w in whatifs]
    chosen = Metric(metric, actor or loaded.focal)
    folder = output_folder(out, Path("outputs") / "compare" / slug(loaded.name), force)
    at = parse_date(at_text, "--at")
    for line in run_comparison(loaded, others, chosen, replicates, seed, folder, at):
        click.echo(line)


@cli.command()
@click.argument("source", required=False, type=click.Path(path_type=Path))
@click.option("--date", "date_text", metavar="DATE", help="Date of the alignment (default: last).")
@click.option(
    "--sizes",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV of actor,size (with --propensities, instead of SOURCE).",
)
@click.option(
    "--propensities",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV square matrix of propensities, actors as header and first column.",
)
def blocs(
    source: Path | None, date_text: str | None, sizes: Path | None, propensities: Path | None
) -> None:
    """Stable two-bloc configurations (Axelrod-Bennett landscape) of a run, scenario or table."""
    from sim.experiments.landscape import describe, from_source, from_tables

    day = parse_date(date_text, "--date")
    if (sizes is None) != (propensities is None):
        raise InputError("--sizes and --propensities go together")
    if sizes is not None and propensities is not None:
        found = from_tables(sizes, propensities)
    elif source is None:
        raise InputError("give a run folder or scenario, or --sizes and --propensities")
    else:
        found = from_source(source, day)
    for line in describe(*found):
        click.echo(line)


@cli.command()
@scenario_argument
@click.option(
    "--by",
    type=click.Choice(["event", "document"]),
    default="event",
    show_default=True,
    help="Leave out one event, or every event of one document.",
)
@click.option("--replicates", type=click.IntRange(2), default=20, show_default=True)
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True)
@click.option(
    "--metric",
    default="hedging_index",
    show_default=True,
    help="hedging_index, dependence or alignment_<ACTOR>.",
)
@click.option("--actor", help="Whose metric (default: the scenario's focal actor).")
@click.option("--at", "at_text", metavar="DATE", help="Date of the outcome (default: the end).")
@click.option(
    "--top",
    type=click.IntRange(1),
    default=10,
    show_default=True,
    help="How many of the most influential to print.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the whole ranking as CSV.",
)
def influence(
    scenario: Path,
    by: str,
    replicates: int,
    seed: int,
    metric: str,
    actor: str | None,
    at_text: str | None,
    top: int,
    out: Path | None,
) -> None:
    """Rank the events (or documents) whose omission moves an outcome most."""
    from sim.experiments.compare import Metric
    from sim.experiments.influence import influence as rank
    from sim.io.scenario import load_scenario

    loaded = load_scenario(scenario)
    chosen = Metric(metric, actor or loaded.focal)
    table = rank(loaded, by, chosen, replicates, seed, parse_date(at_text, "--at"))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(out, index=False)
    click.echo(
        f"{chosen.label} on {table['date'].iloc[0]}: change when each {by} is left "
        f"out (without minus with; mean over {replicates} replicates, 95% t-interval)"
    )
    for row in table.head(top).itertuples():
        click.echo(
            f"  {row.difference_mean:+.4f} [{row.t_low:+.4f}, {row.t_high:+.4f}]  "
            f"{row.left_out} ({row.events} event{'s' if row.events != 1 else ''})"
        )


@cli.command()
@scenario_argument
@click.option(
    "--method",
    type=click.Choice(["sobol", "morris"]),
    default="sobol",
    show_default=True,
    help="Sobol' indices (Saltelli design) or Morris screening.",
)
@click.option(
    "--params",
    "names",
    default="jealousy,decay,hedging_rate,balance,impulse",
    show_default=True,
    help="Parameters, comma-separated; ranges from the registry.",
)
@click.option(
    "--samples",
    type=click.IntRange(2),
    default=64,
    show_default=True,
    help="Base sample size N (a power of two for Sobol'); trajectories for Morris.",
)
@click.option(
    "--replicates",
    type=click.IntRange(1),
    default=4,
    show_default=True,
    help="Runs per design point; the outcome is their mean.",
)
@click.option(
    "--outcome",
    default="final_hedging_index",
    show_default=True,
    help="A sweep results column, e.g. final_alignment_CHN.",
)
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True)
@executor_options
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default outputs/sensitivity/<scenario-name>/).",
)
@click.option("--force", is_flag=True, help="Replace a non-empty --out folder.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def sensitivity(
    scenario: Path,
    method: str,
    names: str,
    samples: int,
    replicates: int,
    outcome: str,
    seed: int,
    workers: int,
    dask_local: int | None,
    scheduler: str | None,
    out: Path | None,
    force: bool,
    quiet: bool,
) -> None:
    """Global sensitivity of a sweep outcome to parameters (SALib)."""
    from sim.experiments.sensitivityrun import run_sensitivity
    from sim.io.files import output_folder, slug
    from sim.io.scenario import load_scenario

    dispatch = dispatch_of(workers, dask_local, scheduler)
    chosen = parse_names(names)
    loaded = load_scenario(scenario)
    folder = output_folder(out, Path("outputs") / "sensitivity" / slug(loaded.name), force)
    for line in run_sensitivity(
        loaded,
        method,
        chosen,
        samples,
        replicates,
        seed,
        outcome,
        dispatch,
        folder,
        quiet,
    ):
        click.echo(line)


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def report(folder: Path) -> None:
    """Write one self-contained HTML page (FOLDER/report.html) for a run, comparison or sweep."""
    from sim.figures.report import render

    click.echo(str(render(folder)))


@cli.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Animation file: .gif (Pillow) or .mp4 (needs ffmpeg).",
)
@click.option(
    "--every",
    type=click.IntRange(1),
    default=4,
    show_default=True,
    help="One frame every N recorded dates.",
)
@click.option("--fps", type=click.IntRange(1, 60), default=8, show_default=True)
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
def animate(source: Path, out: Path, every: int, fps: int, force: bool) -> None:
    """Animate the network and hedging index of a run folder or a scenario, for slides."""
    from sim.engine.runs import view_of
    from sim.figures.animate import animate as make
    from sim.figures.animate import writer_for

    if out.exists() and not force:
        raise InputError(f"--out {out}: file exists; use --force to replace it")
    writer_for(out, fps)
    if not source.exists():
        raise InputError(f"{source}: no such run folder or scenario file")
    frames = make(view_of(source), out, every, fps)
    click.echo(f"wrote {out} ({frames} frames)")


def count_option(flag: str, low: int, high: int, default: int, text: str) -> Any:
    """A whole-number option with a range and a default, shown in the help."""
    return click.option(
        flag, type=click.IntRange(low, high), default=default, show_default=True, help=text
    )


@cli.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind; the default keeps the page on this machine, 0.0.0.0 opens it "
    "to the network (with a token).",
)
@click.option(
    "--token",
    default=None,
    help="The token students' links carry (8 or more letters or digits); a new random one "
    "by default when the page listens beyond loopback.",
)
@click.option(
    "--no-token",
    is_flag=True,
    help="Serve beyond loopback without a token: anyone on the network can use the page.",
)
@count_option(
    "--max-steps", 1, 100_000, PageLimits.steps, "Most steps of a scenario the page runs."
)
@count_option("--max-actors", 2, 500, PageLimits.actors, "Most actors of a scenario the page runs.")
@count_option("--max-pages", 1, 1000, 60, "Most pages open at once.")
@count_option("--max-pages-per-client", 1, 1000, 10, "Most pages open from one address.")
@click.option(
    "--release-after",
    type=click.FloatRange(1, 86_400),
    default=120.0,
    show_default=True,
    help="Seconds after a page disconnects before its memory is released.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log each scenario left out, and page counts.")
def serve(
    scenario: Path | None,
    port: int,
    host: str,
    token: str | None,
    no_token: bool,
    max_steps: int,
    max_actors: int,
    max_pages: int,
    max_pages_per_client: int,
    release_after: float,
    verbose: bool,
) -> None:
    """Serve the interactive teaching page (Mesa SolaraViz), offline.

    The page lists the scenarios of SCENARIO's folder (default
    scenarios/two-patrons.yaml) and of its subfolders, as they are when the server starts.
    Beyond loopback it asks for a token, printed with the link to give students.
    """
    import logging

    from sim.page import server
    from sim.page.catalogue import build_catalogue

    logging.basicConfig(format="%(asctime)s alignsim %(message)s", level=logging.WARNING)
    logging.getLogger("alignsim").setLevel(logging.INFO if verbose else logging.WARNING)
    config = server.PageServer(
        first=scenario or Path("scenarios") / "two-patrons.yaml",
        host=host,
        port=port,
        token=server.choose_token(host, token, no_token),
        limits=PageLimits(steps=max_steps, actors=max_actors),
        release_after=release_after,
        max_pages=max_pages,
        max_per_client=max_pages_per_client,
    )
    if not server.system_allocator_in_use():
        build_catalogue(config.first, config.limits)  # bad input fails before the restart
        server.restart_with_system_allocator(sys.argv[1:])
    server.serve(config)


def main() -> None:
    """Entry point of the `alignsim` console script."""
    cli(prog_name="alignsim")
