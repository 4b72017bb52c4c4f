"""The scenario file format: pydantic models, safe YAML reading, and located errors.

A scenario file is YAML read with `yaml.safe_load` semantics only (a tag that would build
an object is an error). Each file is validated on its own with the models below; `extends`
overlays are merged afterwards by `sim.io.scenario`. `alignsim schema` prints the JSON Schema
of `ScenarioFile` for editors. Errors name the file, the line and the field.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
)

from sim.core.errors import InputError, where
from sim.io.files import read_text
from sim.io.limits import NUMBER_DIGITS, YAML_ALIASES, YAML_DEPTH, YAML_NODES, excerpt

ACTOR_ID = r"^[A-Za-z][A-Za-z0-9_]{0,31}$"
EVENT_ID = r"^[A-Za-z0-9][A-Za-z0-9._:+-]*$"
Alignment = Annotated[float, Field(ge=-1.0, le=1.0)]


class Strict(BaseModel):
    """Base: unknown fields and NaN or infinite numbers are errors."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class ActorSpec(Strict):
    """One actor (a state) and its attributes; see `sim.core.params.ACTOR_ATTRIBUTES`."""

    id: str = Field(pattern=ACTOR_ID, description="Short id, e.g. an ISO 3166 alpha-3 code")
    name: str | None = Field(None, description="Display name; defaults to the id")
    capability: float | None = Field(
        None,
        gt=0.0,
        le=1.0,
        description="Relative power (shares sum to ~1); required unless an overlay changes "
        "an inherited actor",
    )
    hedging: float = Field(0.5, ge=0.0, le=1.0, description="Aversion to one-patron dependence")
    tolerance: float | None = Field(
        None, ge=0.2, le=1.0, description="Own dependence tolerance (overrides the parameter)"
    )
    tags: tuple[str, ...] = Field((), description="Free labels, e.g. 'patron'")


class EventSpec(Strict):
    """One dated event, written inline in a scenario or as a row of an event table."""

    id: str = Field(pattern=EVENT_ID, description="Unique id")
    date: dt.date
    source: str = Field(description="Actor id of the acting state")
    target: str = Field(description="Actor id, or several separated by ';'")
    type: str | int = Field(description="Taxonomy name or CAMEO code as text ('057')")
    magnitude: float = Field(1.0, gt=0.0, le=10.0, description="1 = an act of top leaders")
    institutional: bool = Field(False, description="Treaty or formal agreement: moves baseline")
    doc: str = Field("", description="Source document's file name ('' if hypothetical)")
    quote: str = Field("", description="Short verbatim span supporting the event")
    note: str = ""


class IncludeSpec(Strict):
    """An event table (CSV) to include, by path relative to the scenario file."""

    file: str
    other_actors: Literal["skip", "error"] = Field(
        "error", description="Events naming actors the scenario lacks: skip and count, or error"
    )
    other_dates: Literal["skip", "error"] = Field(
        "error", description="Events dated outside start..end: skip and count, or error"
    )


def _event_kind(value: Any) -> str:
    return "include" if isinstance(value, dict) and "file" in value else "event"


EventEntry = Annotated[
    Annotated[IncludeSpec, Tag("include")] | Annotated[EventSpec, Tag("event")],
    Discriminator(_event_kind),
]


