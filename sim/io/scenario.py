"""Scenarios: load, validate and overlay scenario files into one frozen `Scenario`.

A scenario names the actors, their initial alignment, the calendar, the seed, parameters
and events (inline, or event tables by relative path). ``extends`` makes a file an overlay
on another (a what-if): scalar fields, actors (by id, field by field), alignment entries
and parameters override the base's; ``remove_events`` drops inherited events; an event
whose id is inherited replaces the inherited one; an id repeated within one file is an
error. Parameter precedence (README, "Scenario files"): registry defaults < ``parameters_from`` <
the scenario's ``parameters`` (an overlay's over its base's) < ``--set``.

Everything is checked before a run starts, and every error names the file, the line or
field, the problem and what is allowed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sim.core import params as registry
from sim.core.errors import InputError, where
from sim.core.events import (
    Event,
    Schedule,
    compile_schedule,
    resolve_type,
    step_count,
    step_dates,
    step_of,
)
from sim.core.variants import variant
from sim.io.eventtable import Row, read_event_table
from sim.io.files import sha256
from sim.io.limits import EXTENDS_DEPTH, STEPS, excerpt
from sim.io.paths import check_file
from sim.io.posteriorfile import check_hashes, posterior_draw
from sim.io.schema import (
    ActorSpec,
    EventSpec,
    ScenarioFile,
    dotted,
    line_of,
    read_scenario_file,
    read_yaml,
)

#: Parameter sources that a user set on purpose (a variant refuses to override them).
SET_BY_USER = ("--set", "parameters", "AlignmentModel")

SCALARS = (
    "name",
    "description",
    "start",
    "end",
    "step",
    "seed",
    "focal",
    "agents_from",
    "parameters_from",
    "model",
)


@dataclass(frozen=True)
class Actor:
    """A state in the model.

    Attributes:
        id: short id (e.g. PRK).
        name: display name.
        capability: relative power.
        hedging: aversion to one-patron dependence, 0..1.
        tolerance: own dependence tolerance, or None to use the `tolerance` parameter.
        tags: free labels.
    """

    id: str
    name: str
    capability: float
    hedging: float
    tolerance: float | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layer:
    """One file of an `extends` chain, validated."""

    path: Path
    spec: ScenarioFile
    node: yaml.Node | None

    def place(self, *loc: Any) -> str:
        """Location prefix of a field of this file: ``file line N, field a.b``."""
        return where(self.path, line_of(self.node, loc), dotted(loc))

    def given(self, field: str) -> bool:
        """Whether this file sets the field explicitly."""
        return field in self.spec.model_fields_set


@dataclass(frozen=True)
class Entry:
    """An event as written, with its include options."""

    row: Row
    skip_other_actors: bool = False
    skip_other_dates: bool = False


@dataclass(frozen=True)
class Scenario:
    """A fully resolved, validated scenario (immutable).

    Attributes:
        name, description: as written.
        path: the top scenario file.
        start, end: first and last date (inclusive).
        step: 'day', 'week' or 'month'.
        seed: default seed of a run.
        focal: id of the actor whose view summaries and plots take.
        agents_from: 'last_event', 'start' or a date: when agents begin to act.
        actors: the actors, in order (their index is their row in the alignment matrix).
        alignment: initial alignment [N, N] (read-only).
        parameters: resolved parameter values; parameter_sources: where each came from.
        events: scripted events, sorted by (date, id).
        skipped: events of included tables skipped, by reason.
        files: every file read, relative to the top file's folder, with its SHA-256.
        parameters_from: the fitted-parameters file the scenario reads, if any (where
            `alignsim calibrate` writes by default).
        model: the model variant (`sim.core.variants`); its switched-off parameters are 0
            in `parameters`.
        open_parameters, open_sources: the parameters and their sources before the
            variant fixed its switched-off ones at 0, so that another variant can switch
            them back on (`with_model`); None until a variant is applied.
    """

    name: str
    description: str
    path: Path
    start: dt.date
    end: dt.date
    step: str
    seed: int
    focal: str
    agents_from: str | dt.date
    actors: tuple[Actor, ...]
    alignment: np.ndarray
    parameters: Mapping[str, float]
    parameter_sources: Mapping[str, str]
    events: tuple[Event, ...]
    skipped: Mapping[str, int]
    files: Mapping[str, str]
    parameters_from: Path | None = None
    model: str = "full"
    open_parameters: Mapping[str, float] | None = None
    open_sources: Mapping[str, str] | None = None

    @property
    def actor_ids(self) -> tuple[str, ...]:
        """Actor ids in index order."""
        return tuple(a.id for a in self.actors)

    @property
    def focal_index(self) -> int:
        """Index of the focal actor."""
        return self.actor_ids.index(self.focal)

    @cached_property
    def dates(self) -> np.ndarray:
        """The step grid: K + 1 dates from start to end (see `sim.core.events.step_dates`)."""
        return step_dates(self.start, self.end, self.step)

    @cached_property
    def schedule(self) -> Schedule:
        """The scripted events compiled for the kernels."""
        return compile_schedule(self.events, self.actor_ids, self.dates)

    @property
    def agents_start_step(self) -> int:
        """First step in which agents may act (by default, after the last scripted event)."""
        if self.agents_from == "start":
            return 1
        if self.agents_from == "last_event":
            return self.schedule.last_step + 1
        return step_of(self.dates, self.agents_from)  # type: ignore[arg-type]

    @property
    def capability(self) -> np.ndarray:
        """Capabilities, [N]."""
        return np.array([a.capability for a in self.actors])

    @property
    def hedging(self) -> np.ndarray:
        """Hedging propensities, [N]."""
        return np.array([a.hedging for a in self.actors])

    def tolerance(self, default: float) -> np.ndarray:
        """Dependence tolerances, [N]: the actor's own, else `default`."""
        return np.array([default if a.tolerance is None else a.tolerance for a in self.actors])

    @cached_property
    def hash(self) -> str:
        """SHA-256 of the resolved content (actors, alignment, calendar, events, parameters)."""
        content = {
            "start": str(self.start),
            "end": str(self.end),
            "step": self.step,
            "seed": self.seed,
            "focal": self.focal,
            "agents_from": str(self.agents_from),
            "actors": [dataclasses.asdict(a) for a in self.actors],
            "alignment": self.alignment.tolist(),
            "parameters": dict(sorted(self.parameters.items())),
            "events": [{**dataclasses.asdict(e), "date": str(e.date)} for e in self.events],
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()

    def with_fit(self, values: Mapping[str, float], source: str) -> Scenario:
        """This scenario as it loads when its `parameters_from` table holds `values`.

        Precedence as in loading: defaults < the fitted table < the files' own parameters
        (and `--set`); a value that came from the previous fitted table and is not in
        `values` falls back to its default.
        """
        given, given_sources = self.unfixed
        above = {
            k: v for k, v in given.items() if not given_sources[k].startswith(("default", "fitted"))
        }
        parameters = {**registry.defaults(), **values, **above}
        sources = {
            **dict.fromkeys(parameters, "default"),
            **dict.fromkeys(values, f"fitted ({source})"),
            **{k: given_sources[k] for k in above},
        }
        opened = dataclasses.replace(
            self,
            parameters=parameters,
            parameter_sources=sources,
            open_parameters=None,
            open_sources=None,
        )
        return opened.with_model(self.model, "model")

    @property
    def unfixed(self) -> tuple[Mapping[str, float], Mapping[str, str]]:
        """The parameters and their sources before the variant's switched-off ones were
        fixed at 0."""
        if self.open_parameters is None or self.open_sources is None:
            return self.parameters, self.parameter_sources
        return self.open_parameters, self.open_sources

    def with_draw(self, k: int) -> Scenario:
        """This scenario with draw `k` of the posterior beside its `parameters_from` file in
        place of the posterior median (`sim.io.posteriorfile.posterior_draw`).

        Raises:
            InputError: no `parameters_from`, no posterior, hashes that do not match, or
                `k` out of range.
        """
        if self.parameters_from is None:
            raise InputError(f"--draw {k}: {self.path} has no `parameters_from` posterior")
        values, _ = posterior_draw(self.parameters_from, k)
        return self.with_fit(values, f"posterior.parquet, draw {k}")

    def with_model(self, name: str, where: str = "--model") -> Scenario:
        """This scenario as the variant `name` (its switched-off parameters fixed at 0).

        A mechanism this scenario's variant switched off comes back on with the value it
        had before (`unfixed`).

        Raises:
            InputError: an unknown variant, or a parameter the variant switches off that was
                set explicitly (``--set`` or a keyword) to another value.
        """
        chosen = variant(name, where)
        given, given_sources = self.unfixed
        for k in chosen.off:
            if given[k] != 0 and given_sources[k] in SET_BY_USER:
                raise InputError(
                    f"{given_sources[k]} {k}={given[k]:g}: model {name} "
                    f"fixes {k} at 0; drop the setting or choose another model"
                )
        return dataclasses.replace(
            self,
            model=name,
            parameters=chosen.apply(given),
            parameter_sources={**given_sources, **dict.fromkeys(chosen.off, f"model {name}")},
            open_parameters=dict(given),
            open_sources=dict(given_sources),
        )

    def with_parameters(self, values: Mapping[str, float], source: str = "--set") -> Scenario:
        """A copy with some parameters replaced (values already validated), also in its
        `unfixed` parameters."""
        given, given_sources = self.unfixed
        return dataclasses.replace(
            self,
            parameters={**self.parameters, **values},
            parameter_sources={**self.parameter_sources, **dict.fromkeys(values, source)},
            open_parameters={**given, **values},
            open_sources={**given_sources, **dict.fromkeys(values, source)},
        )


def load_scenario(
    path: str | os.PathLike[str],
    overrides: Mapping[str, float] | None = None,
    model: str | None = None,
    fit: bool = True,
) -> Scenario:
    """Load, overlay and validate a scenario file.

    Args:
        path: the scenario file.
        overrides: parameter values from the command line (already validated), applied last.
        model: the model variant, over the file's `model:` (or, when the file names none,
            its fit's: `model_of`; ``full`` when none says).
        fit: apply its `parameters_from` file (values, starting alignments, and the check of
            its evidence hashes); a calibration loads without, so that it starts from the
            scenario as written, not from the fit it replaces.

    Raises:
        InputError: anything invalid, with file, line or field, and what is allowed.
    """
    top = Path(path)
    layers = read_chain(top, ())
    scenario = resolve(layers, top, fit)
    scenario = scenario.with_parameters(overrides) if overrides else scenario
    return scenario.with_model(model, "--model") if model else scenario.with_model(scenario.model)


def scenario_of(
    spec: str | os.PathLike[str] | Scenario,
    parameters: Mapping[str, object] | None = None,
    where: str = "parameters",
    model: str | None = None,
    fit: bool = True,
) -> Scenario:
    """A scenario from a file's path (with its fit unless `fit` is False, as in
    `load_scenario`) or a loaded `Scenario`, with parameters (checked
    against the registry, as ``--set`` values are) over its own; the values that change
    are recorded as set by `where`, which also begins any error message.

    Raises:
        InputError: a bad file, or an unknown parameter or a value outside its range.
    """
    values = registry.check_all(parameters or {}, where)
    scenario = spec if isinstance(spec, Scenario) else load_scenario(spec, model=model, fit=fit)
    changed = {k: v for k, v in values.items() if v != scenario.parameters[k]}
    scenario = scenario.with_parameters(changed, where) if changed else scenario
    return scenario.with_model(model or scenario.model, "model")


@dataclass(frozen=True)
class Extent:
    """How large a scenario is: its steps and actors, known before it is built."""

    steps: int
    actors: int


def scenario_extent(path: str | os.PathLike[str]) -> Extent:
    """Read a scenario's files (and what it extends) and count its steps and actors.

    Nothing is built: no calendar, no events, no matrices, so a caller can refuse a scenario
    that is too large before loading it.

    Raises:
        InputError: a file that does not read or validate, or a missing calendar field.
    """
    top = Path(path)
    layers = read_chain(top, ())
    scalars = required(merged_scalars(layers), ("start", "end", "step"), top)
    start, end, step = (scalars[f][0] for f in ("start", "end", "step"))
    return Extent(steps=step_count(start, end, step), actors=len(merged_actors(layers)))


def check_calendar(scalars: dict[str, tuple[Any, Layer]]) -> None:
    """Refuse a calendar of more steps than `STEPS` allows, counted from start, end and step
    alone (no dates are built), naming the file that sets `end`."""
    start, end, step = (scalars[f][0] for f in ("start", "end", "step"))
    STEPS.check(
        step_count(start, end, step),
        f"{scalars['end'][1].place('end')} ({start} to {end} by {step})",
    )


def read_chain(path: Path, stack: tuple[Path, ...], place: str | None = None) -> list[Layer]:
    """Read a scenario file and, recursively, the files it extends (base first).

    Raises:
        InputError: a file that is not a readable scenario (`check_file`), an `extends`
            cycle, or a chain deeper than `EXTENDS_DEPTH`.
    """
    check_file(path, "base scenario" if stack else "file", place)
    resolved = path.resolve()
    if resolved in stack:
        chain = " -> ".join(p.name for p in (*stack, resolved))
        raise InputError(f"{path}: extends cycle ({chain}); a scenario cannot extend itself")
    if len(stack) >= EXTENDS_DEPTH:
        raise InputError(
            f"{place}: an extends chain of more than {EXTENDS_DEPTH} files; "
            f"at most {EXTENDS_DEPTH} are allowed (merge some of the overlays)"
        )
    spec, node = read_scenario_file(path)
    layer = Layer(path, spec, node)
    if spec.extends is None:
        return [layer]
    return [
        *read_chain(path.parent / spec.extends, (*stack, resolved), layer.place("extends")),
        layer,
    ]


def resolve(layers: list[Layer], top: Path, fit: bool = True) -> Scenario:
    """Merge an extends chain into a `Scenario` (with its `parameters_from` fit if `fit`)."""
    scalars = required(merged_scalars(layers), ("name", "start", "end", "step"), top)
    start, end = scalars["start"][0], scalars["end"][0]
    if start >= end:
        raise InputError(f"{scalars['end'][1].place('end')}: end {end} must be after start {start}")
    check_calendar(scalars)
    actors = merged_actors(layers)
    ids = tuple(a.id for a in actors)
    focal = scalars.get("focal", (ids[0], layers[-1]))
    if focal[0] not in ids:
        raise InputError(
            f"{focal[1].place('focal')}: unknown actor {excerpt(focal[0])}; "
            f"actors: {', '.join(ids)}"
        )
    agents_from = scalars.get("agents_from", ("last_event", layers[-1]))
    if isinstance(agents_from[0], dt.date) and not start <= agents_from[0] <= end:
        raise InputError(
            f"{agents_from[1].place('agents_from')}: date {agents_from[0]} is "
            f"outside the scenario ({start} to {end})"
        )
    record = fit_record(scalars.get("parameters_from"), fit)
    parameters, sources, starting = merged_parameters(layers, record if fit else None)
    events, skipped = resolve_events(merged_entries(layers), ids, start, end, top)
    return Scenario(
        name=scalars["name"][0],
        description=scalars.get("description", ("", None))[0] or "",
        path=top,
        start=start,
        end=end,
        step=scalars["step"][0],
        seed=scalars.get("seed", (0, None))[0],
        focal=focal[0],
        agents_from=agents_from[0],
        actors=actors,
        alignment=with_starting(merged_alignment(layers, ids), starting, ids),
        parameters=parameters,
        parameter_sources=sources,
        events=events,
        skipped=skipped,
        files=file_hashes(layers, top),
        parameters_from=fitted_path(scalars.get("parameters_from")),
        model=model_of(scalars.get("model"), record),
    )


def model_of(given: tuple[str, Layer] | None, fitted: FitRecord | None) -> str:
    """The variant a file names (checked), else the one its fit says it was fitted as
    (`model:` of its `parameters_from` file, read even when the fit's values are not, so
    that a calibration refits the same model), else ``full``."""
    if given is not None:
        return variant(given[0], given[1].place("model")).name
    if fitted is None or not isinstance(fitted.data, dict) or fitted.data.get("model") is None:
        return "full"
    return variant(str(fitted.data["model"]), f"{fitted.path}: model").name


def fitted_path(fitted: tuple[str, Layer] | None) -> Path | None:
    """The fitted-parameters file named by `parameters_from`, relative to the naming file."""
    return None if fitted is None else fitted[1].path.parent / fitted[0]


def required(
    scalars: dict[str, tuple[Any, Layer]], fields: tuple[str, ...], top: Path
) -> dict[str, tuple[Any, Layer]]:
    """The merged scalar fields, once every one of `fields` is known to be set."""
    for field in fields:
        if field not in scalars:
            raise InputError(
                f"{top}: missing field '{field}' (required, in this file or a base it extends)"
            )
    return scalars


def merged_scalars(layers: list[Layer]) -> dict[str, tuple[Any, Layer]]:
    """Scalar fields, each from the topmost file that sets it, with that file."""
    found: dict[str, tuple[Any, Layer]] = {}
    for layer in layers:
        for field in SCALARS:
            if layer.given(field) and getattr(layer.spec, field) is not None:
                found[field] = (getattr(layer.spec, field), layer)
            elif field == "model" and layer.given(field):
                found[field] = ("null", layer)  # YAML reads `model: null` as no value
    return found


def merged_actors(layers: list[Layer]) -> tuple[Actor, ...]:
    """Actors by id; an overlay changes the fields it sets or adds new actors."""
    specs: dict[str, ActorSpec] = {}
    for layer in layers:
        seen: set[str] = set()
        for i, actor in enumerate(layer.spec.actors):
            if actor.id in seen:
                raise InputError(
                    f"{layer.place('actors', i, 'id')}: actor '{actor.id}' is "
                    f"listed twice in this file"
                )
            seen.add(actor.id)
            old = specs.get(actor.id)
            update = {k: getattr(actor, k) for k in actor.model_fields_set}
            specs[actor.id] = old.model_copy(update=update) if old else actor
            if specs[actor.id].capability is None:
                raise InputError(
                    f"{layer.place('actors', i)}: actor '{actor.id}' needs a "
                    f"capability (a number in (0, 1])"
                )
    if len(specs) < 2:
        raise InputError(
            f"{layers[-1].path}: a scenario needs at least 2 actors; found {len(specs)}"
        )
    return tuple(
        Actor(s.id, s.name or s.id, float(s.capability or 0.0), s.hedging, s.tolerance, s.tags)
        for s in specs.values()
    )


def merged_alignment(layers: list[Layer], ids: tuple[str, ...]) -> np.ndarray:
    """Initial alignment [N, N]: each file's entries over its base's (0 where unset)."""
    index = {a: i for i, a in enumerate(ids)}
    matrix = np.zeros((len(ids), len(ids)))
    for layer in layers:
        table = layer.spec.alignment
        for row, cols in table.items():
            for col, value in cols.items():
                for actor in (row, col):
                    if actor not in index:
                        raise InputError(
                            f"{layer.place('alignment', row, col)}: unknown actor "
                            f"{excerpt(actor)}; actors: {', '.join(ids)}"
                        )
                if row == col:
                    raise InputError(
                        f"{layer.place('alignment', row, col)}: an actor's "
                        f"alignment with itself is not used; remove it"
                    )
                matrix[index[row], index[col]] = value
                if layer.spec.symmetric and row not in table.get(col, {}):
                    matrix[index[col], index[row]] = value
    matrix.setflags(write=False)
    return matrix


@dataclass(frozen=True)
class FitRecord:
    """A `parameters_from` file as read: its name as written, its path and its content."""

    name: str
    path: Path
    data: object


def fit_record(fitted: tuple[str, Layer] | None, required: bool) -> FitRecord | None:
    """The `parameters_from` file, read once (None without one, or when it does not exist
    and is not `required`: a calibration may write the first fit).

    Raises:
        InputError: a required file that is missing, or one that is not YAML.
    """
    path = fitted_path(fitted)
    if fitted is None or path is None or not (required or path.is_file()):
        return None
    check_file(path, "file", fitted[1].place("parameters_from"))
    return FitRecord(fitted[0], path, read_yaml(path)[0])


def merged_parameters(
    layers: list[Layer], fitted: FitRecord | None
) -> tuple[dict[str, float], dict[str, str], dict[tuple[str, str], float]]:
    """Parameters by precedence: defaults < parameters_from < each file's parameters; and
    the symmetric starting alignments the fitted file sets, if any (`with_starting`)."""
    values = registry.defaults()
    sources = dict.fromkeys(values, "default")
    starting: dict[tuple[str, str], float] = {}
    if fitted is not None:
        data, path = fitted.data, fitted.path
        if isinstance(data, dict) and "evidence_sha256" in data:
            check_hashes(data["evidence_sha256"], path.parent, str(path))
        table = data.get("parameters") if isinstance(data, dict) else None
        if not isinstance(table, dict) or not isinstance(data, dict):
            raise InputError(f"{path}: expected a mapping 'parameters: {{name: value}}'")
        values.update(registry.check_all(table, f"{path}: parameters"))
        sources.update(dict.fromkeys(table, f"fitted ({fitted.name})"))
        starting = fitted_starting(data.get("starting_alignment"), path)
    for layer in layers:
        for name, value in layer.spec.parameters.items():
            values[name] = registry.check_value(name, value, layer.place("parameters", name))
            sources[name] = f"scenario ({layer.path.name})"
    return values, sources, starting


def fitted_starting(given: object, path: Path) -> dict[tuple[str, str], float]:
    """A fitted file's ``starting_alignment: {A: {B: value}}``, checked (empty if absent).

    Raises:
        InputError: not a nested mapping of numbers in [−1, 1].
    """
    if given is None:
        return {}
    found: dict[tuple[str, str], float] = {}
    rows = given if isinstance(given, dict) else None
    for a, row in (rows or {}).items():
        for b, value in (row if isinstance(row, dict) else {None: None}).items():
            if b is None or not isinstance(value, (int, float)) or not -1 <= value <= 1:
                raise InputError(
                    f"{path}: starting_alignment.{a}: expected {{actor: number in [-1, 1]}}"
                )
            found[str(a), str(b)] = float(value)
    if rows is None:
        raise InputError(f"{path}: starting_alignment: expected {{actor: {{actor: number}}}}")
    return found


def with_starting(
    alignment: np.ndarray, starting: Mapping[tuple[str, str], float], ids: tuple[str, ...]
) -> np.ndarray:
    """The alignments with each listed pair's symmetric part (A[i,j] + A[j,i]) / 2 set to
    the fitted value and its antisymmetric part kept (ODD.md §7.15); pairs with an actor the
    scenario lacks are ignored."""
    index = {a: i for i, a in enumerate(ids)}
    started = alignment.copy()
    for (a, b), value in starting.items():
        if a in index and b in index:
            i, j = index[a], index[b]
            half = (alignment[i, j] - alignment[j, i]) / 2
            started[i, j], started[j, i] = np.clip([value + half, value - half], -1, 1)
    return started


def layer_entries(layer: Layer) -> list[Entry]:
    """The events one file defines: inline events and the rows of its event tables."""
    entries: list[Entry] = []
    for i, item in enumerate(layer.spec.events):
        if isinstance(item, EventSpec):
            row = Row(item, layer.path, line_of(layer.node, ("events", i)))
            entries.append(Entry(row))
            continue
        table = layer.path.parent / item.file
        check_file(table, "event table", layer.place("events", i, "file"))
        entries.extend(
            Entry(row, item.other_actors == "skip", item.other_dates == "skip")
            for row in read_event_table(table)
        )
    seen: dict[str, Row] = {}
    for entry in entries:
        row = entry.row
        if row.spec.id in seen:
            first = seen[row.spec.id]
            raise InputError(
                f"{where(row.file, row.line, 'id')}: duplicate event id "
                f"{excerpt(row.spec.id)} (also at {where(first.file, first.line)}); "
                f"ids must be unique within a scenario file and its tables"
            )
        seen[row.spec.id] = row
    return entries


def merged_entries(layers: list[Layer]) -> list[Entry]:
    """Events of the chain: inherited ones, less removed ones, replaced or added by id."""
    merged: dict[str, Entry] = {}
    for layer in layers:
        for i, event_id in enumerate(layer.spec.remove_events):
            if event_id not in merged:
                raise InputError(
                    f"{layer.place('remove_events', i)}: no inherited event "
                    f"with id {excerpt(event_id)} to remove"
                )
            del merged[event_id]
        merged.update((e.row.spec.id, e) for e in layer_entries(layer))
    return list(merged.values())


def resolve_events(
    entries: list[Entry], ids: tuple[str, ...], start: dt.date, end: dt.date, base: Path
) -> tuple[tuple[Event, ...], dict[str, int]]:
    """Check events against the scenario's actors and dates; skip what tables allow."""
    skipped = {"other_actors": 0, "other_dates": 0}
    events = []
    for entry in entries:
        spec, row = entry.row.spec, entry.row
        place = lambda field, r=row: where(r.file, r.line, field)  # noqa: E731
        kind = resolve_type(spec.type, place("type"))
        targets = tuple(t.strip() for t in spec.target.split(";") if t.strip())
        if not targets:
            raise InputError(f"{place('target')}: no target actor given")
        if spec.source in targets:
            raise InputError(f"{place('target')}: an event's source cannot be its own target")
        again = next((t for i, t in enumerate(targets) if t in targets[:i]), None)
        if again is not None:
            raise InputError(
                f"{place('target')}: target {excerpt(again)} is listed twice; "
                f"name each target of an event once"
            )
        unknown = [a for a in (spec.source, *targets) if a not in ids]
        if unknown:
            if entry.skip_other_actors:
                skipped["other_actors"] += 1
                continue
            field = "source" if unknown[0] == spec.source else "target"
            raise InputError(
                f"{place(field)}: unknown actor {excerpt(unknown[0])}; scenario actors: "
                f"{', '.join(ids)} (an event table included with "
                f"'other_actors: skip' may name others)"
            )
        if not start <= spec.date <= end:
            if entry.skip_other_dates:
                skipped["other_dates"] += 1
                continue
            raise InputError(
                f"{place('date')}: date {spec.date} is outside the scenario ({start} to {end})"
            )
        events.append(
            Event(
                id=spec.id,
                date=spec.date,
                source=spec.source,
                targets=targets,
                type=str(spec.type),
                code=kind.code,
                goldstein=kind.goldstein,
                magnitude=spec.magnitude,
                institutional=spec.institutional,
                doc=spec.doc,
                quote=spec.quote,
                note=spec.note,
                defined_in=relative(row.file, base),
            )
        )
    return tuple(sorted(events, key=lambda e: (e.date, e.id))), skipped


def file_hashes(layers: list[Layer], top: Path) -> dict[str, str]:
    """SHA-256 of every file a scenario read, keyed by path relative to the top file."""
    paths = [layer.path for layer in layers]
    for layer in layers:
        paths += [
            layer.path.parent / item.file
            for item in layer.spec.events
            if not isinstance(item, EventSpec)
        ]
        if layer.given("parameters_from") and layer.spec.parameters_from:
            paths.append(layer.path.parent / layer.spec.parameters_from)
    return {relative(p, top): sha256(p) for p in dict.fromkeys(paths)}


def relative(path: Path, top: Path) -> str:
    """A path relative to the folder of the top scenario file, with '/' separators."""
    return Path(os.path.relpath(path.resolve(), top.absolute().parent.resolve())).as_posix()
