"""Importers on small samples written in the published GDELT 2.0 and ICEWS layouts."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from sim.cli import cli
from sim.io.eventtable import read_event_table

DATA = Path(__file__).parent / "data"


def test_gdelt_rows_become_event_rows(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "gdelt.csv"
    result = runner.invoke(
        cli,
        ["import-events", "--from", "gdelt", str(DATA / "gdelt_sample.tsv"), "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "wrote 3 events" in result.output
    assert "1 no two distinct countries, 1 code not in CAMEO 1.1" in result.output
    rows = read_event_table(out)
    assert [r.spec.id for r in rows] == ["gdelt-1200000001", "gdelt-1200000002", "gdelt-1200000003"]
    first, third = rows[0].spec, rows[2].spec
    assert (first.source, first.target, first.type, str(first.date)) == (
        "PRK",
        "VNM",
        "043",
        "2025-10-09",
    )
    assert first.doc == "https://example.org/a" and third.institutional


def test_icews_rows_become_event_rows(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "icews.csv"
    result = runner.invoke(
        cli,
        ["import-events", "--from", "icews", str(DATA / "icews_sample.tab"), "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    rows = [r.spec for r in read_event_table(out)]
    assert [(r.source, r.target, r.type) for r in rows] == [
        ("PRK", "VNM", "040"),
        ("RUS", "PRK", "057"),
    ]
    assert rows[1].institutional and "ICEWS story 50002" in rows[1].doc
    assert "skipped 2 no two distinct countries" in result.output


def test_imported_table_loads_in_a_scenario(runner: CliRunner, tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "gdelt.csv"
    made = runner.invoke(
        cli,
        ["import-events", "--from", "gdelt", str(DATA / "gdelt_sample.tsv"), "--out", str(out)],
    )
    assert made.exit_code == 0, made.output
    tiny.write_text(
        tiny.read_text().replace("end: 2024-12-31", "end: 2025-12-31") + "  - {file: gdelt.csv}\n"
    )
    result = runner.invoke(cli, ["validate", str(tiny)])
    assert result.exit_code == 0 and "5 events" in result.output


def test_bad_import_input(runner: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.tsv"
    broken.write_text("1\t20250101\tPRK\n")
    out = tmp_path / "x.csv"
    result = runner.invoke(
        cli, ["import-events", "--from", "gdelt", str(broken), "--out", str(out)]
    )
    assert (
        result.exit_code == 2
        and "line 1: 3 columns; a GDELT 2.0 event export has 61" in result.stderr
        and not out.exists()
    )
    out.write_text("keep")
    result = runner.invoke(
        cli,
        ["import-events", "--from", "icews", str(DATA / "icews_sample.tab"), "--out", str(out)],
    )
    assert result.exit_code == 2 and "use --force" in result.stderr
    assert out.read_text() == "keep"
