"""The teaching page: Mesa's SolaraViz over the alignment model (`alignsim serve`).

The page shows the alignment network drawn live (nodes sized by capability, edges coloured
by sign), the focal actor's alignment toward each partner and its hedging index over time,
and a timeline of the events as they fire (scripted ones with their source and quote,
agents' own actions marked as such). The sidebar holds Mesa's step/play/reset controls, a
scenario picker over the server's catalogue (`sim.page.catalogue`), sliders for the main
parameters and each actor's hedging propensity (the actors of the scenario the page starts
with), and a toggle for the what-if (hypothetical) events.

Everything a client sends is a value, never a path: the picker's entry is looked up in the
catalogue built when the server started, and every value is checked against its range. A
value that does not pass is replaced by the scenario's own and named, in one short line, on
the page; the detail goes to the server's log. `sim.page.server` configures the catalogue
and serves this module; nothing is built at import but the page itself.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import math
import re
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
from sim.figures.runs import OKABE_ITO, date_axis, draw_matrix_network
from sim.io.scenario import Actor, Scenario
from sim.page.catalogue import Catalogue

log = logging.getLogger("alignsim.page")

SLIDERS = ("hedging_rate", "decay", "balance", "impulse", "noise", "tolerance")
EXCERPT = 24
SEED = re.compile(r"\d{1,18}")

_served: list[Catalogue] = []


def configure(catalogue: Catalogue) -> None:
    """Give the page the catalogue it serves (called by the server before it starts)."""
    _served[:] = [catalogue]


def served() -> Catalogue:
    """The catalogue the server configured."""
    if not _served:
        raise RuntimeError("the teaching page is served by `alignsim serve`")
    return _served[0]


def excerpt(value: object) -> str:
    """At most a short, printable excerpt of a client's value, for a one-line message."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool | int | float) or value is None:
        text = repr(value)
    else:
        return f"a {type(value).__name__}"
    clean = "".join(c if c.isprintable() else "?" for c in text[: EXCERPT + 1])
    return repr(clean[:EXCERPT] + ("…" if len(clean) > EXCERPT else ""))


def number_in(value: object, low: float, high: float) -> float | None:
    """`value` as a float within [low, high], or None."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    if isinstance(value, str) and len(value) > EXCERPT:
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) and low <= number <= high else None


class Choices:
    """The client's values, each checked; what failed is kept as one line each."""

    def __init__(self) -> None:
        self.notices: list[str] = []

    def refuse(self, field: str, value: object, allowed: str, kept: str) -> None:
        """Record a refused value (the log gets it in full, the page an excerpt)."""
        log.warning("page: refused %s = %.200r", field, value)
        self.notices.append(f"{field} {excerpt(value)} refused: {allowed}; using {kept}")

    def scenario(self, value: object) -> tuple[str, Scenario]:
        """The catalogue entry picked, or the page's first."""
        catalogue = served()
        if isinstance(value, str) and value in catalogue.scenarios:
            return value, catalogue.scenarios[value]
        self.refuse("scenario", value, "not on this page's list", catalogue.first)
        return catalogue.first, catalogue.scenarios[catalogue.first]

    def parameter(self, name: str, value: object, scenario: Scenario) -> float:
        """A parameter value within the registry's range, or the scenario's."""
        p = REGISTRY[name]
        number = number_in(value, p.low, p.high)
        if number is None:
            kept = scenario.parameters[name]
            self.refuse(name, value, f"a number from {p.low:g} to {p.high:g}", f"{kept:g}")
            return kept
        return number

    def seed(self, value: object, scenario: Scenario) -> int:
        """A seed of up to 18 digits, or the scenario's."""
        text = str(value).strip() if isinstance(value, int | str) else ""
        if not isinstance(value, bool) and SEED.fullmatch(text):
            return int(text)
        self.refuse("seed", value, "a whole number of up to 18 digits", str(scenario.seed))
        return scenario.seed


class ClassroomModel(AlignmentModel):
    """The alignment model as the page builds it, from the values of its controls.

    Every value comes from a client and is checked: a refused one is replaced by the
    scenario's own value and listed in `notices`; the constructor never fails on a value.

    Args:
        spec: an entry of the served catalogue.
        whatif_events: keep the events marked hypothetical.
        seed: the run's seed; None keeps the scenario's.
        kwargs: the sliders (named so because Mesa 3.3's SolaraViz looks for that name):
            parameters (`SLIDERS`, see `alignsim params`; an actor's own tolerance overrides
            the parameter) and ``hedging_<ACTOR>``, an actor's hedging propensity (0..1), for
            the actors of the chosen scenario that have one. Other names are ignored (Mesa
            3.5's SolaraViz adds a `scenario` of its own on reset).
    """

    def __init__(
        self,
        spec: object = None,
        whatif_events: object = True,
        seed: object = None,
        **kwargs: object,
    ) -> None:
        choices = Choices()
        entry, loaded = choices.scenario(spec)
        values = {
            k: choices.parameter(k, kwargs[k], loaded) for k in SLIDERS if kwargs.get(k) is not None
        }
        actors = tuple(self.propensity(a, kwargs, choices) for a in loaded.actors)
        events = (
            loaded.events
            if whatif_events is not False
            else tuple(e for e in loaded.events if "hypothetical" not in e.note)
        )
        rng = loaded.seed if seed is None else choices.seed(seed, loaded)
        chosen = dataclasses.replace(loaded, actors=actors, events=events)
        super().__init__(chosen, rng=rng, **values)
        self.entry, self.notices = entry, tuple(choices.notices)

    @staticmethod
    def propensity(actor: Actor, kwargs: dict[str, object], choices: Choices) -> Actor:
        """The actor with the hedging propensity the page set, if it set a valid one."""
        field = f"hedging_{actor.id}"
        if field not in kwargs:
            return actor
        number = number_in(kwargs[field], 0.0, 1.0)
        if number is None:
            choices.refuse(field, kwargs[field], "a number from 0 to 1", f"{actor.hedging:g}")
            return actor
        return dataclasses.replace(actor, hedging=number)


