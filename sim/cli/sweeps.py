"""Commands over many runs: sweeps of a design, global sensitivity, the benchmark."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sim.cli import options, shards
from sim.core.errors import InputError

if TYPE_CHECKING:
    from sim.experiments.bench import Scale
    from sim.experiments.shard import Shard
    from sim.experiments.sweepfolder import Dispatch


@click.command("run")
@options.scenario_argument()
@click.option(
    "--vary",
    "varies",
    multiple=True,
    required=True,
    metavar="NAME=LO:HI:N|NAME=v1,v2",
    help="A varied parameter (repeatable): N values from LO to HI, listed values, "
    "or LO:HI for --sampler lhs|sobol.",
)
@options.choice(
    "--sampler", ("grid", "lhs", "sobol"), "Design: full factorial grid, Latin hypercube or Sobol."
)
@click.option("--samples", type=options.Whole(1), help="Design points for lhs and sobol.")
@options.replicates(10)
@options.seed
@options.model
@options.draw
@options.executors
@options.count("--chunk-runs", 1, None, 500, "About how many runs each chunk (task) holds.")
@options.choice(
    "--envelope-step",
    ("week", "month", "quarter", "year"),
    "Spacing of the envelope dates.",
    default="month",
)
@click.option("--trajectories", is_flag=True, help="Also keep every run's full trajectory.")
@click.option(
    "--csv", is_flag=True, help="Also write results.csv and envelopes.csv (the same rows)."
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Sweep folder [default: outputs/sweeps/<scenario-name>/].",
)
@click.option("--resume", is_flag=True, help="Finish an interrupted sweep in --out.")
@click.option("--force", is_flag=True, help="Discard an existing sweep folder and start again.")
@shards.shard_option
@options.json_output
def sweep(
    scenario: Path,
    varies: tuple[str, ...],
    sampler: str,
    samples: int | None,
    replicates: int,
    seed: int | None,
    model: str | None,
    draw: int | None,
    dispatch: Dispatch,
    chunk_runs: int,
    envelope_step: str,
    trajectories: bool,
    csv: bool,
    out: Path | None,
    resume: bool,
    force: bool,
    shard: Shard | None,
    as_json: bool,
) -> None:
    """Run SCENARIO over a design of parameter values, in resumable chunks.

    \b
    Examples (`alignsim sweep run SCENARIO ...` is the same as `alignsim sweep SCENARIO ...`):
      alignsim sweep scenarios/baseline.yaml --vary jealousy=0:0.6:4 --vary decay=0.002,0.01
      alignsim sweep scenarios/baseline.yaml --vary impulse=0.1:1.5 --sampler sobol \\
          --samples 64 --dask-local 2 --out runs/sweep
      alignsim sweep scenarios/baseline.yaml --vary jealousy=0:0.6:4 --shard 0/3 --out runs/s
    """
    from sim.experiments.design import design_size, parse_vary
    from sim.experiments.sweepfolder import SweepSpec, execute
    from sim.io.files import slug
    from sim.io.limits import SWEEP_RUNS
    from sim.io.scenario import load_scenario

    if resume and force:
        raise InputError("--resume and --force exclude each other")
    parsed = tuple(parse_vary(v) for v in varies)
    runs = design_size(parsed, sampler, samples) * replicates
    SWEEP_RUNS.check(runs, f"--vary ... --replicates {replicates}")
    loaded = load_scenario(scenario, model=model)
    loaded = loaded if draw is None else loaded.with_draw(draw)
    spec = SweepSpec(
        parsed,
        sampler,
        samples,
        replicates,
        loaded.seed if seed is None else seed,
        chunk_runs,
        envelope_step,
        trajectories,
    )
    folder = out or Path("outputs") / "sweeps" / slug(loaded.name)
    if shard is not None:
        return shards.run_shard(loaded, spec, dispatch, folder, shard, resume, force, False)
    done = execute(loaded, spec, dispatch, folder, resume, force, quiet=False, csv=csv)
    plan = done.plan
    total, chunks = sum(c["runs"] for c in plan["chunks"]), len(plan["chunks"])
    rate = done.ran / max(done.seconds, 1e-9)
    lines = [
        f"sweep: {len(plan['design'])} design points x {replicates} replicates = {total} "
        f"runs in {chunks} chunks; ran {done.ran} now in {done.seconds:.1f} s ({rate:.0f} runs/s)",
        f"results: {folder}/results.parquet, envelopes: {folder}/envelopes.parquet",
    ]
    summary = {
        "command": "sweep",
        "folder": str(folder),
        "files": options.written(folder),
        "design_points": len(plan["design"]),
        "replicates": replicates,
        "runs": total,
        "chunks": chunks,
        "ran_now": done.ran,
        "seconds": done.seconds,
        "runs_per_second": rate,
    }
    options.report(lines, summary, as_json)


@click.command()
@options.scenario_argument()
@options.choice(
    "--method", ("sobol", "morris"), "Sobol' indices (Saltelli design) or Morris screening."
)
@options.params
@options.count(
    "--samples",
    2,
    None,
    64,
    "Base sample size N (a power of two for Sobol'); trajectories for Morris.",
)
@options.replicates(4)
@click.option(
    "--outcome",
    default="final_hedging_index",
    show_default=True,
    help="A sweep results column, e.g. final_alignment_CHN.",
)
@options.seed
@options.model
@options.draw
@options.executors
@options.out_folder("outputs/sensitivity/<scenario-name>/")
@options.formats
def sensitivity(
    scenario: Path,
    method: str,
    names: tuple[str, ...],
    samples: int,
    replicates: int,
    outcome: str,
    seed: int | None,
    model: str | None,
    draw: int | None,
    dispatch: Dispatch,
    out: Path | None,
    force: bool,
    formats: tuple[str, ...],
) -> None:
    """Global sensitivity of a sweep outcome to parameters (SALib).

    \b
    Example:
      alignsim sensitivity scenarios/baseline.yaml --method morris --samples 16 \\
          --params jealousy,decay,impulse
    """
    from sim.core.variants import variant
    from sim.experiments.sensitivity import SENSITIVE
    from sim.experiments.sensitivity import sensitivity as analyse
    from sim.io.files import atomic_folder, output_folder, slug
    from sim.io.scenario import load_scenario

    loaded = load_scenario(scenario, model=model)
    loaded = loaded if draw is None else loaded.with_draw(draw)
    free = variant(loaded.model)
    chosen = free.check_free(names, "--params") if names else free.free(SENSITIVE)
    folder = output_folder(out, Path("outputs") / "sensitivity" / slug(loaded.name), force)
    root = loaded.seed if seed is None else seed
    with atomic_folder(folder) as work:
        found = analyse(
            loaded, method, chosen, samples, replicates, root, outcome, dispatch, work / "sweep"
        )
        found.write(work, formats)
    click.echo(
        f"{method} sensitivity of {outcome}: {found.runs} runs ({found.runs // replicates} "
        f"design points x {replicates} replicates)"
    )
    for row in found.table.to_dict("records"):
        click.echo(
            "  "
            + "  ".join(
                f"{k}={v:.3f}" if isinstance(v, float) else f"{v:16s}" for k, v in row.items()
            )
        )
    click.echo(f"outputs: {folder}/")


@click.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@options.count("--runs", 1, None, 2000, "Runs in the ensemble batch.")
@options.count("--mesa-runs", 1, None, 5, "Runs timed through the Mesa path.")
@click.option(
    "--actors",
    callback=options.parse_sizes,
    help="Instead: time and peak memory of `alignsim run` on generated scenarios of these "
    "sizes (e.g. 50,200,500), each in its own process.",
)
@click.option(
    "--page",
    is_flag=True,
    help="Instead: steps drawn per second by the teaching page (`alignsim serve SCENARIO`) "
    "in headless Chromium, with --pages pages playing at once.",
)
@options.count("--pages", 1, 60, 1, "With --page: pages open and playing at once.")
@options.amount("--seconds", 10, 3600, 300.0, "With --page: most seconds to let the pages play.")
@options.count("--pause", 0, 10_000, 50, "With --page: the play loop's pause between steps (ms).")
@options.json_output
def bench(
    scenario: Path | None,
    runs: int,
    mesa_runs: int,
    actors: tuple[int, ...],
    page: bool,
    pages: int,
    seconds: float,
    pause: int,
    as_json: bool,
) -> None:
    """Time the Mesa path against the ensemble engine (runs per second, ratios, memory),
    on SCENARIO [default: the example baseline.yaml; with --page, two-patrons.yaml],
    `alignsim run` at scale with --actors, or the teaching page with --page.

    \b
    Examples:
      alignsim bench scenarios/baseline.yaml --runs 2000
      alignsim bench --actors 50,200,500
      alignsim bench scenarios/two-patrons.yaml --page --pages 30
    """
    if actors:
        from sim.experiments.bench import scale

        sizes = list(scale(actors))
        found = {"command": "bench", "scale": [dataclasses.asdict(s) for s in sizes]}
        options.report(scale_lines(sizes), found, as_json)
        return
    from sim.io.examples import example_scenario
    from sim.io.scenario import load_scenario

    if page:
        from sim.page.bench import bench_page

        served = scenario or example_scenario("two-patrons.yaml")
        name = load_scenario(served).name  # bad input fails here, in one line
        played = bench_page(served, pages, seconds, ("--pause", str(pause)))
        options.report(
            played.lines(name), {"command": "bench", "page": dataclasses.asdict(played)}, as_json
        )
        return
    from sim.experiments.bench import bench as measure

    b = measure(load_scenario(scenario or example_scenario("baseline.yaml")), runs, mesa_runs)
    lines = [
        f"{b.scenario}: {b.actors} actors, {b.steps} steps",
        f"  Mesa path:        {1 / b.mesa:8.1f} runs/s ({b.mesa * 1e3:.1f} ms a run, "
        f"mean of {b.mesa_runs})",
        f"  ensemble, R=1:    {1 / b.single:8.1f} runs/s ({b.single * 1e3:.1f} ms a run)",
        f"  ensemble, R={b.runs}: {1 / b.batch:8.1f} runs/s",
        f"  ratio ensemble batch / Mesa, per run: {b.mesa / b.batch:.0f}x; Mesa / ensemble "
        f"R=1: {b.mesa / b.single:.2f}x",
        *(
            f"  {n:3d} actors: {1 / s:8.1f} runs/s with R={r} ({s:.3f} s a run)"
            for n, r, s in b.synthetic
        ),
        f"  peak memory of this process: {b.peak_mb:.0f} MB",
    ]
    summary = {
        "command": "bench",
        "scenario": b.scenario,
        "actors": b.actors,
        "steps": b.steps,
        "runs_per_second": {"mesa": 1 / b.mesa, "ensemble_single": 1 / b.single},
        "ensemble_batch": {"runs": b.runs, "runs_per_second": 1 / b.batch},
        "synthetic": [
            {"actors": n, "batch_runs": r, "runs_per_second": 1 / s} for n, r, s in b.synthetic
        ],
        "peak_mb": b.peak_mb,
    }
    options.report(lines, summary, as_json)


def scale_lines(sizes: list[Scale]) -> list[str]:
    """One line per size: the run's time and peak memory, with ratios to the first size."""
    lines = ["`alignsim run` of generated scenarios (weekly, ten years, every table and figure):"]
    first = None
    for s in sizes:
        first = first or s
        lines.append(
            f"  {s.actors:4d} actors: {s.seconds:7.1f} s, peak {s.peak_mb:6.0f} MB "
            f"({s.rows:,} alignment rows in {s.row_groups} row groups; "
            f"x{s.seconds / first.seconds:.1f} time, x{s.peak_mb / first.peak_mb:.1f} memory)"
        )
    return lines


COMMANDS = (shards.sweep_group(sweep), sensitivity, bench)
