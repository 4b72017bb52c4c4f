"""Agreement between two codings of the same units: the sentences of the source documents.

The units are fixed by `sim.io.sentences` before anyone codes. A unit-level coding is a
CSV with one row per unit and the columns of `UNIT_COLUMNS` (the second coder's file,
``calibration/events_second_coder.csv``, has these and a note). The first coder coded
events, not units (``calibration/events_first_coder.csv``, its table as coded: one row per
event with a verbatim quote, before ``calibration/events.csv`` merged the rows that are one
act); `first_coder_units` turns that into a unit-level coding by placing each quote in the
unit where it starts.

`alpha_table` computes Krippendorff's α (nominal) per field with the `krippendorff`
package: ``event`` over all units, and ``source``, ``target``, ``direction`` and
``cameo_root`` over the units both coders coded as an event (a field one coder left empty
is missing data). It reads only the two unit files, so α is reproducible from the
repository without the copyrighted documents.
"""

from __future__ import annotations

import csv
import io
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd

from sim.core.errors import InputError
from sim.core.events import taxonomy
from sim.io.files import read_text
from sim.io.sentences import Unit, units

UNIT_COLUMNS = (
    "doc",
    "unit",
    "sha256",
    "event",
    "events_in_unit",
    "source",
    "target",
    "direction",
    "cameo_root",
)
EVENT_FIELDS = ("source", "target", "direction", "cameo_root")
FIELDS = ("event", *EVENT_FIELDS)


@dataclass(frozen=True)
class Placement:
    """Where one event row's quote lies among the units of its document.

    Attributes:
        id: the event's id in the events table.
        doc: the document's number ("000").
        units: the numbers of the units in which an occurrence of the quote starts (one
            for a quote found once; none when it is not in the document; several when it
            occurs in several units).
        whole: whether the quote lies wholly within the text of its first unit (false when
            it runs across a sentence boundary, or into characters the splitter drops, such
            as a closing quotation mark after a full stop).
    """

    id: str
    doc: str
    units: tuple[int, ...]
    whole: bool


def _spans(text: str, found: list[Unit]) -> list[int]:
    """The offset in `text` at which each unit's text starts (units are in reading order)."""
    starts, at = [], 0
    for unit in found:
        at = text.index(unit.text, at)
        starts.append(at)
        at += len(unit.text)
    return starts


def _occurrences(text: str, quote: str) -> list[int]:
    """Every offset at which `quote` occurs in `text`, overlapping ones included."""
    hits, at = [], text.find(quote)
    while at != -1:
        hits.append(at)
        at = text.find(quote, at + 1)
    return hits


def place_quotes(events: Path, documents: Path) -> list[Placement]:
    """Place every row of an events table in the unit where its quote starts.

    A unit owns the document's characters from its first character up to the next unit's
    first character, so a quote that runs across a sentence boundary belongs to the unit
    where it starts.

    Args:
        events: an events table (columns ``id``, ``doc`` — a file name in `documents` —
            and ``quote``).
        documents: the folder of the source documents.

    Raises:
        InputError: an event names a document that is not in `documents`.
    """
    rows = _read_rows(events)
    cache: dict[str, tuple[str, list[Unit], list[int]]] = {}
    placed = []
    for row in rows:
        name = row["doc"]
        if name not in cache:
            path = documents / name
            if not path.is_file():
                raise InputError(f"{events}: event {row['id']}: document {path} not found")
            text = read_text(path, "document")
            found = units(path)
            cache[name] = (text, found, _spans(text, found))
        text, found, starts = cache[name]
        quote = row["quote"]
        numbers: list[int] = []
        for hit in _occurrences(text, quote):
            index = bisect_right(starts, hit) - 1
            if index >= 0 and found[index].number not in numbers:
                numbers.append(found[index].number)
        whole = bool(numbers) and quote in found[numbers[0] - 1].text
        placed.append(Placement(row["id"], name.split("_")[0], tuple(numbers), whole))
    return placed


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _root(code: str) -> str:
    """CAMEO root (two digits) of a type's code; the symbolic types' "017" gives "01"."""
    return code[:2]


