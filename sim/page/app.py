"""The teaching page: Mesa's model controller over the alignment model (`alignsim serve`).

The page shows the alignment network drawn live (nodes sized by capability, edges coloured
by sign), the focal actor's alignment toward each partner and its hedging index over time,
drawn as SVG at every step (`sim.page.svg`), and a timeline of the events as they fire
(scripted ones with their source and quote, agents' own actions marked as such). The
sidebar holds Mesa's Reset/play/Step controls (`ModelController`, Mesa's play loop), the
pause between steps, a scenario picker over the server's catalogue (`sim.page.catalogue`),
sliders for the main parameters and each actor's hedging propensity (the actors of the
scenario the page starts with), each with its value shown, a toggle for the what-if
(hypothetical) events and the seed. A switch in the title bar (or ``?projector`` in the
address) enlarges the type for a projector.

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
from urllib.parse import parse_qs

import numpy as np
import solara
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter

from sim.core.events import in_words
from sim.core.params import REGISTRY
from sim.core.policy import ACTION_NAMES, ACTION_TYPES
from sim.engine.model import AlignmentModel
from sim.io.scenario import Actor, Scenario
from sim.page import svg
from sim.page.catalogue import Catalogue

log = logging.getLogger("alignsim.page")

SLIDERS = ("hedging_rate", "decay", "balance", "impulse", "noise", "tolerance")
EXCERPT = 24
SEED = re.compile(r"\d{1,18}")

#: The play loop's pause between two steps, in milliseconds, to start with (Mesa's own is
#: 100: on a loaded 2-core machine a step and its drawing took about 110 ms more).
DEFAULT_PAUSE = 50
#: The pictures' type size, normal and in projector mode (SVG units).
NORMAL_FONT, PROJECTOR_FONT = 14.0, 20.0

_served: list[Catalogue] = []
_served_pause: list[int] = []


def configure(catalogue: Catalogue, pause: int = DEFAULT_PAUSE) -> None:
    """Give the page the catalogue it serves and the pause its play loop starts with, in
    milliseconds (called by the server before it starts)."""
    _served[:] = [catalogue]
    _served_pause[:] = [pause]


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
        kwargs: the sliders (named so because Mesa's visualization looks for that name):
            parameters (`SLIDERS`, see `alignsim params`; an actor's own tolerance overrides
            the parameter) and ``hedging_<ACTOR>``, an actor's hedging propensity (0..1), for
            the actors of the chosen scenario that have one. Other names are ignored (Mesa
            3.5's model controller adds a `scenario` of its own on reset).
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
            "label": name,
            "unit": p.unit,
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


def font_of(projector: bool) -> float:
    """The pictures' type size: normal, or large for a projector."""
    return PROJECTOR_FONT if projector else NORMAL_FONT


def network_view(model: AlignmentModel, font: float) -> tuple[str, str]:
    """The alignment network now, as SVG layers: the ties (each step), the nodes over them."""
    ring = svg.Ring(
        tuple(a.name for a in model.actors), tuple(a.capability for a in model.actors), font
    )
    title = f"Alignment network on {model.date_text}"
    return ring.ties(model.date_index, model.alignment, title), ring.frame()


def alignment_view(model: AlignmentModel, font: float) -> tuple[str, str]:
    """The focal actor's alignment toward each partner so far, as SVG layers: the frame,
    the lines over it (each step)."""
    i, days = model.spec.focal_index, svg.days_of(model.dates)
    title = f"{model.actors[i].name}'s alignment toward each actor"
    panel = svg.Panel(560, 270, days[0], days[-1], -1.0, 1.0, title, font)
    partners = [(j, a) for j, a in enumerate(model.actors) if j != i]
    frame = panel.frame("alignment (−1 … +1)", (-1, -0.5, 0, 0.5, 1))
    frame += panel.legend([(a.name, svg.colour_of(j)) for j, a in partners])
    history, shown = model.history, days[: model.date_index + 1]
    lines = [panel.line(shown, history[:, i, j], svg.colour_of(j), 2.5) for j, _ in partners]
    return (
        svg.svg("alignment-frame", None, panel.width, panel.height, title, frame),
        svg.svg("alignment", model.date_index, panel.width, panel.height, "", lines),
    )


