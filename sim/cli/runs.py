"""Commands on single runs and output folders: run a scenario, redraw any output folder,
write its report, animate a run, and a run's landscape of blocs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from sim.cli import options
from sim.core.errors import InputError

if TYPE_CHECKING:
    from sim.experiments.landscape import Landscape
    from sim.experiments.run import Run


@click.command()
@options.scenario_argument()
@options.out_folder("outputs/<scenario-name>/")
@options.seed
@options.sets
@options.model
@options.draw
@click.option(
    "--csv", is_flag=True, help="Also write CSV copies of the tables (up to 5 million rows)."
)
@options.count(
    "--record-every", 1, None, 1, "Record the start, every K-th step and the end in the tables."
)
@options.count(
    "--replicates",
    0,
    10_000,
    0,
    "Also draw the fan of the focal actor's alignments over N seeds spawned from the run's "
    "(fan.parquet, fan_<ACTOR>.png; 0: none).",
)
@options.formats
@options.json_output
def run(
    scenario: Path,
    out: Path | None,
    force: bool,
    seed: int | None,
    sets: dict[str, float],
    model: str | None,
    draw: int | None,
    csv: bool,
    record_every: int,
    replicates: int,
    formats: tuple[str, ...],
    as_json: bool,
) -> None:
    """Run SCENARIO once through the Mesa model; write tables, manifest and figures.

    \b
    Examples:
      alignsim run scenarios/baseline.yaml
      alignsim run scenarios/two-patrons.yaml --seed 7 --set jealousy=0.4 --out runs/j04
      alignsim run big.yaml --record-every 4
      alignsim run scenarios/two-patrons.yaml --replicates 200 --style paper --format pdf
    """
    from sim.engine.results import alignment_rows
    from sim.experiments.run import simulate
    from sim.io.files import output_folder, slug
    from sim.io.limits import CSV_ROWS
    from sim.io.scenario import load_scenario

    loaded = load_scenario(scenario, sets, model)
    loaded = loaded if draw is None else loaded.with_draw(draw)
    if csv:
        CSV_ROWS.check(alignment_rows(loaded, record_every), "--csv")
    target = output_folder(out, Path("outputs") / slug(loaded.name), force)
    result = simulate(loaded, seed, command=options.command_line(), record_every=record_every)
    if replicates:
        result = result.with_fan(loaded, replicates)
    result.save(target, csv, formats, force=True)  # output_folder has refused a user's
    lines = [*run_summary(result), f"outputs: {target}/"]
    options.report(lines, run_json(result, target), as_json)


def run_json(result: Run, folder: Path) -> dict[str, Any]:
    """The --json summary of a run: where it went, and the focal actor's final numbers."""
    m, metrics, view = result.manifest, result.tables["metrics"], result.view
    focal = m["scenario"]["focal"]
    mine = metrics[metrics["actor"] == focal]
    final = view.matrix(view.last_date)[view.actors.index(focal)]
    return {
        "command": "run",
        "scenario": m["scenario"]["name"],
        "seed": m["seed"],
        "folder": str(folder),
        "files": options.written(folder),
        "focal": focal,
        "end": str(m["scenario"]["end"]),
        "final_alignment": {t: float(final[i]) for i, t in enumerate(view.actors) if t != focal},
        "hedging_index": {
            "start": float(mine["hedging_index"].iloc[0]),
            "end": float(mine["hedging_index"].iloc[-1]),
        },
        "events": {k: m["events"][k] for k in ("scripted", "agent_actions")},
    }


def run_summary(result: Run) -> list[str]:
    """A few lines on a run: what was overridden, the focal actor's final stances and
    hedging index."""
    from sim.figures.runs import model_note, overridden

    m, metrics, view = result.manifest, result.tables["metrics"], result.view
    scenario, focal = m["scenario"], m["scenario"]["focal"]
    mine = metrics[metrics["actor"] == focal]
    final = view.matrix(view.last_date)[view.actors.index(focal)]
    stances = ", ".join(f"{t} {final[i]:+.2f}" for i, t in enumerate(view.actors) if t != focal)
    steps = len(result.trajectory.alignment) - 1 if result.trajectory else len(mine) - 1
    changed = overridden(m)
    return [
        f"{scenario['name']}: {scenario['start']} to {scenario['end']}, {steps} "
        f"{scenario['step']} steps, seed {m['seed']}"
        + "".join(f"; {note}" for note in model_note(m))
        + (f"; overridden: {'; '.join(changed)}" if changed else ""),
        f"{focal} alignment at {scenario['end']}: {stances}",
        f"{focal} hedging index: {mine['hedging_index'].iloc[0]:.3f} at {scenario['start']} "
        f"-> {mine['hedging_index'].iloc[-1]:.3f} at {scenario['end']}",
        f"events: {m['events']['scripted']} scripted, {m['events']['agent_actions']} by "
        f"agents; spin-up moved initial alignments by up to {m['spinup']['max_abs_shift']:.3f}",
    ]


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--actor", help="Run: actor whose alignment to plot [default: the focal actor].")
@options.date("--date", "Run: date of the network and heat map [default: the last].")
@click.option(
    "--outcome",
    default="final_hedging_index",
    show_default=True,
    help="Sweep: numeric outcome (results column) of the heat map and scatter plots, e.g. "
    "final_alignment_CHN (the list: an unknown name prints it).",
)
@click.option(
    "--variable",
    default="hedging_index",
    show_default=True,
    help="Sweep: envelope variable (hedging_index or alignment_<ACTOR>).",
)
@click.option(
    "--points",
    callback=options.parse_points,
    metavar="N,N,...|all",
    help="Sweep: design points whose envelopes to draw [default: 12 spread over the design].",
)
@options.formats
def plot(
    folder: Path,
    actor: str | None,
    date: dt.date | None,
    outcome: str,
    variable: str,
    points: tuple[int, ...] | None,
    formats: tuple[str, ...],
) -> None:
    """Redraw the figures of an output folder: run, sweep, comparison, calibration, sensitivity.

    \b
    Examples:
      alignsim plot outputs/korean-peninsula-hedging-2018-2027 --actor CHN --format svg
      alignsim plot runs/sweep --outcome final_alignment_CHN --points 0,5,10
    """
    from sim.figures.folders import redraw

    drawn = redraw(
        folder, formats, actor=actor, date=date, outcome=outcome, variable=variable, points=points
    )
    for path in drawn:
        click.echo(str(path))


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def report(folder: Path) -> None:
    """Write one self-contained HTML page, FOLDER/report.html, for any output folder.

    \b
    Example:
      alignsim report outputs/korean-peninsula-hedging-2018-2027
    """
    from sim.figures.report import render

    click.echo(str(render(folder)))


