"""Every coded event and target is traced to its document by a verbatim quote.

The articles are copyrighted and stay out of the project; these tests read them from
../shared/seeds/ where it exists, and skip with a message where it does not.
"""

from __future__ import annotations

import csv
import hashlib

import pytest
import yaml
from conftest import ROOT, SEEDS

CALIBRATION = ROOT / "calibration"
needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(), reason=f"source documents not found at {SEEDS}; quotes not checked"
)


def rows(name: str) -> list[dict[str, str]]:
    with (CALIBRATION / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@needs_seeds
def test_sources_match_the_documents() -> None:
    sources = rows("sources.csv")
    assert {s["file"] for s in sources} == {p.name for p in SEEDS.glob("*.txt")}
    for source in sources:
        digest = hashlib.sha256((SEEDS / source["file"]).read_bytes()).hexdigest()
        assert digest == source["sha256"], source["file"]


@needs_seeds
@pytest.mark.parametrize("table", ["events.csv", "events_first_coder.csv"])
def test_every_event_quote_is_verbatim_in_its_document(table: str) -> None:
    events = rows(table)
    assert len(events) >= 20
    for event in events:
        assert event["doc"] and event["quote"], event["id"]
        text = (SEEDS / event["doc"]).read_text(encoding="utf-8")
        assert event["quote"] in text, f"{event['id']}: quote not found in {event['doc']}"


@needs_seeds
def test_every_target_quote_is_verbatim_in_its_document() -> None:
    targets = yaml.safe_load((CALIBRATION / "targets.yaml").read_text(encoding="utf-8"))
    for target in targets["targets"]:
        text = (SEEDS / target["doc"]).read_text(encoding="utf-8")
        assert target["quote"] in text, f"{target['id']}: quote not found in {target['doc']}"
