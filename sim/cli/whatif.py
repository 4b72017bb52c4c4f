"""What-if commands: compare scenarios on common random numbers, rank events' influence."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import click

from sim.cli import options

log = logging.getLogger("alignsim.compare")


@click.command()
@click.argument("base", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("whatifs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@options.replicates(100, low=2)
@options.seed
@options.metric
@options.model
@click.option(
    "--conditional",
    is_flag=True,
    help="Run every replicate at the base's fitted point (its posterior median) instead of "
    "drawing parameters from its posterior: intervals conditional on one fit.",
)
@click.option(
    "--models",
    metavar="A,B,...",
    help="Also answer under each of these model variants (each at draws of its own posterior "
    "from the model comparison beside the base's fit) and averaged over them, weighted by "
    "their posterior probabilities.",
)
@options.out_folder("outputs/compare/<base-name>/")
@options.formats
@options.json_output
def compare(
    base: Path,
    whatifs: tuple[Path, ...],
    replicates: int,
    seed: int | None,
    metric: str,
    actor: str | None,
    at: dt.date | None,
    model: str | None,
    conditional: bool,
    models: str | None,
    out: Path | None,
    force: bool,
    formats: tuple[str, ...],
    as_json: bool,
) -> None:
    """Compare WHATIF scenarios with BASE: bands, differences and their intervals.

    Each replicate's parameters are a draw from the base's posterior (and its seed its
    own), shared by every scenario, so the differences are posterior predictive; the
    agents' decision parameters, which the documents cannot inform, are drawn from their
    priors. With --conditional, or without a posterior, every replicate runs at the fitted
    point. --models adds the answer under each listed variant and the model-averaged one.

    \b
    Examples:
      alignsim compare scenarios/baseline.yaml scenarios/whatif/us-summit-2026.yaml
      alignsim compare scenarios/baseline.yaml scenarios/whatif/*.yaml \\
          --metric alignment_USA --at 2026-07-06 --replicates 200
      alignsim compare scenarios/baseline.yaml scenarios/whatif/us-summit-2026.yaml \\
          --models full,null --metric alignment_USA --at 2026-07-06
    """
    import pandas as pd

    from sim.experiments.compare import Metric, as_models, posterior_draws, with_models
    from sim.experiments.compare import compare as run_all
    from sim.io.files import output_folder, slug
    from sim.io.scenario import load_scenario

    loaded = load_scenario(base, model=model)
    others = [load_scenario(w, model=model) for w in whatifs]
    chosen = Metric(metric, actor or loaded.focal)
    folder = output_folder(out, Path("outputs") / "compare" / slug(loaded.name), force)
    root = loaded.seed if seed is None else seed
    draws = None if conditional else posterior_draws(loaded, replicates, root)
    if draws is None and not conditional:
        log.info(f"{loaded.path}: no posterior beside its fit; conditional on its parameters")
    variants = as_models(loaded, others, model_list(models, conditional))
    result = run_all(loaded, others, chosen, replicates, root, at, draws)
    if variants[0]:
        result = with_models(result, *variants, chosen, replicates, root, at)
    result.save(folder, formats, force=True)  # output_folder has refused a user's
    summary = result.summary
    kind = (
        "at the fitted point (conditional on one fit)"
        if draws is None
        else "each at a draw from the base's posterior, the agents' parameters from their priors"
    )
    day = pd.Timestamp(summary["date"].iloc[0]).date()
    lines = [
        f"{chosen.label} on {day}, {replicates} replicates with "
        f"common random numbers, {kind}; base mean {summary['base_mean'].iloc[0]:.3f}"
    ]
    for row in summary.itertuples():
        lines.append(
            f"  {row.whatif}: difference {row.difference_mean:+.3f}, 90% of replicates "
            f"{row.q05:+.3f} to {row.q95:+.3f}, positive in {row.share_positive:.0%} "
            f"(the mean's 95% t-interval {row.t_low:+.3f} to {row.t_high:+.3f})"
        )
    if result.models is not None:
        lines.append("by model variant (posterior probability among those listed):")
        for r in result.models.itertuples():
            lines.append(
                f"  {r.whatif} | {r.model} ({r.probability:.2f}): difference "
                f"{r.difference_mean:+.3f}, 90% {r.q05:+.3f} to {r.q95:+.3f}, positive in "
                f"{r.share_positive:.0%}"
            )
    lines.append(f"outputs: {folder}/")
    summary_json = {
        "command": "compare",
        "base": loaded.name,
        "metric": chosen.label,
        "replicates": replicates,
        "conditional": draws is None,
        "folder": str(folder),
        "files": options.written(folder),
        "differences": options.records(summary),
        "models": None if result.models is None else options.records(result.models),
    }
    options.report(lines, summary_json, as_json)


def model_list(models: str | None, conditional: bool) -> list[str]:
    """The variants of --models (checked by `sim.experiments.compare.as_models`).

    Raises:
        InputError: --models with --conditional.
    """
    from sim.core.errors import InputError

    if models is None:
        return []
    if conditional:
        raise InputError(
            "--models: answers at draws of each variant's posterior; drop --conditional"
        )
    return [m.strip() for m in models.split(",")]


@click.command()
@options.scenario_argument()
@options.choice(
    "--by", ("event", "document"), "Leave out one event, or every event of one document."
)
@options.replicates(20, low=2)
@options.seed
@options.metric
@options.count("--top", 1, None, 10, "How many of the most influential to print.")
@options.out_file("Also write the whole ranking to this CSV")
def influence(
    scenario: Path,
    by: str,
    replicates: int,
    seed: int | None,
    metric: str,
    actor: str | None,
    at: dt.date | None,
    top: int,
    out: Path | None,
    force: bool,
) -> None:
    """Rank the events (or documents) whose omission moves an outcome most.

    \b
    Example:
      alignsim influence scenarios/baseline.yaml --by document --metric alignment_RUS
    """
    from sim.experiments.compare import Metric
    from sim.experiments.influence import influence as rank
    from sim.io.files import atomic_file, output_file
    from sim.io.scenario import load_scenario

    target = None if out is None else output_file(out, force)
    loaded = load_scenario(scenario)
    chosen = Metric(metric, actor or loaded.focal)
    root = loaded.seed if seed is None else seed
    table = rank(loaded, by, chosen, replicates, root, at)
    if target is not None:
        with atomic_file(target) as work:
            table.to_csv(work, index=False, lineterminator="\n")
    click.echo(
        f"{chosen.label} on {table['date'].iloc[0]}: change when each {by} is left "
        f"out (without minus with; mean over {replicates} replicates, 95% t-interval)"
    )
    for row in table.head(top).itertuples():
        click.echo(
            f"  {row.difference_mean:+.4f} [{row.t_low:+.4f}, {row.t_high:+.4f}]  "
            f"{row.left_out} ({row.events} event{'s' if row.events != 1 else ''})"
        )


COMMANDS = (compare, influence)
