"""One type per concept in every table, and one description of them (README, "Data
dictionary"): `datapackage.json` in every output folder, validated by `frictionless`
against the files; dates as Arrow date32 on disk and datetime64 from the Python API; the
README's tables the same as the code's (`sim.io.tables`), so they cannot drift."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest import ROOT
from frictionless import validate

from sim import api
from sim.cli import cli
from sim.io.datapackage import type_of
from sim.io.tables import TABLES

BASELINE = ROOT / "scenarios" / "baseline.yaml"
#: README's words for the Table Schema types.
WORDS = {"text": "string", "float": "number", "int": "integer", "bool": "boolean", "date": "date"}


def readme_tables() -> dict[str, list[tuple[str, str, str]]]:
    """The tables of README's "Data dictionary": (column, type, meaning) by table name."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Data dictionary\n")[1].split("\n## ")[0]
    found: dict[str, list[tuple[str, str, str]]] = {}
    name = None
    for line in section.splitlines():
        heading = re.match(r"\*\*`(\w+)\.parquet`\*\*", line)
        if heading:
            name = heading.group(1)
        elif name and line.startswith("| `"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
            row = (cells[0].strip("`"), WORDS[cells[1]], cells[2].replace("\\|", "|"))
            found.setdefault(name, []).append(row)
    return found


def test_readme_data_dictionary_is_the_codes() -> None:
    documented = readme_tables()
    assert {"alignment", "metrics", "events", "posterior", "results", "summary"} <= set(documented)
    for name, rows in documented.items():
        [table] = [t for kind in TABLES.values() for t in kind if t.name == name]
        assert rows == [(c.name, c.type, c.description) for c in table.columns], name


def check_folder(folder: Path) -> dict:
    """Validate a folder's datapackage.json with frictionless (data against the types) and
    check it names every table with every column described and typed as stored."""
    package = json.loads((folder / "datapackage.json").read_text())
    report = validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type"])[:5]
    described = {r["path"] for r in package["resources"]}
    tables = {p.name for p in folder.iterdir() if p.suffix in (".parquet", ".csv")}
    assert described == tables
    for resource in package["resources"]:
        schema = pq.read_schema(folder / resource["path"].replace(".csv", ".parquet"))
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == schema.names
        for field, arrow in zip(fields, schema.types, strict=True):
            assert field["description"], f"{resource['path']}: {field['name']} undescribed"
            assert field["type"] == type_of(arrow), f"{resource['path']}: {field['name']}"
    return package


def test_every_output_folder_describes_its_tables(
    runner: CliRunner, tiny: Path, write, tmp_path: Path
) -> None:
    other = write("other.yaml", "extends: tiny.yaml\nname: other\nparameters: {decay: 0.01}\n")
    commands = {
        "run": ["run", str(tiny), "--csv"],
        "sweep": ["sweep", str(tiny), "--vary", "decay=0.002,0.01", "--replicates", "2", "--csv"],
        "compare": ["compare", str(tiny), str(other), "--replicates", "4"],
        "calibration": ["calibrate", str(BASELINE), "--method", "optimize", "--budget", "200"],
    }
    for kind, args in commands.items():
        result = runner.invoke(cli, [*args, "--out", str(tmp_path / kind), "-q"])
        assert result.exit_code == 0, result.output
        check_folder(tmp_path / kind)
    dates = {
        (kind, p.stem, f.name): str(f.type)
        for kind in commands
        for p in (tmp_path / kind).glob("*.parquet")
        for f in pq.read_schema(p)
        if "date" in f.name
    }
    assert ("compare", "summary", "date") in dates and ("compare", "bands", "date") in dates
    assert set(dates.values()) == {"date32[day]"}, dates


def test_sweep_csv_is_the_parquet_and_the_same_bytes_whatever_the_workers(
    runner: CliRunner, tiny: Path, tmp_path: Path
) -> None:
    args = ["sweep", str(tiny), "--vary", "decay=0.002:0.01:3", "--replicates", "4", "--csv", "-q"]
    for name, extra in {"one": [], "two": ["--workers", "2", "--chunk-runs", "3"]}.items():
        result = runner.invoke(cli, [*args, *extra, "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    for table in ("results", "envelopes"):
        csv = (tmp_path / "one" / f"{table}.csv").read_bytes()
        assert csv == (tmp_path / "two" / f"{table}.csv").read_bytes()
        parquet = pd.read_parquet(tmp_path / "one" / f"{table}.parquet")
        read = pd.read_csv(tmp_path / "one" / f"{table}.csv", keep_default_na=False)
        assert list(read.columns) == list(parquet.columns) and len(read) == len(parquet)
        date = "largest_shift_date" if table == "results" else "date"
        assert list(read[date]) == [d.isoformat() for d in parquet[date]]


def test_the_api_returns_dates_as_datetime64(tiny: Path, write, tmp_path: Path) -> None:
    other = write("other.yaml", "extends: tiny.yaml\nname: other\nparameters: {decay: 0.01}\n")
    compared = api.compare(str(tiny), str(other), replicates=3)
    done = api.sweep(str(tiny), {"decay": [0.002, 0.01]}, tmp_path / "s", replicates=2)
    tables = {
        "bands": compared.bands["date"],
        "summary": compared.summary["date"],
        "results": done.results["largest_shift_date"],
        "envelopes": done.envelopes["date"],
    }
    for name, column in tables.items():
        assert pd.api.types.is_datetime64_any_dtype(column), name
        assert column.dt.year.min() == 2024, name


@pytest.mark.parametrize("name", ["alignment", "results"])
def test_an_undescribed_column_is_caught(name: str, tmp_path: Path) -> None:
    """The folder check can fail: a table with a column the dictionary lacks."""
    pd.DataFrame({"nobody_knows": [1]}).to_parquet(tmp_path / f"{name}.parquet")
    from sim.io.datapackage import write_datapackage

    write_datapackage(tmp_path)
    with pytest.raises(AssertionError, match="undescribed"):
        check_folder(tmp_path)
