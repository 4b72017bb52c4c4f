"""Bad input through the real command line: exit status 2, one clear line, nothing written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import HEADER, assert_refused, run

Write = Callable[[str, str], Path]


# (name, text replacing the tiny scenario's events section or whole file, expected fragment)
SCENARIO_CASES = [
    (
        "unknown actor",
        "  - {id: x, date: 2024-05-01, source: KOR, target: PRK, type: visit}",
        "tiny.yaml line 18, field source: unknown actor 'KOR'",
    ),
    (
        "unknown type",
        "  - {id: x, date: 2024-05-01, source: CHN, target: PRK, type: hug}",
        "unknown event type 'hug'",
    ),
    (
        "date outside",
        "  - {id: x, date: 2026-05-01, source: CHN, target: PRK, type: visit}",
        "date 2026-05-01 is outside the scenario (2024-01-01 to 2024-12-31)",
    ),
    (
        "cameo as number",
        "  - {id: x, date: 2024-05-01, source: CHN, target: PRK, type: 57}",
        "write CAMEO codes as quoted text",
    ),
    (
        "duplicate id",
        "  - {id: e1, date: 2024-05-01, source: CHN, target: PRK, type: visit}",
        "duplicate event id 'e1'",
    ),
    (
        "self target",
        "  - {id: x, date: 2024-05-01, source: CHN, target: CHN, type: visit}",
        "source cannot be its own target",
    ),
    (
        "bad magnitude",
        "  - {id: x, date: 2024-05-01, source: CHN, target: PRK, type: visit, magnitude: -1}",
        "field events[2].magnitude: Input should be greater than 0",
    ),
    ("missing table", "  - {file: nowhere.csv}", "event table not found"),
    (
        "bad date",
        "  - {id: x, date: 2024-13-01, source: CHN, target: PRK, type: visit}",
        "field events[2].date",
    ),
]


@pytest.mark.parametrize(
    ("name", "event", "fragment"), SCENARIO_CASES, ids=[c[0] for c in SCENARIO_CASES]
)
def test_bad_events_are_refused(
    runner: CliRunner, tiny: Path, tmp_path: Path, name: str, event: str, fragment: str
) -> None:
    tiny.write_text(tiny.read_text() + event + "\n")
    assert_refused(runner, ["run", str(tiny)], fragment, tmp_path / "out")


WHOLE_FILE_CASES = [
    (
        "alignment out of range",
        ("PRK: {CHN: 0.5,", "PRK: {CHN: 1.5,"),
        "line 13, field alignment.PRK.CHN: Input should be less than or equal to 1",
    ),
    ("nan", ("hedging: 0.8}", "hedging: .nan}"), "field actors[0].hedging"),
    ("unknown field", ("focal: PRK", "focus: PRK"), "field focus: unknown field"),
    ("bad step", ("step: week", "step: fortnight"), "Input should be 'day', 'week' or 'month'"),
    ("end before start", ("end: 2024-12-31", "end: 2023-12-31"), "must be after start"),
    (
        "python tag",
        ("name: tiny", "name: !!python/object/apply:os.system [echo hi]"),
        "YAML tags that construct objects are not allowed",
    ),
    ("yaml syntax", ("name: tiny", "name: [tiny"), "tiny.yaml line"),
    (
        "unknown actor in alignment",
        ("CHN: {RUS: 0.6}", "CHN: {USA: 0.6}"),
        "field alignment.CHN.USA: unknown actor 'USA'",
    ),
    (
        "parameter out of range",
        ("seed: 3", "seed: 3\nparameters: {decay: 5}"),
        "parameter decay = 5 is out of range; allowed 0 to 0.02 (per day)",
    ),
    (
        "unknown parameter",
        ("seed: 3", "seed: 3\nparameters: {decai: 0.1}"),
        "unknown parameter 'decai'",
    ),
    ("unknown focal", ("focal: PRK", "focal: USA"), "focal: unknown actor 'USA'"),
]


@pytest.mark.parametrize(
    ("name", "change", "fragment"), WHOLE_FILE_CASES, ids=[c[0] for c in WHOLE_FILE_CASES]
)
def test_bad_scenario_fields_are_refused(
    runner: CliRunner, tiny: Path, tmp_path: Path, name: str, change: tuple[str, str], fragment: str
) -> None:
    tiny.write_text(tiny.read_text().replace(*change))
    assert_refused(runner, ["run", str(tiny)], fragment, tmp_path / "out")


TABLE_CASES = [
    (
        "extra cell",
        "a,2024-05-01,CHN,PRK,visit,1,,,,,surplus\n",
        "events.csv line 2: 11 cells, but the header has 10",
    ),
    ("bad date", "a,05/01/2024,CHN,PRK,visit,1,,,,\n", "events.csv line 2, field date"),
    (
        "bad flag",
        "a,2024-05-01,CHN,PRK,visit,1,maybe,,,\n",
        "events.csv line 2, field institutional: 'maybe' is not a boolean",
    ),
    ("nan magnitude", "a,2024-05-01,CHN,PRK,visit,nan,,,,\n", "line 2, field magnitude"),
    (
        "other actor",
        "a,2024-05-01,KOR,PRK,visit,1,,,,\n",
        "events.csv line 2, field source: unknown actor 'KOR'",
    ),
    ("empty target", "a,2024-05-01,CHN,;,visit,1,,,,\n", "no target actor given"),
    (
        "unterminated quote",
        'a,2024-05-01,CHN,PRK,visit,1,,,,"never closed\nb,2024-05-02,CHN,PRK,visit,1,,,,\n',
        'events.csv line 2: a quote (") opened in this row is never closed',
    ),
    (
        "error in a multi-line row",
        'a,2024-05-01,CHN,PRK,visit,1,,,,"two\nlines"\nb,2024-05-02,KOR,PRK,visit,1,,,"x\ny",\n',
        "events.csv line 4, field source: unknown actor 'KOR'",
    ),
]


@pytest.mark.parametrize(("name", "row", "fragment"), TABLE_CASES, ids=[c[0] for c in TABLE_CASES])
def test_bad_event_tables_are_refused(
    runner: CliRunner, tiny: Path, write: Write, tmp_path: Path, name: str, row: str, fragment: str
) -> None:
    write("events.csv", HEADER + row)
    tiny.write_text(tiny.read_text() + "  - {file: events.csv}\n")
    assert_refused(runner, ["run", str(tiny)], fragment, tmp_path / "out")


def test_unknown_column_is_refused(
    runner: CliRunner, tiny: Path, write: Write, tmp_path: Path
) -> None:
    write(
        "events.csv",
        HEADER.replace("magnitude", "magnitute") + "a,2024-05-01,CHN,PRK,visit,1,,,,\n",
    )
    tiny.write_text(tiny.read_text() + "  - {file: events.csv}\n")
    assert_refused(runner, ["run", str(tiny)], "unknown column 'magnitute'", tmp_path / "out")


def test_extends_cycle_and_missing_base(runner: CliRunner, write: Write, tmp_path: Path) -> None:
    a = write("a.yaml", "extends: b.yaml\n")
    write("b.yaml", "extends: a.yaml\n")
    assert_refused(
        runner, ["run", str(a)], "extends cycle (a.yaml -> b.yaml -> a.yaml)", tmp_path / "out"
    )
    c = write("c.yaml", "extends: missing.yaml\n")
    assert_refused(
        runner,
        ["run", str(c)],
        "c.yaml line 1, field extends: base scenario not found",
        tmp_path / "out",
    )


def test_removing_an_unknown_event(
    runner: CliRunner, tiny: Path, write: Write, tmp_path: Path
) -> None:
    overlay = write("o.yaml", "extends: tiny.yaml\nremove_events: [nope]\n")
    assert_refused(
        runner,
        ["run", str(overlay)],
        "o.yaml line 2, field remove_events[0]: no inherited event with id 'nope'",
        tmp_path / "out",
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--set", "decai=1"], "--set: unknown parameter 'decai'"),
        (["--set", "decay"], "expected name=value"),
        (["--set", "decay=abc"], "is not a number"),
        (["--set", "noise=inf"], "must be a finite number"),
        (["--format", "bmp"], "unknown format 'bmp'"),
        (["--seed", "-1"], "--seed"),
    ],
)
def test_bad_options_are_refused(
    runner: CliRunner, tiny: Path, tmp_path: Path, args: list[str], fragment: str
) -> None:
    assert_refused(runner, ["run", str(tiny), *args], fragment, tmp_path / "out")


def test_missing_scenario_file(runner: CliRunner, tmp_path: Path) -> None:
    assert_refused(
        runner, ["run", str(tmp_path / "none.yaml")], "none.yaml: file not found", tmp_path / "out"
    )


def test_existing_output_is_kept_without_force(
    runner: CliRunner, tiny: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    code, lines = run(runner, "run", str(tiny), "--out", str(out))
    assert code == 2 and len(lines) == 1 and "use --force" in lines[0]
    assert (out / "precious.txt").read_text() == "keep me"
    assert sorted(p.name for p in out.iterdir()) == ["precious.txt"]
    code, _ = run(runner, "run", str(tiny), "--out", str(out), "--force")
    assert code == 0 and not (out / "precious.txt").exists()
    assert (out / "manifest.json").is_file()


def test_validate_reports_the_same_errors(runner: CliRunner, tiny: Path) -> None:
    tiny.write_text(tiny.read_text().replace("type: seat_of_honour", "type: hug"))
    code, lines = run(runner, "validate", str(tiny))
    assert code == 2 and len(lines) == 1 and "unknown event type 'hug'" in lines[0]