def first_coder_units(events: Path, documents: Path) -> pd.DataFrame:
    """The first coder's coding at the level of units, from the events table.

    A unit is an event unit when at least one row's quote starts in it; its principal event
    is the first such row in file order: its source, its target as written (``CHN;RUS``),
    the sign of its type's Goldstein weight as direction (``+1``/``-1``) and the first two
    digits of its type's CAMEO code (the symbolic types, code 017, are root 01). ``rows``
    lists the ids of all rows placed in the unit, separated by ``;``. A row whose quote is
    in no unit, or in several, is left out (see `place_quotes`).

    Returns:
        One row per unit of every document in `documents`, in document and unit order, with
        the columns of `UNIT_COLUMNS` and ``rows``; all values are text (empty where the
        unit holds no event).
    """
    types = taxonomy()
    rows = {row["id"]: row for row in _read_rows(events)}
    by_unit: dict[tuple[str, int], list[str]] = {}
    for placement in place_quotes(events, documents):
        if len(placement.units) == 1:
            by_unit.setdefault((placement.doc, placement.units[0]), []).append(placement.id)
    table = []
    for path in sorted(documents.glob("*.txt")):
        for unit in units(path):
            ids = by_unit.get((unit.doc, unit.number), [])
            line = dict.fromkeys((*UNIT_COLUMNS, "rows"), "")
            line.update(doc=unit.doc, unit=str(unit.number), sha256=unit.sha256, event="0")
            if ids:
                principal = rows[ids[0]]
                kind = types[principal["type"]]
                line.update(
                    event="1",
                    events_in_unit=str(len(ids)),
                    source=principal["source"],
                    target=principal["target"],
                    direction="+1" if kind.goldstein >= 0 else "-1",
                    cameo_root=_root(kind.code),
                    rows=";".join(ids),
                )
            table.append(line)
    return pd.DataFrame(table, columns=[*UNIT_COLUMNS, "rows"])