class ScenarioFile(Strict):
    """One scenario file. With `extends`, every field is optional and overrides the base."""

    name: str | None = None
    description: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    step: Literal["day", "week", "month"] | None = None
    seed: int | None = Field(None, ge=0, lt=2**63)
    focal: str | None = Field(None, description="Actor whose view the summary and plots take")
    extends: str | None = Field(None, description="Base scenario file this one overlays")
    actors: tuple[ActorSpec, ...] = ()
    alignment: dict[str, dict[str, Alignment]] = Field(
        default_factory=dict, description="Initial stance of row actor toward column actor"
    )
    symmetric: bool = Field(True, description="One value sets both directions unless false")
    parameters_from: str | None = Field(None, description="Fitted parameters file (YAML)")
    model: str | None = Field(
        None,
        description="Model variant: full, no-balance, no-hedging, no-jealousy, "
        "no-spillover, no-agents or null (`alignsim params --model NAME`)",
    )
    events: tuple[EventEntry, ...] = ()
    remove_events: tuple[str, ...] = ()
    parameters: dict[str, float] = Field(default_factory=dict)
    agents_from: Literal["last_event", "start"] | dt.date = Field(
        "last_event", description="When agents begin to initiate actions"
    )


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file."""
    schema = ScenarioFile.model_json_schema()
    schema["title"] = "alignsim scenario"
    return schema


class PlainLoader(yaml.SafeLoader):
    """YAML's safe loader for plain data, with limits (README, "Bad input").

    Dates stay text, for pydantic to parse with located errors. Refused, with the line:
    more than `YAML_ALIASES` aliases (``*name``), a document that with its aliases expanded
    has more than `YAML_NODES` nodes ("billion laughs"), an alias inside the value it
    names, nesting deeper than `YAML_DEPTH`, a key given twice in one mapping, and whole
    numbers of more than `NUMBER_DIGITS` digits. Aliases stay allowed because
    `yaml.safe_dump` writes them for a value shared within what it dumps.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = self.aliases = self.expanded = 0
        self.sizes: dict[str, int] = {}  # nodes of each completed anchored value, expanded

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        """Compose one node, counting it (and what an alias stands for) before going on."""
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self.count(event, self.alias_size(event))
            return super().compose_node(parent, index)
        self.depth += 1
        try:
            if self.depth > YAML_DEPTH:
                raise refusal(event, f"nested more than {YAML_DEPTH} levels deep")
            before = self.expanded
            self.count(event, 1)
            node = super().compose_node(parent, index)
            if getattr(event, "anchor", None) is not None:
                self.sizes[event.anchor] = self.expanded - before
            return node
        finally:
            self.depth -= 1

    def alias_size(self, event: yaml.AliasEvent) -> int:
        """How many nodes an alias stands for; refused beyond `YAML_ALIASES` aliases, and
        inside the value it names."""
        self.aliases += 1
        if self.aliases > YAML_ALIASES:
            raise refusal(
                event, f"more than {YAML_ALIASES} YAML aliases (*name); write the values out"
            )
        if event.anchor in self.anchors and event.anchor not in self.sizes:
            raise refusal(
                event, f"an alias ({excerpt('*' + (event.anchor or ''))}) inside the value it names"
            )
        return self.sizes.get(event.anchor or "", 0)

    def count(self, event: yaml.Event, nodes: int) -> None:
        """Add `nodes` to the expanded document; refused beyond `YAML_NODES`."""
        self.expanded += nodes
        if self.expanded > YAML_NODES:
            raise refusal(
                event,
                f"with its aliases expanded the document has more than {YAML_NODES:,} values; "
                f"write it without aliases that repeat large values",
            )

    def compose_mapping_node(self, anchor: Any) -> yaml.MappingNode:
        """Compose a mapping, refusing a key given twice."""
        node = super().compose_mapping_node(anchor)
        first: dict[str, int] = {}
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode):
                continue
            line = key.start_mark.line + 1
            if key.value in first:
                again = f"duplicate key {excerpt(key.value)} (first at line {first[key.value]})"
                raise refusal(key, f"{again}; give each key once")
            first[key.value] = line
        return node

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        """A whole number, refused beyond `NUMBER_DIGITS` digits before it is converted."""
        digits = sum(c.isdigit() for c in node.value)
        if digits > NUMBER_DIGITS:
            raise refusal(node, f"a number of {digits} digits; at most {NUMBER_DIGITS} are allowed")
        return int(super().construct_yaml_int(node))


PlainLoader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    PlainLoader.construct_yaml_str,  # type: ignore[type-var]
)
PlainLoader.add_constructor(
    "tag:yaml.org,2002:int",
    PlainLoader.construct_yaml_int,
)


def refusal(at: yaml.Node | yaml.Event, problem: str) -> yaml.MarkedYAMLError:
    """A YAML error at a node or event's line (`read_yaml` turns it into an InputError)."""
    mark: Any = at.start_mark
    return yaml.MarkedYAMLError(problem=problem, problem_mark=mark)


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """Read a YAML file safely (`PlainLoader`): the data and its node tree (for line numbers).

    Raises:
        InputError: missing file, undecodable text, YAML syntax errors, tags that would
            construct objects and `PlainLoader`'s refusals, each with the line.
    """
    text = read_text(path)
    loader = PlainLoader(text)
    try:
        node = loader.get_single_node()
        return (None if node is None else loader.construct_document(node)), node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or "invalid YAML"
        if "could not determine a constructor" in problem:
            problem = "YAML tags that construct objects are not allowed (only plain data)"
        raise InputError(f"{where(path, line)}: {problem}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: invalid YAML ({excerpt(str(exc))})") from None
    finally:
        loader.dispose()


def line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """Line (1-based) of the YAML node at a pydantic error location, as deep as it exists."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            found = [v for k, v in node.value if k.value == str(key)]
            if not found:
                break
            node = found[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(node.value):
                break
            node = node.value[key]
        else:
            continue
        line = node.start_mark.line + 1
    return line


def describe_error(error: ValidationError) -> tuple[tuple[Any, ...], str]:
    """The first error of a pydantic ValidationError: its location and a one-line message."""
    first = error.errors(include_url=False)[0]
    loc = tuple(k for k in first["loc"] if k not in ("include", "event"))
    message = first["msg"]
    if first["type"] not in ("missing", "extra_forbidden"):
        message += f"; got {excerpt(first['input'])}"
    elif first["type"] == "extra_forbidden":
        message = "unknown field"
    return loc, message


def dotted(loc: tuple[Any, ...]) -> str:
    """A location as a field path: ``events[3].date``."""
    text = ""
    for key in loc:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text


def read_scenario_file(path: Path) -> tuple[ScenarioFile, yaml.Node | None]:
    """Read and validate one scenario file (no overlay resolution)."""
    data, node = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError(f"{path}: a scenario file must be a YAML mapping of fields")
    try:
        return ScenarioFile.model_validate(data), node
    except ValidationError as exc:
        loc, message = describe_error(exc)
        raise InputError(f"{where(path, line_of(node, loc), dotted(loc))}: {message}") from None
