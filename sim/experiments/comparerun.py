"""`alignsim compare` from start to finish: run, write tables and plots, summarise."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sim.experiments.compare import Metric, compare
from sim.figures.comparison import bands_figure, differences_figure
from sim.io.files import atomic_folder, write_json, write_table
from sim.io.scenario import Scenario


def run_comparison(
    base: Scenario,
    whatifs: list[Scenario],
    metric: Metric,
    replicates: int,
    seed: int,
    folder: Path,
    at: dt.date | None = None,
) -> list[str]:
    """Compare, write `folder` (tables, plots, manifest) and return summary lines."""
    result = compare(base, whatifs, metric, replicates, seed, at)
    with atomic_folder(folder) as work:
        write_table(result.bands, work, "bands", csv=True)
        write_table(result.differences, work, "differences", csv=True)
        write_table(result.summary, work, "summary", csv=True)
        bands_figure(result, metric, whatifs).savefig(work / "bands.png", dpi=120)
        differences_figure(result, metric).savefig(work / "differences.png", dpi=120)
        write_json(
            work / "manifest.json",
            {
                "base": {"file": str(base.path), "hash": base.hash},
                "whatifs": [{"file": str(w.path), "hash": w.hash} for w in whatifs],
                "metric": metric.name,
                "actor": metric.actor,
                "replicates": replicates,
                "seed": seed,
            },
        )
    lines = [
        f"{metric.label} on {result.summary['date'].iloc[0]}, {replicates} replicates with "
        f"common random numbers; base mean {result.summary['base_mean'].iloc[0]:.3f}"
    ]
    for row in result.summary.itertuples():
        lines.append(
            f"  {row.whatif}: difference {row.difference_mean:+.3f} "
            f"(95% t-interval {row.t_low:+.3f} to {row.t_high:+.3f}; bootstrap "
            f"{row.bootstrap_low:+.3f} to {row.bootstrap_high:+.3f}; positive in "
            f"{row.share_positive:.0%} of replicates)"
        )
    lines.append(f"outputs: {folder}/")
    return lines
