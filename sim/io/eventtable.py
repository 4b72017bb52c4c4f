"""Event tables: CSV files of events, one row per event, as scholars edit them.

Columns (README, "Scenario files"; ODD.md §6):
``id,date,source,target,type,magnitude,institutional,doc,quote,note``. The first five are
required; ``magnitude`` defaults to 1, ``institutional`` to false, and the text columns may
be empty. Each row is validated with the same pydantic model as an inline event, and errors
name the file, the line and the column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from sim.core.errors import InputError, where
from sim.io.csvrows import csv_rows
from sim.io.files import read_text
from sim.io.limits import excerpt
from sim.io.schema import EventSpec, describe_error, dotted

COLUMNS = (
    "id",
    "date",
    "source",
    "target",
    "type",
    "magnitude",
    "institutional",
    "doc",
    "quote",
    "note",
)
REQUIRED = COLUMNS[:5]
TRUE = {"true", "1", "yes", "y", "t"}
FALSE = {"false", "0", "no", "n", "f", ""}


@dataclass(frozen=True)
class Row:
    """A validated event with where it was written.

    Attributes:
        spec: the event as written.
        file: the file it was read from.
        line: its line in that file (None for an inline event without a known line).
    """

    spec: EventSpec
    file: Path
    line: int | None


def parse_flag(text: str, place: str) -> bool:
    """Parse a spreadsheet boolean (true/false, 1/0, yes/no, empty = false)."""
    value = text.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise InputError(f"{place}: {excerpt(text)} is not a boolean; allowed true/false, yes/no, 1/0")


def row_to_spec(record: dict[str, str], place_of: dict[str, str]) -> EventSpec:
    """Validate one CSV record as an event (empty optional cells take their defaults)."""
    fields: dict[str, object] = {
        k: v.strip() for k, v in record.items() if k in REQUIRED or v.strip()
    }
    fields.pop("institutional", None)
    if record.get("institutional", "").strip():
        fields["institutional"] = parse_flag(record["institutional"], place_of["institutional"])
    for text_column in ("doc", "quote", "note"):
        if text_column in fields:
            fields[text_column] = record[text_column]
    try:
        return EventSpec.model_validate(fields)
    except ValidationError as exc:
        loc, message = describe_error(exc)
        raise InputError(f"{place_of.get(dotted(loc), place_of['id'])}: {message}") from None


def read_event_table(path: Path) -> list[Row]:
    """Read and validate an event table.

    Raises:
        InputError: a missing file, a missing or unknown column, a row with the wrong number
            of cells, an unclosed quote, or an invalid value, naming the line where the row
            starts and the column.
    """
    rows = csv_rows(read_text(path, "event table"), path)
    first, header = next(rows, (1, []))
    header = [h.strip() for h in header]
    check_header(path, header, first)
    found = []
    for line, cells in rows:
        if len(cells) != len(header):
            raise InputError(
                f"{where(path, line)}: {len(cells)} cells, but the header has "
                f"{len(header)} ({','.join(header)}); quote cells with commas"
            )
        record = dict(zip(header, cells, strict=True))
        places = {c: where(path, line, c) for c in header}
        found.append(Row(row_to_spec(record, places), path, line))
    return found


def check_header(path: Path, header: list[str], line: int) -> None:
    """Check that the header names the required columns and no unknown ones."""
    if not header:
        raise InputError(f"{path}: empty event table; the header must name {','.join(COLUMNS)}")
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise InputError(
            f"{where(path, line)}: unknown column {excerpt(unknown[0])}; "
            f"allowed columns: {','.join(COLUMNS)}"
        )
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(
            f"{where(path, line)}: missing column '{missing[0]}'; required: {','.join(REQUIRED)}"
        )
    if len(set(header)) != len(header):
        raise InputError(f"{where(path, line)}: a column is named twice")


def table_text(rows: list[dict[str, object]]) -> str:
    """Event rows as CSV text with the table's columns."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_event_table(path: Path, rows: list[dict[str, object]]) -> None:
    """Write event rows as an event table (importers and the extractor use it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(table_text(rows), encoding="utf-8")
