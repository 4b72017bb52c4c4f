"""Commands on inputs: check a scenario, list its events, the taxonomy and parameters,
import coded event data, draft events from articles."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from sim.cli import options
from sim.core.errors import InputError


@click.command()
@options.scenario_argument()
@options.sets
def validate(scenario: Path, sets: dict[str, float]) -> None:
    """Check SCENARIO (and everything it includes) without running it.

    \b
    Example:
      alignsim validate scenarios/baseline.yaml --set impulse=0.5
    """
    from sim.io.scenario import load_scenario

    loaded = load_scenario(scenario, sets)
    changed = sorted(k for k, v in loaded.parameter_sources.items() if v != "default")
    click.echo(
        f"ok: {loaded.name}: {len(loaded.actors)} actors, {loaded.start} to "
        f"{loaded.end} in {len(loaded.dates) - 1} {loaded.step} steps, "
        f"{len(loaded.events)} events (skipped: {loaded.skipped['other_actors']} of "
        f"other actors, {loaded.skipped['other_dates']} outside the dates); parameters "
        f"set: {', '.join(changed) or 'none (all defaults)'}"
    )


@click.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editors' completion).

    \b
    Example:
      alignsim schema > scenario.schema.json
    """
    from sim.io.schema import json_schema

    click.echo(json.dumps(json_schema(), indent=2))


@click.command()
@options.scenario_argument()
def events(scenario: Path) -> None:
    """List the schedule of SCENARIO's events as the model will apply them.

    \b
    Example:
      alignsim events scenarios/baseline.yaml
    """
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


@click.command("event-types")
@click.option("--all", "show_all", is_flag=True, help="Also list all 311 CAMEO codes.")
def event_types(show_all: bool) -> None:
    """List the event taxonomy: names, CAMEO codes and Goldstein weights.

    \b
    Example:
      alignsim event-types --all | grep -i summit
    """
    from sim.core.events import NAMED_TYPES, SYMBOLIC_TYPES, cameo_table, taxonomy

    types = taxonomy()
    names = [*NAMED_TYPES, *SYMBOLIC_TYPES] + (list(cameo_table()) if show_all else [])
    for name in names:
        t = types[name]
        origin = "symbolic" if name in SYMBOLIC_TYPES else "CAMEO"
        click.echo(f"{name:24s} {t.code:>5s} {t.goldstein:+5.1f}  {origin:8s} {t.description}")


@click.command()
@options.model
def params(model: str | None) -> None:
    """List every model parameter: meaning, unit, default and range; with --model, the
    variant's free parameters (those it fixes at 0 are listed after them).

    \b
    Examples:
      alignsim params
      alignsim params --model null
    """
    from sim.core.params import ACTOR_ATTRIBUTES, CALIBRATED, PARAMETERS
    from sim.core.variants import variant

    chosen = variant(model or "full")
    for p in PARAMETERS:
        if p.name not in chosen.off:
            click.echo(
                f"{p.name:16s} default {p.default:<8g} range [{p.low:g}, {p.high:g}]  "
                f"{p.unit}\n{'':16s} {p.meaning}"
            )
    if model is not None:
        click.echo(
            f"\nModel {chosen.name}: {chosen.meaning}. Fixed at 0: "
            f"{', '.join(chosen.off) or 'none'}; fitted by `calibrate`: "
            f"{', '.join(chosen.free(CALIBRATED))}."
        )
    click.echo("\nActor attributes (per actor, in the scenario's `actors` list):")
    for name, (meaning, unit, default, low, high) in ACTOR_ATTRIBUTES.items():
        shown = "required" if default is None else f"default {default:g}"
        click.echo(f"{name:16s} {shown}, range [{low:g}, {high:g}]  {unit}\n{'':16s} {meaning}")


@click.command("import-events")
@click.option(
    "--from",
    "layout",
    type=click.Choice(["gdelt", "icews"]),
    required=True,
    help="Layout of FILE: a GDELT 2.0 event export or an ICEWS event file.",
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@options.out_file("Event table (CSV) to write", required=True)
def import_events(layout: str, file: Path, out: Path, force: bool) -> None:
    """Convert GDELT or ICEWS event rows into an alignsim event table.

    \b
    Example:
      alignsim import-events --from gdelt 20250904.export.CSV --out events.csv
    """
    from sim.io.eventtable import write_event_table
    from sim.io.files import atomic_file, output_file
    from sim.io.importers import import_gdelt, import_icews

    target = output_file(out, force)
    imported = (import_gdelt if layout == "gdelt" else import_icews)(file)
    with atomic_file(target) as work:
        write_event_table(work, imported.rows)
    for unknown in imported.unknown.values():
        click.echo(f"alignsim: warning: {unknown.message()}", err=True)
    skipped = ", ".join(f"{n} {reason}" for reason, n in imported.skipped.items())
    click.echo(f"wrote {len(imported.rows)} events to {out}; skipped {skipped}")


@click.command()
@click.argument("docs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@options.date("--date", "The article's date, when the text does not give one (one article).")
@click.option(
    "--sources",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A sources table (file,date,...) giving the articles' dates.",
)
@options.out_file("Write the drafts to this CSV [default: print them]")
@click.option(
    "--compare",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Hand-coded event table to score the drafts against (precision, recall).",
)
def extract(
    docs: tuple[Path, ...],
    date: dt.date | None,
    sources: Path | None,
    out: Path | None,
    force: bool,
    compare: Path | None,
) -> None:
    """Draft candidate event rows from plain-text news articles, for review.

    \b
    Example:
      alignsim extract article.txt --date 2025-09-04 --out drafts.csv
    """
    from sim.io.eventtable import table_text, write_event_table
    from sim.io.extract import compare_drafts, draft_events
    from sim.io.files import atomic_file, output_file

    if date and len(docs) > 1:
        raise InputError("--date applies to one article; give one DOC with it (or --sources)")
    target = None if out is None else output_file(out, force)
    drafts = draft_events(docs, date, sources)
    if target is None:
        click.echo(table_text(drafts), nl=False)
    else:
        with atomic_file(target) as work:
            write_event_table(work, drafts)
        click.echo(f"wrote {len(drafts)} draft events to {out}")
    if compare is not None:
        click.echo(compare_drafts(drafts, compare, docs), err=out is None)


COMMANDS = (validate, schema, events, event_types, params, import_events, extract)
