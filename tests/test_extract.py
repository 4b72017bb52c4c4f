"""The rule-based extractor on an article written for the test (not one of the sources)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner

from sim.cli import cli
from sim.io.eventtable import read_event_table
from sim.io.extract import article_date, extract, resolve_date, score

ARTICLE = """\
Sample headline
Reporter / 2025-10-10 09:00:00
SEOUL, Oct. 10 (Wire) -- A short article written for the tests.
On Thursday, Kim held talks with Vietnamese leader To Lam in Pyongyang.
Russia and North Korea signed a comprehensive strategic partnership last year in June.
Kim will attend a military parade in Beijing next week, officials in Seoul said.
The weather in Pyongyang was mild.
"""


def test_article_date_and_relative_dates() -> None:
    published = article_date(ARTICLE)
    assert published == dt.date(2025, 10, 10)  # a Friday
    assert resolve_date("On Thursday, they met.", published)[0] == dt.date(2025, 10, 9)
    assert resolve_date("He left next week.", published)[0] == dt.date(2025, 10, 17)
    assert resolve_date("signed last year in June", published)[0] == dt.date(2024, 6, 15)
    assert resolve_date("on Sept. 3 in Beijing", published)[0] == dt.date(2025, 9, 3)
    assert resolve_date("a trip in 2007", published)[0] == dt.date(2007, 7, 1)


def test_drafts_name_actors_types_and_quotes() -> None:
    drafts = extract(ARTICLE, dt.date(2025, 10, 10))
    found = [(d.date.isoformat(), d.source, d.targets, d.type) for d in drafts]
    assert ("2025-10-09", "PRK", ("VNM",), "consult") in found
    assert ("2024-06-15", "RUS", ("PRK",), "sign_agreement") in found
    assert ("2025-10-17", "PRK", ("CHN", "KOR"), "parade_attendance") in found
    assert all(d.quote in ARTICLE for d in drafts)
    assert not any("weather" in d.quote for d in drafts)


def test_score_counts_matches_once() -> None:
    drafts = [
        {"doc": "a.txt", "date": "2025-10-09", "source": "PRK", "target": "VNM"},
        {"doc": "a.txt", "date": "2025-10-09", "source": "VNM", "target": "PRK"},
        {"doc": "a.txt", "date": "2025-01-01", "source": "PRK", "target": "USA"},
    ]
    coded = [
        {"doc": "a.txt", "date": "2025-10-10", "source": "VNM", "target": "PRK"},
        {"doc": "a.txt", "date": "2025-09-03", "source": "PRK", "target": "CHN"},
    ]
    precision, recall, matched, total = score(drafts, coded)
    assert (matched, total) == (1, 2) and precision == 1 / 3 and recall == 0.5


def test_extract_command(runner: CliRunner, tmp_path: Path) -> None:
    doc = tmp_path / "article.txt"
    doc.write_text(ARTICLE)
    out = tmp_path / "drafts.csv"
    result = runner.invoke(cli, ["extract", str(doc), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = read_event_table(out)
    assert len(rows) == 3 and rows[0].spec.doc == "article.txt"
    undated = tmp_path / "undated.txt"
    undated.write_text("Kim met Putin.\n")
    result = runner.invoke(cli, ["extract", str(undated)])
    assert result.exit_code == 2 and "no article date found" in result.stderr
