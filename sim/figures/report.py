"""`alignsim report DIR`: one self-contained HTML page for a run, a comparison, a sweep or a
calibration report.

Every PNG in the folder is embedded (base64), the tables are rendered as HTML, and for a run
the events come with their sources and quotes, so the page can be sent to a colleague or put
on a course page as a single file.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim import __version__
from sim.core.params import REGISTRY
from sim.figures.folders import kind_of
from sim.io.files import read_manifest

STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;font-size:12px;margin:1em 0}td,th{border:1px solid #ccc;
padding:3px 6px;text-align:left}th{background:#f2f2f2}img{max-width:100%;margin:1em 0}
figcaption{font-size:13px;color:#555}"""


def figure(path: Path) -> str:
    """An embedded PNG with its file name as caption."""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (
        f'<figure><img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{html.escape(path.name)}</figcaption></figure>"
    )


def table(frame: pd.DataFrame, rows: int = 200) -> str:
    """A table (the first `rows` rows) as HTML, numbers rounded for reading."""
    return frame.head(rows).to_html(index=False, float_format=lambda v: f"{v:.4g}", border=0)


def run_sections(folder: Path) -> list[str]:
    """A run: its manifest summary, the events with sources, and the final metrics."""
    manifest = read_manifest(folder)
    events = pd.read_parquet(folder / "events.parquet")
    scripted = events[events["origin"] == "scripted"][
        ["date", "id", "source", "target", "type", "goldstein", "magnitude", "doc", "quote"]
    ]
    metrics = pd.read_parquet(folder / "metrics.parquet")
    last = metrics[metrics["date"] == metrics["date"].max()]
    scenario = manifest["scenario"]
    return [
        f"<h1>{html.escape(scenario['name'])}</h1>",
        f"<p>{scenario['start']} to {scenario['end']}, {scenario['step']} steps, seed "
        f"{manifest['seed']}, scenario hash <code>{scenario['hash'][:16]}</code>; "
        f"{manifest['events']['scripted']} scripted events, "
        f"{manifest['events']['agent_actions']} agent actions.</p>",
        "<h2>Measures at the end</h2>",
        table(last),
        "<h2>Scripted events and their sources</h2>",
        table(scripted, rows=1000),
        "<h2>Parameters</h2>",
        table(
            pd.DataFrame(
                {
                    "parameter": list(manifest["parameters"]),
                    "value": list(manifest["parameters"].values()),
                    "source": [manifest["parameter_sources"][k] for k in manifest["parameters"]],
                }
            )
        ),
    ]


def comparison_sections(folder: Path) -> list[str]:
    """A comparison: the summary with intervals."""
    manifest = read_manifest(folder)
    return [
        f"<h1>What-if comparison: {html.escape(manifest['metric'])} of "
        f"{html.escape(manifest['actor'])}</h1>",
        f"<p>{manifest['replicates']} replicates with common random numbers, seed "
        f"{manifest['seed']}.</p>",
        table(pd.read_parquet(folder / "summary.parquet")),
    ]


def sweep_sections(folder: Path) -> list[str]:
    """A sweep: its plan and the mean outcomes per design point."""
    plan = json.loads((folder / "sweep.json").read_text(encoding="utf-8"))
    results = pd.read_parquet(folder / "results.parquet")
    means = (
        results.drop(columns=["replicate", "seed"])
        .groupby("point")
        .mean(numeric_only=True)
        .reset_index()
    )
    return [
        f"<h1>Sweep of {html.escape(plan['scenario'])}</h1>",
        f"<p>{len(plan['design'])} design points ({html.escape(plan['sampler'])}), "
        f"{plan['replicates']} replicates each, seed {plan['seed']}.</p>",
        "<h2>Mean outcomes per design point</h2>",
        table(means),
    ]


