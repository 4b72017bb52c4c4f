"""Importers: event data coded elsewhere (GDELT 2.0, ICEWS) into our event table.

Both sources code events with CAMEO, so the codes carry over as they are (our taxonomy
accepts every CAMEO 1.1 code). Actors become ISO 3166 alpha-3 country codes: GDELT gives
CAMEO country codes (ISO alpha-3 for states); ICEWS gives country names, looked up with
`pycountry` (plus a few names it lacks). Rows without two distinct countries, or with a
code outside CAMEO 1.1, are skipped and counted.

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

import pycountry

from sim.core.errors import InputError, where
from sim.core.events import cameo_table
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
COUNTRY_ALIASES = {
    "Russia": "RUS",
    "Turkey": "TUR",
    "Occupied Palestinian Territory": "PSE",
    "Kosovo": "XKX",
    "Macedonia": "MKD",
    "Swaziland": "SWZ",
}


@dataclass
class Imported:
    """Rows converted to our event table, and the rows skipped, by reason."""

    rows: list[dict[str, object]] = field(default_factory=list)
    skipped: dict[str, int] = field(
        default_factory=lambda: {"no two distinct countries": 0, "code not in CAMEO 1.1": 0}
    )

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


def country_code(name: str) -> str:
    """ISO alpha-3 code of an ICEWS country name ('' when unknown or empty)."""
    if not name.strip():
        return ""
    if name in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[name]
    try:
        return str(pycountry.countries.lookup(name).alpha_3)
    except LookupError:
        return ""


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
        story = f"ICEWS story {get.get('Story ID', '')} ({get.get('Publisher', '')})"
        result.add(
            f"icews-{get['Event ID']}",
            day,
            country_code(get["Source Country"]),
            country_code(get["Target Country"]),
            get["CAMEO Code"].zfill(3),
            story,
            f"ICEWS {get['Event ID']}: {get.get('Event Text', '')}; intensity "
            f"{get.get('Intensity', '')}",
        )
    return result
