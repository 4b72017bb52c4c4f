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
    assert "skipped 1 no two distinct countries, 0 code not in CAMEO 1.1, 1 unknown" in (
        result.stdout
    )
    assert "line 5, field Source Country: 'Atlantis' is not a country" in result.stderr


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


def icews_file(path: Path, pairs: list[tuple[str, str]]) -> Path:
    """An ICEWS file (the sample's header) with one consultation per (source, target)."""
    header = (DATA / "icews_sample.tab").read_text().splitlines()[0]
    columns = header.split("\t")
    lines = [header]
    for n, (source, target) in enumerate(pairs, 1):
        cells = dict.fromkeys(columns, "")
        cells.update(
            {
                "Event ID": str(n),
                "Event Date": "2024-01-01",
                "Source Country": source,
                "Target Country": target,
                "CAMEO Code": "040",
            }
        )
        lines.append("\t".join(cells[c] for c in columns))
    path.write_text("\n".join(lines) + "\n")
    return path


ICEWS_NAMES = {
    "Democratic Republic of Congo": "COD",
    "Ivory Coast": "CIV",
    "Burma": "MMR",
    "Cape Verde": "CPV",
    "East Timor": "TLS",
    "Brunei": "BRN",
    "Palestine": "PSE",
    "Occupied Palestinian Territory": "PSE",
    "Namibia": "NAM",
}


def test_icews_country_names_find_their_codes(runner: CliRunner, tmp_path: Path) -> None:
    """The names ICEWS writes for these states (pycountry knew none of the first seven)."""
    names = list(ICEWS_NAMES)
    source = icews_file(tmp_path / "names.tab", [(n, "North Korea") for n in names])
    out = tmp_path / "names.csv"
    result = runner.invoke(
        cli, ["import-events", "--from", "icews", *map(str, (source, "--out", out))]
    )
    assert result.exit_code == 0, result.output
    rows = [r.spec for r in read_event_table(out)]
    assert [(r.source, r.target) for r in rows] == [(ICEWS_NAMES[n], "PRK") for n in names]
    assert "warning" not in result.stderr


def test_unknown_country_names_are_reported(runner: CliRunner, tmp_path: Path) -> None:
    pairs = [
        ("Atlantis", "Vietnam"),
        ("Laos", "Vietnam"),
        ("Vietnam", "Atlantis"),
        ("Niger Nigeria", "Laos"),
        ("", "Laos"),
    ]
    source = icews_file(tmp_path / "unknown.tab", pairs)
    out = tmp_path / "unknown.csv"
    result = runner.invoke(
        cli, ["import-events", "--from", "icews", *map(str, (source, "--out", out))]
    )
    assert result.exit_code == 0, result.output
    assert [(r.spec.source, r.spec.target) for r in read_event_table(out)] == [("LAO", "VNM")]
    warnings = result.stderr.splitlines()
    assert warnings == [
        f"alignsim: warning: {source} line 2, field Source Country: 'Atlantis' is not a "
        "country name country_converter knows; skipped the 2 rows that name it, the first "
        "here; correct the name, or add the event to the table by hand",
        f"alignsim: warning: {source} line 5, field Source Country: 'Niger Nigeria' matches "
        "several countries (NER, NGA); skipped it; correct the name, or add the event to "
        "the table by hand",
    ]
    assert "skipped 1 no two distinct countries, 0 code not in CAMEO 1.1, 3 unknown" in (
        result.stdout
    )