def read_units(path: Path) -> pd.DataFrame:
    """A unit-level coding as text, indexed by (doc, unit); direction normalised to ±1.

    Raises:
        InputError: a column of `UNIT_COLUMNS` is missing, a unit is listed twice, or
            ``event`` is not 0 or 1.
    """
    text = read_text(path, "coding")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{path}: not a CSV table ({' '.join(str(exc).split())})") from None
    missing = [c for c in UNIT_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing columns {', '.join(missing)}")
    if not frame["unit"].str.fullmatch(r"\d{1,6}").all():
        raise InputError(f"{path}: every unit must be a whole number")
    if not frame["direction"].isin(["", "+1", "-1", "1"]).all():
        raise InputError(f"{path}: direction must be +1, -1 or empty")
    frame["unit"] = frame["unit"].astype(int)
    if frame.duplicated(["doc", "unit"]).any():
        raise InputError(f"{path}: a unit is listed more than once")
    if not frame["event"].isin(["0", "1"]).all():
        raise InputError(f"{path}: event must be 0 or 1")
    frame = frame.set_index(["doc", "unit"]).sort_index()
    frame["direction"] = frame["direction"].map(lambda v: "" if v.strip() == "" else f"{int(v):+d}")
    return frame[list(UNIT_COLUMNS[2:])]


def _pair(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """The two codings side by side on the same units (refused if the units differ)."""
    if not first.index.equals(second.index) or not first["sha256"].equals(second["sha256"]):
        raise InputError("the two codings do not list the same units (doc, unit, sha256)")
    return first.add_suffix("_first").join(second.add_suffix("_second"))


def _scope(pair: pd.DataFrame, field: str) -> pd.DataFrame:
    """The units on which a field is compared: all for ``event``, else both coders' events."""
    if field == "event":
        return pair
    return pair[(pair["event_first"] == "1") & (pair["event_second"] == "1")]


def nominal_alpha(first: list[str], second: list[str]) -> float:
    """Krippendorff's α (nominal) of two coders' values of one field; "" is missing data.

    A unit with one value is unpairable and drops out, as in Krippendorff's definition.
    Returns NaN when fewer than two units are pairable or every pairable value is the same
    (α is then 0/0: no disagreement is expected).
    """
    pairs = [(a, b) for a, b in zip(first, second, strict=True) if a != "" and b != ""]
    values = sorted({v for pair in pairs for v in pair})
    if len(pairs) < 2 or len(values) < 2:
        return float("nan")
    code = {v: float(i) for i, v in enumerate(values)}
    data = np.array([[code[a] for a, _ in pairs], [code[b] for _, b in pairs]])
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def alpha_table(first: Path, second: Path) -> pd.DataFrame:
    """Krippendorff's α (nominal) and raw agreement per field of two unit-level codings.

    Args:
        first, second: unit-level codings (columns of `UNIT_COLUMNS`) of the same units.

    Returns:
        One row per field of `FIELDS`: ``scope`` (the units compared), ``units`` (in the
        scope), ``pairable`` (units where both coders gave a value), ``agreements`` (of
        those, units with equal values), ``percent_agreement`` (100 × agreements /
        pairable) and ``alpha``.
    """
    pair = _pair(read_units(first), read_units(second))
    table = []
    for field in FIELDS:
        scoped = _scope(pair, field)
        a, b = scoped[f"{field}_first"].tolist(), scoped[f"{field}_second"].tolist()
        both = [(x, y) for x, y in zip(a, b, strict=True) if x != "" and y != ""]
        agreements = sum(x == y for x, y in both)
        table.append(
            {
                "field": field,
                "scope": "all units" if field == "event" else "units both coded as events",
                "units": len(scoped),
                "pairable": len(both),
                "agreements": agreements,
                "percent_agreement": round(100.0 * agreements / len(both), 2) if both else np.nan,
                "alpha": round(nominal_alpha(a, b), 4),
            }
        )
    return pd.DataFrame(table)


def coding_counts(first: Path, second: Path) -> pd.DataFrame:
    """How many units each coder coded as events, in one row.

    Columns: ``units``, ``first_events``, ``second_events``, ``both_events``,
    ``first_only``, ``second_only``, ``neither``.
    """
    pair = _pair(read_units(first), read_units(second))
    a, b = pair["event_first"] == "1", pair["event_second"] == "1"
    return pd.DataFrame(
        [
            {
                "units": len(pair),
                "first_events": int(a.sum()),
                "second_events": int(b.sum()),
                "both_events": int((a & b).sum()),
                "first_only": int((a & ~b).sum()),
                "second_only": int((~a & b).sum()),
                "neither": int((~a & ~b).sum()),
            }
        ]
    )


def disagreements(first: Path, second: Path) -> pd.DataFrame:
    """Every unit and field on which two codings differ, in unit order.

    ``event`` is compared on all units; the other fields on the units both coded as events
    (a value one coder left empty counts as a disagreement here, though α treats it as
    missing). Columns: ``doc``, ``unit``, ``sha256``, ``field``, ``first``, ``second``.
    """
    pair = _pair(read_units(first), read_units(second)).reset_index()
    found = []
    for row in pair.to_dict("records"):
        for field in FIELDS:
            if field != "event" and not (row["event_first"] == row["event_second"] == "1"):
                continue
            if row[f"{field}_first"] != row[f"{field}_second"]:
                found.append(
                    {
                        "doc": row["doc"],
                        "unit": row["unit"],
                        "sha256": row["sha256_first"],
                        "field": field,
                        "first": row[f"{field}_first"],
                        "second": row[f"{field}_second"],
                    }
                )
    return pd.DataFrame(found, columns=["doc", "unit", "sha256", "field", "first", "second"])
