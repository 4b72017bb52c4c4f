"""Every row of `calibration/events.csv` is one act (calibration/CODEBOOK.md, "Acts").

The codebook's rule, as far as it can be read off the rows: two rows of the same two states
on the same date are one act unless one of them is a signed agreement (``institutional``),
and two rows of the same two states one to three days apart are distinct only when the
earlier one is an intent (CAMEO root 03) or one is a signed agreement. A row toward several
states counts once for each. That a statement's aim is no second target (Cho Hyun's
statement) is a reading of the sentence and is not checked here.

The merge is traceable: every row of the first coder's table as coded
(`events_first_coder.csv`) is kept whole, or named in exactly one kept row's ``Merges:``
note, or split by a row whose note begins ``Split from``; and a kept act is its most intense
part, not a sum.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from pathlib import Path

from conftest import ROOT

from sim.core.events import taxonomy

CALIBRATION = ROOT / "calibration"
EVENTS = CALIBRATION / "events.csv"
FIRST = CALIBRATION / "events_first_coder.csv"
MERGES = re.compile(r"Merges: ([0-9a-z-]+(?:, [0-9a-z-]+)*)\. ")
SPLIT = re.compile(r"Split from ([0-9a-z-]+)\. ")
CLOSE = 3  # days: no trip in the documents lasts longer
WHOLE = ("date", "source", "type", "magnitude", "institutional", "doc", "quote")


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def pairs(row: dict[str, str]) -> set[frozenset[str]]:
    """The pairs of states a row is about: its source with each of its targets."""
    return {frozenset((row["source"], t)) for t in row["target"].split(";")}


def dose(row: dict[str, str]) -> float:
    """|Goldstein weight × magnitude| of one row toward one of its targets."""
    return abs(taxonomy()[row["type"]].goldstein * float(row["magnitude"]))


def is_intent(row: dict[str, str]) -> bool:
    return taxonomy()[row["type"]].code.startswith("03")


def is_agreement(row: dict[str, str]) -> bool:
    return row["institutional"].strip().lower() == "true"


def one_act(a: dict[str, str], b: dict[str, str]) -> bool:
    """Whether two rows are one act by the codebook's rule, as far as the rows show it."""
    if not pairs(a) & pairs(b):
        return False
    days = abs((dt.date.fromisoformat(a["date"]) - dt.date.fromisoformat(b["date"])).days)
    if days > CLOSE:
        return False
    if is_agreement(a) != is_agreement(b):  # a signed agreement beside its meeting
        return False
    earlier = min(a, b, key=lambda r: r["date"])
    return days == 0 or not is_intent(earlier)  # an intent made before the act it is about


def same_acts(rows: list[dict[str, str]]) -> list[tuple[str, str]]:
    """Every pair of rows (by id) that the rule says are one act."""
    return [(a["id"], b["id"]) for i, a in enumerate(rows) for b in rows[i + 1 :] if one_act(a, b)]


def merged_into(rows: list[dict[str, str]]) -> dict[str, list[str]]:
    """Kept row's id -> the ids its note says were merged into it."""
    found = {}
    for row in rows:
        match = MERGES.match(row["note"])
        if match:
            found[row["id"]] = match.group(1).split(", ")
    return found


def test_no_two_rows_of_events_csv_are_one_act() -> None:
    found = same_acts(read(EVENTS))
    assert not found, f"one act in several rows (CODEBOOK.md, Acts): {found}"


def test_the_rule_finds_the_acts_the_first_coder_split() -> None:
    """Checked on the table as first coded: the rule finds each act coded in several rows
    (same day, or a visit the day before its parade) and leaves the distinct ones alone."""
    found = set(same_acts(read(FIRST)))
    for pair in [
        ("2025-10-07-lao-prk-visit", "2025-10-07-prk-lao-talks"),
        ("2025-09-02-prk-chn-visit", "2025-09-03-prk-chn-parade-attendance"),
        ("2025-09-03-prk-chn-parade-attendance", "2025-09-03-prk-chn-rus-joint-appearance"),
        ("2025-10-09-chn-prk-ceremony-attendance", "2025-10-09-prk-chn-talks"),
        ("2025-10-09-prk-vnm-seat-of-honour", "2025-10-09-prk-vnm-talks"),
        ("2024-03-25-prk-vnm-mutual-support", "2024-03-25-prk-vnm-party-delegation"),
    ]:
        assert pair in found, pair
    distinct = [
        ("2024-06-19-prk-rus-partnership-treaty", "2024-06-19-rus-prk-summit"),
        ("2025-10-09-prk-vnm-talks", "2025-10-09-vnm-prk-cooperation-agreements"),
        ("2025-09-02-prk-rus-projected-putin-meeting", "2025-09-03-prk-chn-rus-joint-appearance"),
        ("2023-09-07-prk-rus-weapons", "2023-09-13-prk-rus-summit"),
        ("2025-10-09-chn-prk-ceremony-attendance", "2025-10-09-rus-prk-ceremony-attendance"),
    ]
    assert not found & set(distinct)


def test_every_first_coder_row_is_kept_merged_or_split() -> None:
    first = {row["id"]: row for row in read(FIRST)}
    events = {row["id"]: row for row in read(EVENTS)}
    merges = merged_into(list(events.values()))
    named = Counter(i for ids in merges.values() for i in ids)
    assert [i for i, n in named.items() if n > 1] == [], "merged into two acts"
    assert set(named) <= set(first) - set(events), "a merged id is unknown or still a row"
    for id_ in first:
        assert id_ in events or id_ in named, f"{id_}: neither kept nor merged"
    for id_, row in events.items():
        if id_ in first:
            assert [row[c] for c in (*WHOLE, "target")] == [
                first[id_][c] for c in (*WHOLE, "target")
            ], f"{id_}: a kept row stays whole"
            continue
        split = SPLIT.match(row["note"])
        assert split and split.group(1) in first, f"{id_}: a new row names the row it splits"
        parent = first[split.group(1)]
        assert [row[c] for c in WHOLE] == [parent[c] for c in WHOLE], id_
        assert set(row["target"].split(";")) < set(parent["target"].split(";")), id_


def test_a_merged_act_is_its_most_intense_part_on_its_occasion() -> None:
    first = {row["id"]: row for row in read(FIRST)}
    for kept, ids in merged_into(read(EVENTS)).items():
        act = first[kept]
        for id_ in ids:
            part = first[id_]
            assert dose(part) <= dose(act), f"{kept} is less intense than {id_}"
            same_statement = all(part[c] == act[c] for c in ("date", "source", "quote"))
            assert one_act(act, part) or same_statement, f"{id_} is not part of {kept}"