def slider_step(low: float, high: float, value: float) -> float:
    """A decimal step (about a hundredth of the range, or finer) on whose grid from `low`
    the value lies, so that the slider, which snaps to its grid, starts at the value."""
    step = 10.0 ** math.floor(math.log10((high - low) / 100))
    for _ in range(8):
        ticks = (value - low) / step
        if abs(ticks - round(ticks)) < 1e-6:
            break
        step /= 10
    return step


def model_params() -> dict[str, Any]:
    """The sidebar's inputs: scenario picker, parameter sliders, toggles."""
    catalogue = served()
    first = catalogue.scenarios[catalogue.first]
    params: dict[str, Any] = {
        "spec": {
            "type": "Select",
            "value": catalogue.first,
            "values": catalogue.names,
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
            "step": slider_step(p.low, p.high, first.parameters[name]),
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
    params["seed"] = {"type": "InputText", "value": str(first.seed), "label": "seed"}
    return params


def dates_so_far(model: AlignmentModel) -> pd.DatetimeIndex:
    """The dates recorded so far."""
    return pd.DatetimeIndex(model.dates[: model.date_index + 1].astype("datetime64[ns]"))


@solara.component
def Network(model: AlignmentModel) -> None:
    """The alignment network now."""
    update_counter.get()
    fig = Figure(figsize=(6, 5.5), layout="constrained")
    ax = fig.subplots()
    ids = model.spec.actor_ids

    def style(actor: str) -> dict[str, Any]:
        return {"color": OKABE_ITO[ids.index(actor) % len(OKABE_ITO)]}

    draw_matrix_network(
        ax,
        ids,
        {a.id: a.name for a in model.actors},
        {a.id: a.capability for a in model.actors},
        model.alignment,
        style,
    )
    ax.set_title(f"Alignment network on {model.date_text}")
    solara.FigureMatplotlib(fig, format="png")


@solara.component
def FocalAlignment(model: AlignmentModel) -> None:
    """The focal actor's alignment toward each partner so far."""
    update_counter.get()
    scenario, i = model.spec, model.spec.focal_index
    fig = Figure(figsize=(7, 3.6), layout="constrained")
    ax = fig.subplots()
    when = dates_so_far(model)
    history = model.history
    for j, actor in enumerate(model.actors):
        if j != i:
            ax.plot(
                when, history[:, i, j], color=OKABE_ITO[j % len(OKABE_ITO)], lw=2, label=actor.name
            )
    ax.set_xlim(mdates.date2num(scenario.start), mdates.date2num(scenario.end))
    ax.set_ylim(-1.05, 1.05)
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_ylabel("alignment (−1 … +1)")
    ax.set_title(f"{model.actors[i].name}'s alignment toward each actor")
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
    ax.set_xlim(mdates.date2num(model.spec.start), mdates.date2num(model.spec.end))
    ax.set_ylim(0, 1)
    ax.set_ylabel("hedging index")
    ax.set_title(f"{model.spec.focal}'s hedging index (balance between its two patrons)")
    date_axis(ax)
    solara.FigureMatplotlib(fig, format="png")


def fired_events(model: AlignmentModel, most: int = 12) -> list[tuple[str, str, str, str]]:
    """The latest events applied so far, newest first: (date, who, event, source or note)."""
    schedule, k = model.spec.schedule, model.date_index
    ids = model.spec.actor_ids
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
    for action in model.actions:
        rows.append(
            (
                model.dates[action.step - 1],
                f"{ids[action.source]} → {ids[action.target]}",
                ACTION_TYPES[action.kind],
                f"agent action ({ACTION_NAMES[action.kind]})",
            )
        )
    rows.sort(key=lambda r: r[0], reverse=True)
    return [(str(d)[:10], who, kind, text) for d, who, kind, text in rows[:most]]


def events_table(rows: list[tuple[str, str, str, str]]) -> str:
    """The fired events as an HTML table, every cell escaped."""
    if not rows:
        return "<p><em>no event yet</em></p>"
    head = "".join(f"<th>{h}</th>" for h in ("date", "who", "event", "source / note"))
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f'<table style="border-collapse: collapse"><tr>{head}</tr>{body}</table>'


@solara.component
def Timeline(model: AlignmentModel) -> None:
    """The events as they fire, with their sources."""
    update_counter.get()
    for line in getattr(model, "notices", ()):
        solara.Warning(line)
    last = len(model.dates) - 1
    solara.Text(f"Date {model.date_text} (step {model.date_index} of {last})")
    solara.HTML(tag="div", unsafe_innerHTML=events_table(fired_events(model)))


@solara.component
def Page() -> None:
    """The page the server serves (inside `Layout`): Mesa's SolaraViz with the page's model,
    components and inputs."""
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


@solara.component
def Layout(children: list[Any] | None = None) -> None:
    """The root of the page: an error anywhere below it, in a render or in a control's
    handler, reaches the client as one line; the traceback goes to the server's log."""
    exception, _ = solara.use_exception()
    if exception is None:
        solara.AppLayout(children=children or [])
    else:
        log.error("page: %s", type(exception).__name__, exc_info=exception)
        solara.Error("The page hit an error and stopped; the server's log has the details.")