@click.command()
@click.argument("source", type=click.Path(path_type=Path))
@options.out_file("Animation file: .gif (Pillow) or .mp4 (needs ffmpeg)", required=True)
@options.count("--every", 1, None, 4, "One frame every N recorded dates.")
@options.count("--fps", 1, 60, 8, "Frames a second.")
@options.style
def animate(source: Path, out: Path, force: bool, every: int, fps: int) -> None:
    """Animate the network and hedging index of a run folder or a scenario, for slides.

    \b
    Example:
      alignsim animate scenarios/two-patrons.yaml --out two-patrons.gif
    """
    from sim.experiments.run import load_or_simulate
    from sim.figures.animate import animate as make
    from sim.figures.animate import writer_for
    from sim.io.files import atomic_file, output_file

    target = output_file(out, force)
    writer_for(target, fps)
    if not source.exists():
        raise InputError(f"{source}: no such run folder or scenario file")
    view = load_or_simulate(source).view
    with atomic_file(target) as work:
        frames = make(view, work, every, fps)
    click.echo(f"wrote {out} ({frames} frames)")


@click.command()
@click.argument("source", required=False, type=click.Path(path_type=Path))
@options.date("--date", "Date of the alignment [default: the last].")
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
def landscape(
    source: Path | None, date: dt.date | None, sizes: Path | None, propensities: Path | None
) -> None:
    """Stable two-bloc configurations (Axelrod-Bennett landscape) of a run, scenario or table.

    \b
    Examples:
      alignsim landscape scenarios/balance.yaml
      alignsim landscape --sizes sizes.csv --propensities matrix.csv
    """
    from sim.experiments.landscape import landscape as of_run
    from sim.experiments.landscape import landscape_of_tables

    if (sizes is None) != (propensities is None):
        raise InputError("--sizes and --propensities go together")
    if sizes is not None and propensities is not None:
        found = landscape_of_tables(sizes, propensities)
    elif source is None:
        raise InputError("give a run folder or scenario, or --sizes and --propensities")
    else:
        found = of_run(source, date)
    options.echo_lines(landscape_lines(found))


def landscape_lines(found: Landscape) -> list[str]:
    """The minima, their energies and basins, and the spectral split, as lines."""
    minima = found.minima
    method = "exhaustive" if minima.exhaustive else "heuristic: 20,000 random descents"
    lines = [
        f"landscape of {len(found.actors)} actors ({found.source}); {len(minima.energy)} "
        f"stable configuration(s), {method}:"
    ]
    for row in found.table.to_dict("records"):
        mark = "  <- spectral split" if row["spectral"] else ""
        left, right = row["bloc_0"].replace(" ", ", "), row["bloc_1"].replace(" ", ", ") or "-"
        lines.append(
            f"  energy {row['energy']:+.4f}  basin {row['basin']:6.1%}  {{{left}}} vs "
            f"{{{right}}}{mark}"
        )
    if not found.table["spectral"].any():
        from sim.core import metrics

        energy = float(metrics.landscape_energy(found.spectral, found.sizes, found.propensity))
        left = ", ".join(found.side(found.spectral, 0))
        lines.append(
            f"  spectral split {{{left}}} vs the rest (energy {energy:+.4f}) is not a "
            f"stable configuration"
        )
    return lines


blocs = click.Command(
    "blocs",
    callback=landscape.callback,
    params=landscape.params,
    help="The former name of `landscape` (kept for scripts).",
    hidden=True,
)

COMMANDS = (run, plot, report, animate, landscape, blocs)
