"""The teaching page: Mesa's SolaraViz over the alignment model (`alignsim serve`).

The page shows the alignment network drawn live (nodes sized by capability, edges coloured
by sign), the focal actor's alignment toward each partner and its hedging index over time,
and a timeline of the events as they fire (scripted ones with their source and quote,
agents' own actions marked as such). The sidebar holds Mesa's step/play/reset controls, a
scenario picker over `scenarios/`, sliders for the main parameters and each actor's hedging
propensity (the actors of the scenario the page starts with), and a toggle for the what-if
(hypothetical) events.

`alignsim serve` runs this module with `solara run`; the scenario folder and the first
scenario come from the environment variables ALIGNSIM_SCENARIOS and ALIGNSIM_SCENARIO.
Nothing is built at import but the page itself.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from sim.core.params import REGISTRY
from sim.core.policy import ACTION_NAMES, ACTION_TYPES
from sim.engine.model import AlignmentModel
from sim.inputs.scenario import load_scenario
from sim.views.plots import OKABE_ITO, date_axis, draw_matrix_network

SCENARIOS = Path(
    os.environ.get("ALIGNSIM_SCENARIOS", Path(__file__).resolve().parents[2] / "scenarios")
)
FIRST = os.environ.get("ALIGNSIM_SCENARIO", "two-patrons.yaml")
SLIDERS = ("hedging_rate", "decay", "balance", "impulse", "noise", "tolerance")


def scenario_names() -> list[str]:
    """Scenario files under the scenario folder, as relative paths."""
    return sorted(p.relative_to(SCENARIOS).as_posix() for p in SCENARIOS.rglob("*.yaml"))


class ClassroomModel(AlignmentModel):
    """The alignment model with keyword parameters, as SolaraViz builds it.

    Args:
        scenario: a scenario file under the scenario folder.
        hedging_rate, decay, balance, impulse, noise, tolerance: parameter values (see
            `alignsim params`; an actor's own tolerance overrides the parameter); None keeps
            the scenario's.
        kwargs: ``hedging_<ACTOR>``, an actor's hedging propensity (0..1), for the actors of
            the chosen scenario that have one.
        whatif_events: keep the events marked hypothetical.
        seed: the run's seed.
    """

    def __init__(
        self,
        scenario: str = FIRST,
        hedging_rate: float | None = None,
        decay: float | None = None,
        balance: float | None = None,
        impulse: float | None = None,
        noise: float | None = None,
        tolerance: float | None = None,
        whatif_events: bool = True,
        seed: int | str = 1,
        **kwargs: float,
    ) -> None:
        loaded = load_scenario(SCENARIOS / scenario)
        chosen = {
            "hedging_rate": hedging_rate,
            "decay": decay,
            "balance": balance,
            "impulse": impulse,
            "noise": noise,
            "tolerance": tolerance,
        }
        values = {k: float(v) for k, v in chosen.items() if v is not None}
        actors = tuple(
            dataclasses.replace(a, hedging=float(kwargs[f"hedging_{a.id}"]))
            if f"hedging_{a.id}" in kwargs
            else a
            for a in loaded.actors
        )
        events = (
            loaded.events
            if whatif_events
            else tuple(e for e in loaded.events if "hypothetical" not in e.note)
        )
        scenario_now = dataclasses.replace(loaded, actors=actors, events=events)
        super().__init__(scenario_now.with_parameters(values, "page"), int(seed))


def model_params() -> dict[str, Any]:
    """The sidebar's inputs: scenario picker, parameter sliders, toggles."""
    first = load_scenario(SCENARIOS / FIRST)
    params: dict[str, Any] = {
        "scenario": {
            "type": "Select",
            "value": FIRST,
            "values": scenario_names(),
            "label": "Scenario",
        },
    }
    for name in SLIDERS:
        p = REGISTRY[name]
        params[name] = {
            "type": "SliderFloat",
            "value": first.parameters[name],
            "min": p.low,
            "max": p.high,
            "step": (p.high - p.low) / 100,
            "label": f"{name} ({p.unit})",
        }
    for actor in first.actors:
        params[f"hedging_{actor.id}"] = {
            "type": "SliderFloat",
            "value": actor.hedging,
            "min": 0.0,
            "max": 1.0,
            "step": 0.05,
            "label": f"{actor.name}'s hedging propensity",
        }
    params["whatif_events"] = {
        "type": "Checkbox",
        "value": True,
        "label": "include what-if (hypothetical) events",
    }
    params["seed"] = {"type": "InputText", "value": 1, "label": "seed"}
    return params


def dates_so_far(model: AlignmentModel) -> pd.DatetimeIndex:
    """The dates recorded so far."""
    return pd.DatetimeIndex(model.scenario.dates[: model.engine.k + 1].astype("datetime64[ns]"))


@solara.component
def Network(model: AlignmentModel) -> None:
    """The alignment network now."""
    update_counter.get()
    scenario = model.scenario
    fig = Figure(figsize=(6, 5.5), layout="constrained")
    ax = fig.subplots()
    ids = scenario.actor_ids

    def style(actor: str) -> dict[str, Any]:
        return {"color": OKABE_ITO[ids.index(actor) % len(OKABE_ITO)]}

    draw_matrix_network(
        ax,
        ids,
        {a.id: a.name for a in scenario.actors},
        {a.id: a.capability for a in scenario.actors},
        model.engine.alignment[0],
        style,
    )
    ax.set_title(f"Alignment network on {model.date_text}")
    solara.FigureMatplotlib(fig, format="png")


@solara.component
def FocalAlignment(model: AlignmentModel) -> None:
    """The focal actor's alignment toward each partner so far."""
    update_counter.get()
    scenario, i = model.scenario, model.scenario.focal_index
    fig = Figure(figsize=(7, 3.6), layout="constrained")
    ax = fig.subplots()
    when = dates_so_far(model)
    history = model.history[: len(when)]
    for j, actor in enumerate(scenario.actors):
        if j != i:
            ax.plot(
                when, history[:, i, j], color=OKABE_ITO[j % len(OKABE_ITO)], lw=2, label=actor.name
            )
    ax.set_xlim(mdates.date2num(scenario.start), mdates.date2num(scenario.end))
    ax.set_ylim(-1.05, 1.05)
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_ylabel("alignment (−1 … +1)")
    ax.set_title(f"{scenario.actors[i].name}'s alignment toward each actor")
    ax.legend(fontsize=8, loc="lower left", ncols=3)
    date_axis(ax)
    solara.FigureMatplotlib(fig, format="png")


@solara.component
def Hedging(model: AlignmentModel) -> None:
    """The focal actor's hedging index so far."""
    update_counter.get()
    frame = model.datacollector.get_model_vars_dataframe()
    fig = Figure(figsize=(7, 2.6), layout="constrained")
    ax = fig.subplots()
    ax.plot(pd.to_datetime(frame["date"]), frame["focal_hedging_index"], color="black", lw=2)
    ax.set_xlim(mdates.date2num(model.scenario.start), mdates.date2num(model.scenario.end))
    ax.set_ylim(0, 1)
    ax.set_ylabel("hedging index")
    ax.set_title(f"{model.scenario.focal}'s hedging index (1 − HHI of partner shares)")
    date_axis(ax)
    solara.FigureMatplotlib(fig, format="png")


def fired_events(model: AlignmentModel, most: int = 12) -> list[str]:
    """The latest events applied so far, newest first, as Markdown table rows."""
    schedule, k = model.scenario.schedule, model.engine.k
    ids = model.scenario.actor_ids
    rows = []
    for e in range(len(schedule.step)):
        if schedule.step[e] <= k:
            event = schedule.events[schedule.event[e]]
            quote = f"“{event.quote}” ({event.doc})" if event.quote else event.note
            rows.append(
                (
                    np.datetime64(event.date),
                    f"{event.source} → {ids[schedule.target[e]]}",
                    event.type,
                    quote,
                )
            )
    for action in model.engine.actions:
        rows.append(
            (
                model.scenario.dates[action.step - 1],
                f"{ids[action.source]} → {ids[action.target]}",
                ACTION_TYPES[action.kind],
                f"agent action ({ACTION_NAMES[action.kind]})",
            )
        )
    rows.sort(key=lambda r: r[0], reverse=True)
    return [
        f"| {str(d)[:10]} | {who} | {kind} | {text.replace('|', '/')} |"
        for d, who, kind, text in rows[:most]
    ]


@solara.component
def Timeline(model: AlignmentModel) -> None:
    """The events as they fire, with their sources."""
    update_counter.get()
    rows = fired_events(model)
    header = "| date | who | event | source / note |\n|---|---|---|---|\n"
    solara.Markdown(
        f"**Date {model.date_text}** (step {model.engine.k} of "
        f"{model.engine.steps})\n\n" + (header + "\n".join(rows) if rows else "_no event yet_")
    )


@solara.component
def Page() -> None:
    """The page `solara run sim.views.app` serves."""
    params = model_params()
    model = solara.use_memo(
        lambda: ClassroomModel(**{k: v["value"] for k, v in params.items()}), []
    )
    SolaraViz(
        model,
        components=[Network, FocalAlignment, Hedging, Timeline],
        model_params=params,
        name="alignsim: alignment and hedging",
    )
