"""`alignsim report DIR`: one self-contained HTML page for a run, a comparison, a sweep, a
sensitivity analysis, a calibration, a posterior or an SBC folder.

The page opens with what the folder is (its summary), then the figures of the folder's last
drawing (`sim.figures.record`: in the order drawn, the focal actor's first, each with a
caption saying what it shows), PNG or SVG as drawn, embedded (base64); then the tables, and
for a run the events with their sources and quotes, so the page can be sent to a colleague
or put on a course page as a single file.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from sim import __version__
from sim.core.params import REGISTRY
from sim.figures.captions import caption
from sim.figures.folders import kind_of
from sim.figures.record import read_record
from sim.io.files import read_manifest

STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;font-size:12px;margin:1em 0}td,th{border:1px solid #ccc;
padding:3px 6px;text-align:left}th{background:#f2f2f2}img{max-width:100%;margin:1em 0}
figcaption{font-size:13px;color:#555}"""


#: The formats a page shows (a figure drawn in several: the first), with their media types.
SHOWN = {".png": "image/png", ".svg": "image/svg+xml"}


class Sections(NamedTuple):
    """A report's parts: the summary before the figures, the tables after them."""

    summary: list[str]
    tables: list[str]


def figure(path: Path, text: str) -> str:
    """An embedded PNG or SVG with its caption, and the file's name."""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (
        f'<figure><img alt="{html.escape(text)}" src="data:{SHOWN[path.suffix]};base64,'
        f'{data}"><figcaption>{html.escape(text)} <small>({html.escape(path.name)})</small>'
        f"</figcaption></figure>"
    )


def pictures(folder: Path, manifest: dict[str, Any]) -> list[tuple[Path, str]]:
    """The figures a report shows, one per figure (PNG over SVG), with their captions: the
    folder's last drawing; in a folder from before alignsim kept that record, every PNG or
    SVG in it, the focal actor's alignment first."""
    drawn = read_record(folder)
    if drawn is None:
        files = sorted(p for p in folder.iterdir() if p.suffix in SHOWN)
        scenario = manifest.get("scenario")
        focal = scenario.get("focal") if isinstance(scenario, dict) else manifest.get("focal")
        files.sort(key=lambda p: p.stem != f"alignment_{focal}")
        drawn = [(p, caption(p.stem, manifest)) for p in files]
    chosen: dict[str, tuple[Path, str]] = {}
    for path, text in drawn:
        if path.suffix in SHOWN and path.stem not in chosen:
            chosen[path.stem] = (path, text)
    return list(chosen.values())


def table(frame: pd.DataFrame, rows: int = 200) -> str:
    """A table (the first `rows` rows) as HTML, numbers rounded for reading."""
    return frame.head(rows).to_html(index=False, float_format=lambda v: f"{v:.4g}", border=0)


def run_sections(folder: Path) -> Sections:
    """A run: its manifest summary, the final metrics, the events with sources."""
    manifest = read_manifest(folder)
    events = pd.read_parquet(folder / "events.parquet")
    scripted = events[events["origin"] == "scripted"][
        ["date", "id", "source", "target", "type", "goldstein", "magnitude", "doc", "quote"]
    ]
    metrics = pd.read_parquet(folder / "metrics.parquet")
    last = metrics[metrics["date"] == metrics["date"].max()]
    scenario = manifest["scenario"]
    summary = [
        f"<h1>{html.escape(scenario['name'])}</h1>",
        f"<p>{scenario['start']} to {scenario['end']}, {scenario['step']} steps, seed "
        f"{manifest['seed']}, scenario hash <code>{scenario['hash'][:16]}</code>; "
        f"{manifest['events']['scripted']} scripted events, "
        f"{manifest['events']['agent_actions']} agent actions.</p>",
    ]
    return Sections(
        summary,
        [
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
                        "source": [
                            manifest["parameter_sources"][k] for k in manifest["parameters"]
                        ],
                    }
                )
            ),
        ],
    )


def comparison_sections(folder: Path) -> Sections:
    """A comparison: what was compared, then the summary with intervals."""
    manifest = read_manifest(folder)
    return Sections(
        [
            f"<h1>What-if comparison: {html.escape(manifest['label'])}</h1>",
            f"<p>{html.escape(manifest['base']['label'])} against "
            f"{len(manifest['whatifs'])} what-if(s), {manifest['replicates']} replicates with "
            f"common random numbers, seed {manifest['seed']}.</p>",
        ],
        ["<h2>What-if minus base</h2>", table(pd.read_parquet(folder / "summary.parquet"))],
    )


def plan_of(folder: Path) -> dict[str, Any]:
    """A sweep folder's plan (sweep.json)."""
    plan: dict[str, Any] = json.loads((folder / "sweep.json").read_text(encoding="utf-8"))
    return plan


