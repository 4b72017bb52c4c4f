"""The event taxonomy, event records and the schedule of events per step.

Every event type maps to a CAMEO 1.1 code and a Goldstein (1992) weight on the −10..+10
conflict–cooperation scale. The 311 CAMEO codes ship in `sim/data/cameo_goldstein.tsv`
(weights from GDELT's `CAMEO.goldsteinscale.txt`); any of them may be written as text
(``"057"``) wherever a type name is accepted, so event data coded elsewhere (ICEWS, GDELT)
loads as it is. Named types give readable names to the codes scholars use most.

CAMEO codes symbolic acts only as 017 "Engage in symbolic act" with weight 0, which would
erase what the documents treat as signals. The symbolic types below carry our own
weights, each set against neighbouring CAMEO weights and justified by a document:

- ``seat_of_honour`` (4.0): a host seats a guest in the seat of honour. 001: "In Asian
  diplomacy, the left side of the host is traditionally considered the seat of honor",
  read there as "a significant indicator of North Korea's changing stance". Above praise
  (051, 3.4), below granting recognition (054, 6.0).
- ``parade_attendance`` (3.5): a leader attends another state's military parade as a guest.
  003: Kim "is probably looking to show his friendship with Russia and China". Equal to
  diplomatic cooperation (050, 3.5): a public display of solidarity, more than a visit.
- ``ceremony_attendance`` (2.5): a dignitary attends an anniversary or ceremony as a
  foreign guest (000: the party anniversary "attended by Li, To Lam and Dmitry
  Medvedev"). As meeting at a third location (044, 2.5).
- ``party_delegation`` (2.2): a party-to-party delegation (002: the Workers' Party's
  International Department in Hanoi). Between making a visit (042, 1.9) and hosting one
  (043, 2.8): party channels are the communist states' own diplomacy.
- ``joint_appearance`` (3.0): leaders appear side by side for the cameras without talks.
  004: "symbolism through shared appearances seems more important than any detailed
  cooperation".

A multilateral event (``target`` listing several actors) expands to one bilateral event
from the source to each target; all of them are participants, so none is treated as a
third party of the others.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from sim.core.errors import InputError

SYMBOLIC_CODE = "017"


@dataclass(frozen=True)
class EventType:
    """One entry of the taxonomy.

    Attributes:
        name: the type's name (a named type, or the CAMEO code itself).
        code: CAMEO 1.1 code.
        goldstein: weight on the −10..+10 conflict–cooperation scale.
        description: what the type covers.
    """

    name: str
    code: str
    goldstein: float
    description: str


#: Readable names for the CAMEO codes used most in diplomatic event data.
NAMED_TYPES: dict[str, str] = {
    "statement": "010",
    "optimistic_comment": "013",
    "praise": "051",
    "appeal": "020",
    "intent_to_cooperate": "030",
    "intent_to_meet": "036",
    "consult": "040",
    "phone_call": "041",
    "visit": "042",
    "host_visit": "043",
    "meet_third_location": "044",
    "summit": "046",
    "diplomatic_cooperation": "050",
    "sign_agreement": "057",
    "economic_cooperation": "061",
    "military_cooperation": "062",
    "economic_aid": "071",
    "military_aid": "072",
    "ease_sanctions": "081",
    "de_escalate": "087",
    "demand": "100",
    "criticize": "111",
    "accuse": "112",
    "reject": "120",
    "threaten": "130",
    "show_of_force": "150",
    "reduce_relations": "160",
    "sanction": "163",
}

#: Symbolic types: name -> (Goldstein-scale weight, description). Reasons: module docstring.
SYMBOLIC_TYPES: dict[str, tuple[float, str]] = {
    "seat_of_honour": (4.0, "Host seats a guest in the seat of honour at a ceremony"),
    "parade_attendance": (3.5, "Leader attends another state's military parade as a guest"),
    "ceremony_attendance": (2.5, "Dignitary attends an anniversary or ceremony as a guest"),
    "party_delegation": (2.2, "Party-to-party delegation visit"),
    "joint_appearance": (3.0, "Leaders appear side by side for the cameras, without talks"),
}


@cache
def in_words(event_type: str) -> str:
    """An event type's name as words, for figures and the page: ``economic_aid`` →
    ``economic aid``."""
    return event_type.replace("_", " ")


def cameo_table() -> dict[str, EventType]:
    """Read the shipped CAMEO table: code -> EventType (cached after the first call)."""
    text = resources.files("sim").joinpath("data/cameo_goldstein.tsv").read_text("utf-8")
    rows = csv.DictReader(
        (line for line in text.splitlines() if not line.startswith("#")), delimiter="\t"
    )
    return {
        row["code"]: EventType(row["code"], row["code"], float(row["goldstein"]), row["name"])
        for row in rows
    }


@cache
def taxonomy() -> dict[str, EventType]:
    """Every accepted type name: named types, symbolic types and every CAMEO code."""
    table = cameo_table()
    types = dict(table)
    for name, code in NAMED_TYPES.items():
        types[name] = EventType(name, code, table[code].goldstein, table[code].description)
    for name, (weight, description) in SYMBOLIC_TYPES.items():
        types[name] = EventType(name, SYMBOLIC_CODE, weight, description)
    return types


def resolve_type(name: object, where: str) -> EventType:
    """Look up an event type by name or CAMEO code.

    Raises:
        InputError: the name is not in the taxonomy (or a code was not written as text).
    """
    if isinstance(name, int) and not isinstance(name, bool):
        raise InputError(
            f"{where}: event type {name} is a number; write CAMEO codes as quoted text "
            f"(e.g. '057'), or use a type name (see `alignsim event-types`)"
        )
    found = taxonomy().get(str(name).strip())
    if found is None:
        raise InputError(
            f"{where}: unknown event type '{name}'; allowed: a type name such as "
            f"{', '.join(list(NAMED_TYPES)[:6])}, ... or a CAMEO code as text like '057' "
            f"(list: `alignsim event-types`)"
        )
    return found


@dataclass(frozen=True)
class Event:
    """One dated interaction, as scripted in a scenario or an event table.

    Attributes:
        id: unique id within the scenario.
        date: calendar date.
        source: actor id of the actor whose act it is.
        targets: actor ids it is directed at (several for a multilateral event).
        type: taxonomy name as written (or the CAMEO code).
        code: CAMEO code.
        goldstein: weight on the −10..+10 scale.
        magnitude: scale of the act (1 = an act of top leaders).
        institutional: treaties and formal agreements also move the long-run baseline.
        doc: source document's file name ('' for a hypothetical event).
        quote: the short span of the document that supports the event.
        note: coder's note (date resolution, contradictions).
        defined_in: file the event was read from.
    """

    id: str
    date: dt.date
    source: str
    targets: tuple[str, ...]
    type: str
    code: str
    goldstein: float
    magnitude: float = 1.0
    institutional: bool = False
    doc: str = ""
    quote: str = ""
    note: str = ""
    defined_in: str = ""

    @property
    def weight(self) -> float:
        """Signed strength on the −1..1 scale times magnitude: (Goldstein / 10) * magnitude."""
        return self.goldstein / 10.0 * self.magnitude


def step_dates(start: dt.date, end: dt.date, step: str) -> np.ndarray:
    """The calendar grid of a run: start, start + step, ..., and end itself.

    Months step by calendar month from the start's day of the month. The last interval is
    shorter when `end` is not on the regular grid, so every date in [start, end] belongs to
    exactly one step.

    Returns:
        datetime64[D] array of K + 1 dates, strictly increasing, first = start, last = end.
    """
    offsets = {
        "day": pd.DateOffset(days=1),
        "week": pd.DateOffset(weeks=1),
        "month": pd.DateOffset(months=1),
    }
    grid = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq=offsets[step])
    dates = grid.to_numpy().astype("datetime64[D]")
    if dates[-1] != np.datetime64(end, "D"):
        dates = np.append(dates, np.datetime64(end, "D"))
    return dates


def step_count(start: dt.date, end: dt.date, step: str) -> int:
    """How many steps `step_dates` makes from `start` to `end`, without building the grid.

    Exact for days and weeks; for months exact unless the start is on a day past the 28th
    (where calendar months clip), and then within one. Used to refuse a calendar that is too
    long before any array is allocated.
    """
    days = (end - start).days
    if step == "day":
        return days
    if step == "week":
        return -(-days // 7)
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return months + (0 if end.day == start.day else 1)


@dataclass(frozen=True)
class Schedule:
    """Scripted events compiled to arrays for the kernels, one row per bilateral event.

    Rows are in the order the model applies them: by date, then id, then target order.

    Attributes:
        step: index k (1..K) of the step whose interval [t_{k-1}, t_k) holds the event.
        source: actor index of the source.
        target: actor index of the target.
        weight: (Goldstein / 10) * magnitude.
        institutional: whether the event also moves the baseline.
        participants: [E, N] mask of every actor taking part in the originating event.
        event: index into `events` of the originating event.
        events: the scripted events, sorted.
    """

    step: np.ndarray
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    institutional: np.ndarray
    participants: np.ndarray
    event: np.ndarray
    events: tuple[Event, ...] = field(default=())

    def rows_in_step(self, k: int) -> range:
        """The rows applied in step k (a contiguous range, since rows are sorted)."""
        lo, hi = np.searchsorted(self.step, [k, k + 1])
        return range(int(lo), int(hi))

    @property
    def last_step(self) -> int:
        """Index of the step holding the last scripted event (0 when there is none)."""
        return int(self.step[-1]) if len(self.step) else 0


def step_of(dates: np.ndarray, when: dt.date) -> int:
    """Index k of the step whose interval holds `when` (the last step includes `end`)."""
    k = int(np.searchsorted(dates, np.datetime64(when, "D"), side="right"))
    return min(max(k, 1), len(dates) - 1)


def compile_schedule(events: Sequence[Event], actors: Sequence[str], dates: np.ndarray) -> Schedule:
    """Compile events into a `Schedule` over the step grid `dates`."""
    index = {actor: i for i, actor in enumerate(actors)}
    ordered = tuple(sorted(events, key=lambda e: (e.date, e.id)))
    rows: list[tuple[int, int, int, float, bool, int]] = []
    masks: list[np.ndarray] = []
    for n, event in enumerate(ordered):
        mask = np.zeros(len(actors), dtype=bool)
        mask[[index[a] for a in (event.source, *event.targets)]] = True
        for target in event.targets:
            rows.append(
                (
                    step_of(dates, event.date),
                    index[event.source],
                    index[target],
                    event.weight,
                    event.institutional,
                    n,
                )
            )
            masks.append(mask)
    columns = list(zip(*rows, strict=True)) if rows else [()] * 6
    return Schedule(
        step=np.array(columns[0], dtype=np.int64),
        source=np.array(columns[1], dtype=np.int64),
        target=np.array(columns[2], dtype=np.int64),
        weight=np.array(columns[3], dtype=float),
        institutional=np.array(columns[4], dtype=bool),
        participants=np.array(masks, dtype=bool).reshape(len(rows), len(actors)),
        event=np.array(columns[5], dtype=np.int64),
        events=ordered,
    )
