"""Importers: event data coded elsewhere (GDELT 2.0, ICEWS) into our event table.

Both sources code events with CAMEO, so the codes carry over as they are (our taxonomy
accepts every CAMEO 1.1 code). Actors become ISO 3166 alpha-3 country codes: GDELT gives
CAMEO country codes (ISO alpha-3 for states); ICEWS gives country names, looked up with
`country_converter` (`sim.io.countries`). Rows without two distinct countries, or with a
code outside CAMEO 1.1, are skipped and counted; so are rows naming a country the lookup
does not know, and each such name is kept with its field, first line and count, for the
command to report.

Layouts: GDELT 2.0 event export, 61 tab-separated columns without header ("The GDELT Event
Database Data Format Codebook V2.0", 2015); ICEWS coded event data, tab-separated with a
header row ("Event ID", "Event Date", "Source Country", "CAMEO Code", ...; Boschee et al.,
Harvard Dataverse).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sim.core.errors import InputError, where
from sim.core.events import cameo_table
from sim.io.countries import alpha3
from sim.io.csvrows import csv_rows
from sim.io.files import read_text
from sim.io.limits import excerpt

GDELT_COLUMNS = 61
GDELT = {
    "id": 0,
    "day": 1,
    "actor1_country": 7,
    "actor2_country": 17,
    "event_code": 26,
    "goldstein": 30,
    "mentions": 31,
    "url": 60,
}
ICEWS_REQUIRED = ("Event ID", "Event Date", "Source Country", "Target Country", "CAMEO Code")
ICEWS_COUNTRIES = ("Source Country", "Target Country")
UNKNOWN_COUNTRY = "unknown country name"


@dataclass
class UnknownName:
    """A country name that found no code: where it first appears and how many rows name it."""

    place: str
    name: str
    problem: str
    rows: int = 0

    def message(self) -> str:
        """One line naming the file, line and field, the name and the rows skipped."""
        rows = f"the {self.rows} rows that name it, the first here" if self.rows > 1 else "it"
        return (
            f"{self.place}: {excerpt(self.name)} {self.problem}; skipped {rows}; correct "
            f"the name, or add the event to the table by hand"
        )


@dataclass
class Imported:
    """Rows converted to our event table, the rows skipped by reason, and the country
    names that found no code."""

    rows: list[dict[str, object]] = field(default_factory=list)
    skipped: dict[str, int] = field(
        default_factory=lambda: {"no two distinct countries": 0, "code not in CAMEO 1.1": 0}
    )
    unknown: dict[str, UnknownName] = field(default_factory=dict)

    def skip_unknown(self, names: list[tuple[str, str, str]]) -> None:
        """Count a row skipped for its unknown (place, name, problem) names."""
        self.skipped[UNKNOWN_COUNTRY] = self.skipped.get(UNKNOWN_COUNTRY, 0) + 1
        for place, name, problem in names:
            self.unknown.setdefault(name, UnknownName(place, name, problem)).rows += 1

    def add(
        self, event_id: str, day: dt.date, source: str, target: str, code: str, doc: str, note: str
    ) -> None:
        """Add a row, or count why it is skipped."""
        if not source or not target or source == target:
            self.skipped["no two distinct countries"] += 1
        elif code not in cameo_table():
            self.skipped["code not in CAMEO 1.1"] += 1
        else:
            self.rows.append(
                {
                    "id": event_id,
                    "date": day.isoformat(),
                    "source": source,
                    "target": target,
                    "type": code,
                    "magnitude": 1,
                    "institutional": code == "057",
                    "doc": doc,
                    "quote": "",
                    "note": note,
                }
            )


def tab_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Non-empty tab-separated rows with their line numbers."""
    return csv_rows(read_text(path), path, delimiter="\t")


def parse_day(text: str, layout: str, place: str) -> dt.date:
    """Parse a date in the given strptime layout."""
    try:
        return dt.datetime.strptime(text.strip(), layout).date()
    except ValueError:
        raise InputError(f"{place}: {excerpt(text)} is not a date of the form {layout}") from None


def import_gdelt(path: Path) -> Imported:
    """Convert a GDELT 2.0 event export (61 columns, tab-separated, no header)."""
    result = Imported()
    for line, cells in tab_rows(path):
        if len(cells) != GDELT_COLUMNS:
            raise InputError(
                f"{where(path, line)}: {len(cells)} columns; a GDELT 2.0 event "
                f"export has {GDELT_COLUMNS} tab-separated columns"
            )
        get = {name: cells[i].strip() for name, i in GDELT.items()}
        day = parse_day(get["day"], "%Y%m%d", where(path, line, "Day"))
        result.add(
            f"gdelt-{get['id']}",
            day,
            get["actor1_country"],
            get["actor2_country"],
            get["event_code"],
            get["url"],
            f"GDELT {get['id']}; Goldstein {get['goldstein']}; {get['mentions']} mentions",
        )
    return result


def import_icews(path: Path) -> Imported:
    """Convert an ICEWS coded event file (tab-separated, header row)."""
    result = Imported()
    rows = tab_rows(path)
    first = next(rows, None)
    if first is None:
        raise InputError(f"{path}: empty file; expected an ICEWS header row")
    header = [h.strip() for h in first[1]]
    missing = [c for c in ICEWS_REQUIRED if c not in header]
    if missing:
        raise InputError(
            f"{where(path, first[0])}: missing ICEWS column {excerpt(missing[0])}; "
            f"required: {', '.join(ICEWS_REQUIRED)}"
        )
    for line, cells in rows:
        if len(cells) != len(header):
            raise InputError(
                f"{where(path, line)}: {len(cells)} columns, but the header has {len(header)}"
            )
        get = dict(zip(header, (c.strip() for c in cells), strict=True))
        day = parse_day(get["Event Date"], "%Y-%m-%d", where(path, line, "Event Date"))
        found = {column: alpha3(get[column]) for column in ICEWS_COUNTRIES}
        unknown = [
            (where(path, line, column), get[column], lookup.problem)
            for column, lookup in found.items()
            if lookup.problem
        ]
        if unknown:
            result.skip_unknown(unknown)
            continue
        story = f"ICEWS story {get.get('Story ID', '')} ({get.get('Publisher', '')})"
        result.add(
            f"icews-{get['Event ID']}",
            day,
            found["Source Country"].code,
            found["Target Country"].code,
            get["CAMEO Code"].zfill(3),
            story,
            f"ICEWS {get['Event ID']}: {get.get('Event Text', '')}; intensity "
            f"{get.get('Intensity', '')}",
        )
    return result