def sweep_sections(folder: Path) -> Sections:
    """A sweep: its plan, then the mean outcomes per design point."""
    plan = plan_of(folder)
    results = pd.read_parquet(folder / "results.parquet")
    means = (
        results.drop(columns=["replicate", "seed"])
        .groupby("point")
        .mean(numeric_only=True)
        .reset_index()
    )
    return Sections(
        [
            f"<h1>Sweep of {html.escape(plan.get('name', plan['scenario']))}</h1>",
            f"<p>{html.escape(plan['scenario'])}: {len(plan['design'])} design points "
            f"({html.escape(plan['sampler'])}) over "
            f"{html.escape(', '.join(v['name'] for v in plan['vary']))}, "
            f"{plan['replicates']} replicates each, seed {plan['seed']}.</p>",
        ],
        ["<h2>Mean outcomes per design point</h2>", table(means)],
    )


def calibration_sections(folder: Path) -> Sections:
    """A calibration report: the fit, each target at the best fit, the holdout forecast,
    the fitted parameters over the plateau, and the spread of projections across it."""
    manifest = read_manifest(folder)
    holdout = manifest["holdout"]
    projections = pd.read_parquet(folder / "projections.parquet")
    return Sections(
        [
            f"<h1>Calibration of {html.escape(manifest['scenario']['name'])}</h1>",
            f"<p>{len(manifest['parameters'])} parameters fitted to {manifest['targets']} targets"
            f"{'' if holdout is None else f' dated before {holdout}'}: loss "
            f"{manifest['loss']:.4g} after {manifest['runs']} runs ({manifest['generations']} "
            f"generations, {manifest['replicates']} replicates, seed {manifest['seed']}); "
            f"{manifest['plateau_size']} evaluated vectors within ε = {manifest['epsilon']:g} of "
            f"the best loss.</p>",
        ],
        [
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
        ],
    )


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


def sensitivity_sections(folder: Path) -> Sections:
    """A sensitivity analysis: what was varied, then the indices."""
    manifest = read_manifest(folder)
    return Sections(
        [
            f"<h1>{html.escape(manifest['method'].capitalize())} sensitivity of "
            f"{html.escape(manifest['outcome'])}</h1>",
            f"<p>{html.escape(manifest['scenario']['name'])}: parameters "
            f"{html.escape(', '.join(manifest['parameters']))} over their registry ranges; "
            f"{manifest['runs']} runs ({manifest['replicates']} replicates a design point), seed "
            f"{manifest['seed']}.</p>",
        ],
        ["<h2>Indices</h2>", table(pd.read_parquet(folder / "indices.parquet"))],
    )


def posterior_sections(folder: Path) -> Sections:
    """A posterior: its evidence and precision, then each parameter and target."""
    manifest = read_manifest(folder)
    return Sections(
        [
            f"<h1>Posterior of {html.escape(manifest['scenario']['name'])}</h1>",
            f"<p>Model {html.escape(str(manifest.get('model')))}, evidence "
            f"{html.escape(str(manifest.get('evidence')))}: {manifest['runs']} prior runs, "
            f"effective sample size {manifest['effective_sample_size']:g}.</p>",
        ],
        [
            "<h2>Parameters</h2>",
            table(pd.read_parquet(folder / "parameters.parquet")),
            "<h2>Posterior predictive check of the targets</h2>",
            table(pd.read_parquet(folder / "predictive.parquet")),
        ],
    )


def sbc_sections(folder: Path) -> Sections:
    """A simulation-based calibration: its verdict, then each parameter's."""
    manifest = read_manifest(folder)
    verdict = "passes" if manifest.get("passed") else "fails"
    return Sections(
        [
            "<h1>Simulation-based calibration</h1>",
            f"<p>{manifest['datasets']} synthetic datasets from a bank of "
            f"{manifest['bank_runs']} prior runs; the inference {verdict} the simultaneous "
            f"band.</p>",
        ],
        ["<h2>Parameters</h2>", table(pd.read_parquet(folder / "sbc.parquet"))],
    )


def render(folder: Path) -> Path:
    """Write `folder/report.html` and return its path."""
    kind = kind_of(folder)
    sections = {
        "run": run_sections,
        "comparison": comparison_sections,
        "sweep": sweep_sections,
        "calibration": calibration_sections,
        "sensitivity": sensitivity_sections,
        "posterior": posterior_sections,
        "sbc": sbc_sections,
    }[kind](folder)
    drawn = folder / "plots" if kind == "sweep" else folder
    manifest = plan_of(folder) if kind == "sweep" else read_manifest(folder)
    shown = pictures(drawn, manifest) if drawn.is_dir() else []
    body = "\n".join(
        [
            *sections.summary,
            *(["<h2>Figures</h2>"] if shown else []),
            *(figure(path, text) for path, text in shown),
            *sections.tables,
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