def calibration_sections(folder: Path) -> list[str]:
    """A calibration report: the fit, each target at the best fit, the holdout forecast,
    the fitted parameters over the plateau, and the spread of projections across it."""
    manifest = read_manifest(folder)
    holdout = manifest["holdout"]
    projections = pd.read_parquet(folder / "projections.parquet")
    return [
        f"<h1>Calibration of {html.escape(manifest['scenario']['name'])}</h1>",
        f"<p>{len(manifest['parameters'])} parameters fitted to {manifest['targets']} targets"
        f"{'' if holdout is None else f' dated before {holdout}'}: loss "
        f"{manifest['loss']:.4g} after {manifest['runs']} runs ({manifest['generations']} "
        f"generations, {manifest['replicates']} replicates, seed {manifest['seed']}); "
        f"{manifest['plateau_size']} evaluated vectors within ε = {manifest['epsilon']:g} of "
        f"the best loss.</p>",
        "<h2>Targets at the best fit</h2>",
        table(pd.read_parquet(folder / "targets.parquet")),
        *([] if holdout is None else forecast_section(folder, holdout)),
        "<h2>Fitted parameters: best value and the range over the plateau</h2>",
        table(fitted_parameters(manifest, pd.read_parquet(folder / "plateau.parquet"))),
        f"<h2>Projections at {projections.attrs.get('after', 'the end')} across the plateau "
        f"(5%, 50%, 95%)</h2>",
        table(
            projections.drop(columns=["member", "seed"])
            .quantile([0.05, 0.5, 0.95])
            .rename_axis("quantile")
            .reset_index()
        ),
    ]


def forecast_section(folder: Path, holdout: str) -> list[str]:
    """A holdout's forecast of the later targets."""
    return [
        f"<h2>Holdout forecast: the targets from {holdout} on, without the events from that "
        f"date on</h2>",
        table(pd.read_parquet(folder / "forecast.parquet")),
    ]


def fitted_parameters(manifest: dict[str, Any], plateau: pd.DataFrame) -> pd.DataFrame:
    """Per fitted parameter: the best value, the plateau's interval and the unit."""
    names = manifest["parameters"]
    return pd.DataFrame(
        {
            "parameter": names,
            "best": [manifest["best"][n] for n in names],
            "plateau_low": [plateau[n].min() for n in names],
            "plateau_high": [plateau[n].max() for n in names],
            "unit": [REGISTRY[n].unit for n in names],
        }
    )


def sensitivity_sections(folder: Path) -> list[str]:
    """A sensitivity analysis: what was varied, and the indices."""
    manifest = read_manifest(folder)
    return [
        f"<h1>{html.escape(manifest['method'].capitalize())} sensitivity of "
        f"{html.escape(manifest['outcome'])}</h1>",
        f"<p>{html.escape(manifest['scenario']['name'])}: parameters "
        f"{html.escape(', '.join(manifest['parameters']))} over their registry ranges; "
        f"{manifest['runs']} runs ({manifest['replicates']} replicates a design point), seed "
        f"{manifest['seed']}.</p>",
        table(pd.read_parquet(folder / "indices.parquet")),
    ]


def render(folder: Path) -> Path:
    """Write `folder/report.html` and return its path."""
    kind = kind_of(folder)
    sections = {
        "run": run_sections,
        "comparison": comparison_sections,
        "sweep": sweep_sections,
        "calibration": calibration_sections,
        "sensitivity": sensitivity_sections,
    }[kind](folder)
    pictures = sorted(folder.glob("*.png")) + sorted((folder / "plots").glob("*.png"))
    body = "\n".join(
        [
            *sections,
            "<h2>Figures</h2>",
            *map(figure, pictures),
            f"<p><small>alignsim {__version__}</small></p>",
        ]
    )
    page = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>alignsim "
        f"{kind} report</title><style>{STYLE}</style></head><body>{body}</body></html>"
    )
    path = folder / "report.html"
    path.write_text(page, encoding="utf-8")
    return path