def hedging_view(model: AlignmentModel, font: float) -> tuple[str, str]:
    """The focal actor's hedging index so far (a gap where it has no patron), as SVG
    layers: the frame, the line over it (each step)."""
    days = svg.days_of(model.dates)
    focal = model.actors[model.spec.focal_index].name
    title = f"{focal}'s hedging index (balance between its two patrons)"
    panel = svg.Panel(560, 200 + 10 * (font - NORMAL_FONT), days[0], days[-1], 0, 1, title, font)
    frame = panel.frame("hedging index", (0, 0.5, 1))
    index = np.array(model.datacollector.model_vars["focal_hedging_index"], dtype=float)
    line = panel.line(days[: len(index)], index, "black", 2.5)
    return (
        svg.svg("hedging-frame", None, panel.width, panel.height, title, frame),
        svg.svg("hedging", model.date_index, panel.width, panel.height, "", [line]),
    )


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
                    in_words(event.type),
                    quote,
                )
            )
    for action in model.actions:
        rows.append(
            (
                model.dates[action.step - 1],
                f"{ids[action.source]} → {ids[action.target]}",
                in_words(ACTION_TYPES[action.kind]),
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
    return f"<table class='alignsim-events'><tr>{head}</tr>{body}</table>"


def picture(model: AlignmentModel, font: float, draw: Any, area: str) -> None:
    """One picture of the model in its place of the page's grid: two SVG layers, the
    second over the first, each a widget of its own, so that a step sends (and the browser
    redraws) only the layer that changed, never the frame's text."""
    below, above = draw(model, font)
    with solara.Div(classes=["alignsim-picture"], style=f"grid-area: {area}"):
        solara.HTML(tag="div", unsafe_innerHTML=below)
        solara.HTML(tag="div", unsafe_innerHTML=above, classes=["alignsim-over"])


def timeline(model: AlignmentModel) -> None:
    """The date, any refused value, and the events as they fire, with their sources."""
    last = len(model.dates) - 1
    with solara.Column(gap="4px", style="grid-area: events; min-width: 0"):
        for line in getattr(model, "notices", ()):
            solara.Warning(line)
        solara.Text(
            f"Date {model.date_text} (step {model.date_index} of {last})",
            classes=["alignsim-step"],
        )
        solara.HTML(tag="div", unsafe_innerHTML=events_table(fired_events(model)))


@solara.component
def Views(model: AlignmentModel, projector: bool) -> None:
    """The pictures and the timeline, redrawn together, once at every step (Mesa's
    update counter): one render of this component, not one per picture."""
    update_counter.get()
    font = font_of(projector)
    views = ["alignsim-views", *(["alignsim-projector"] if projector else [])]
    with solara.Div(classes=views):
        picture(model, font, network_view, "network")
        picture(model, font, alignment_view, "alignment")
        picture(model, font, hedging_view, "hedging")
        timeline(model)


def shown_value(value: object) -> str:
    """A slider's value as the page shows it beside its name (0.003, 0.5, 50)."""
    return f"{value:g}" if isinstance(value, float | int) else str(value)


@solara.component
def ValueSlider(spec: dict[str, Any], value: float, on_value: Any) -> None:
    """A slider whose value is always shown beside its name (its unit, if any, below)."""
    with solara.Column(gap="0px", classes=["alignsim-input"], style="min-width: 0"):
        with solara.Row(justify="space-between", style="align-items: baseline; gap: 8px"):
            solara.Text(spec["label"], classes=["alignsim-label"])
            solara.Text(shown_value(value), classes=["alignsim-value"], style="white-space: nowrap")
        if spec.get("unit"):
            solara.Text(spec["unit"], classes=["alignsim-unit"])
        solara.SliderFloat(
            "",
            value=value,
            min=spec["min"],
            max=spec["max"],
            step=spec["step"],
            on_value=on_value,
            thumb_label=False,
        )


@solara.component
def Inputs(params: dict[str, Any], chosen: solara.Reactive[dict[str, Any]]) -> None:
    """The scenario picker, the sliders, the what-if toggle and the seed; what they hold
    is what Reset builds the model from."""

    def setter(name: str) -> Any:
        return lambda value: chosen.set({**chosen.value, name: value})

    for name, spec in params.items():
        value = chosen.value.get(name, spec["value"])
        kind = spec["type"]
        if kind == "Select":
            solara.Select(spec["label"], value=value, values=spec["values"], on_value=setter(name))
        elif kind == "SliderFloat":
            ValueSlider(spec, value, setter(name))
        elif kind == "Checkbox":
            solara.Checkbox(label=spec["label"], value=value, on_value=setter(name))
        else:
            solara.InputText(spec["label"], value=value, on_value=setter(name))


PAUSE = {"label": "pause between steps", "unit": "ms", "min": 0, "max": 1000, "step": 10}

CSS = """
.alignsim-views { display: grid; gap: 12px 20px; align-items: start; max-width: 1500px;
  grid-template-columns: minmax(0, 5fr) minmax(0, 7fr);
  grid-template-areas: "network alignment" "network hedging" "events events"; }
.alignsim-picture { position: relative; min-width: 0; contain: layout paint; }
.alignsim-over { position: absolute; inset: 0; }
.alignsim-events { border-collapse: collapse; width: 100%; }
.alignsim-events th, .alignsim-events td { text-align: left; padding: 2px 10px 2px 0;
  vertical-align: top; border-bottom: 1px solid #ddd; }
.alignsim-events td:first-child { white-space: nowrap; }
.alignsim-label { font-weight: 500; }
.alignsim-value { font-weight: 700; font-variant-numeric: tabular-nums; }
.alignsim-unit { font-size: 0.8em; color: #555; }
.alignsim-input { margin-top: 12px; }
.alignsim-projector { font-size: 1.35rem; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); }
.alignsim-projector .alignsim-events { font-size: 1.35rem; }
"""

#: In projector mode the sidebar holds only the play controls, in a narrower drawer.
PROJECTOR_CSS = """
.v-navigation-drawer { min-width: 300px !important; }
.alignsim-sidebar-projector, .alignsim-sidebar-projector .v-btn { font-size: 1.25rem; }
"""


def wants_projector(search: str | None) -> bool:
    """Whether the page's address asks for the projector mode (``?projector``)."""
    query = parse_qs(search or "", keep_blank_values=True)
    return query.get("projector", ["0"])[-1].lower() not in ("0", "false", "no", "off")


@solara.component
def Page() -> None:
    """The page the server serves (inside `Layout`): Mesa's model controller (its play
    loop, with the pause between steps as a setting), the inputs, the pictures."""
    params = model_params()
    first = {k: v["value"] for k, v in params.items()}
    initial = solara.use_memo(lambda: ClassroomModel(**first), [])
    model: solara.Reactive[ClassroomModel] = solara.use_reactive(initial)
    chosen = solara.use_reactive(first)
    pause = solara.use_reactive(_served_pause[0] if _served_pause else DEFAULT_PAUSE)
    every, threads = solara.use_reactive(1), solara.use_reactive(False)  # Mesa's defaults
    projector = solara.use_reactive(wants_projector(solara.use_router().search))
    solara.Style(CSS + (PROJECTOR_CSS if projector.value else ""))
    with solara.AppBar():
        solara.AppBarTitle(f"alignsim: {model.value.spec.name}")
        solara.Switch(label="projector", value=projector)
    side = ["alignsim-sidebar-projector"] if projector.value else []
    with solara.Sidebar(), solara.Column(classes=side):
        with solara.Card("Play"):
            ModelController(
                model,
                model_parameters=chosen,
                play_interval=pause,
                render_interval=every,
                use_threads=threads,
            )
            ValueSlider(PAUSE, pause.value, pause.set)
        with solara.Card("Scenario and parameters"):
            if projector.value:
                solara.Text("Hidden in projector mode: switch it off to change them.")
            else:
                solara.Text("Each takes effect at Reset.", classes=["alignsim-unit"])
                Inputs(params, chosen)
    Views(model.value, projector.value)


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
