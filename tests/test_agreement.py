"""Second coding and agreement (calibration/CODEBOOK.md, "Second coding and agreement").

Krippendorff's α is reproducible from the two unit-level codings in `calibration/`
alone; the first coder's unit-level coding is reproducible from its table as coded,
`events_first_coder.csv` (events.csv with its acts merged is the resolved table, not a
coding), and the documents (skipped where the copyrighted documents are absent); and α
itself is checked on tiny codings whose value is known by hand.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, SEEDS

from sim.core.errors import InputError
from sim.experiments.agreement import (
    FIELDS,
    alpha_table,
    coding_counts,
    disagreements,
    first_coder_units,
    place_quotes,
)

CALIBRATION = ROOT / "calibration"
FIRST = CALIBRATION / "events_first_coder_units.csv"
SECOND = CALIBRATION / "events_second_coder.csv"
needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(),
    reason=f"source documents not found at {SEEDS}; the first coder's unit table is not rebuilt",
)


def text_table(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def assert_same_table(computed: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Same columns and rows; integers exactly, fractions to the 4 decimals written."""
    assert list(computed.columns) == list(expected.columns)
    assert len(computed) == len(expected)
    for column in expected.columns:
        for got, want in zip(computed[column], expected[column], strict=True):
            if isinstance(want, float) and isinstance(got, float):
                assert (math.isnan(got) and math.isnan(want)) or got == pytest.approx(
                    want, abs=5e-5
                ), column
            else:
                assert got == want, column


def test_alpha_is_reproducible_from_the_two_unit_files() -> None:
    assert_same_table(alpha_table(FIRST, SECOND), pd.read_csv(CALIBRATION / "agreement.csv"))
    assert_same_table(
        coding_counts(FIRST, SECOND), pd.read_csv(CALIBRATION / "agreement_counts.csv")
    )


def test_the_codebook_reports_the_alpha_table() -> None:
    codebook = (CALIBRATION / "CODEBOOK.md").read_text(encoding="utf-8")
    section = codebook.split("## Second coding and agreement", 1)[1]
    for row in pd.read_csv(CALIBRATION / "agreement.csv").itertuples():
        line = next((x for x in section.splitlines() if x.startswith(f"| `{row.field}` ")), None)
        assert line is not None, f"no row for {row.field} in the codebook's α table"
        assert f"{row.alpha:.3f}" in line and f"{row.percent_agreement:.1f}" in line, line


@needs_seeds
def test_first_coder_units_rebuild_from_the_first_coders_table_and_documents() -> None:
    rebuilt = first_coder_units(CALIBRATION / "events_first_coder.csv", SEEDS)
    assert rebuilt.equals(text_table(FIRST))


@needs_seeds
@pytest.mark.parametrize("table", ["events_first_coder.csv", "events.csv"])
def test_every_quote_starts_in_exactly_one_unit(table: str) -> None:
    placed = place_quotes(CALIBRATION / table, SEEDS)
    assert len(placed) == len(text_table(CALIBRATION / table))
    assert [p.id for p in placed if len(p.units) != 1] == []


def test_every_disagreement_is_listed_and_resolved_by_a_written_rule() -> None:
    listed = text_table(CALIBRATION / "coder_disagreements.csv")
    computed = disagreements(FIRST, SECOND).astype({"unit": str})
    assert listed[list(computed.columns)].equals(computed)
    codebook = (CALIBRATION / "CODEBOOK.md").read_text(encoding="utf-8")
    defined = set(re.findall(r"\*\*(A\d+)\b", codebook))
    for row in listed.itertuples():
        assert row.resolution.strip(), f"{row.doc} {row.unit} {row.field}: no resolution"
        cited = re.findall(r"\bA\d+\b", row.rule)
        assert cited and set(cited) <= defined, f"{row.doc} {row.unit}: rule {row.rule!r}"


def write_coding(path: Path, rows: list[tuple[str, str, str, str, str]]) -> Path:
    """A unit-level coding of units 1..n of document 000: (event, source, target, dir, root)."""
    lines = ["doc,unit,sha256,event,events_in_unit,source,target,direction,cameo_root"]
    for number, (event, source, target, direction, root) in enumerate(rows, start=1):
        count = "1" if event == "1" else ""
        lines.append(
            f"000,{number},{number:064x},{event},{count},{source},{target},{direction},{root}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


A = [
    ("1", "PRK", "CHN", "+1", "04"),
    ("1", "PRK", "RUS", "+1", "01"),
    ("1", "CHN", "PRK", "+1", "03"),
    ("1", "PRK", "USA", "+1", "04"),
    ("0", "", "", "", ""),
    ("0", "", "", "", ""),
]
B = [
    ("1", "PRK", "CHN", "+1", "04"),
    ("1", "CHN", "RUS", "+1", "01"),
    ("1", "CHN", "", "+1", "01"),
    ("0", "", "", "", ""),
    ("0", "", "", "", ""),
    ("0", "", "", "", ""),
]


def test_perfect_agreement_gives_alpha_one(tmp_path: Path) -> None:
    first = write_coding(tmp_path / "a.csv", A)
    second = write_coding(tmp_path / "b.csv", A)
    table = alpha_table(first, second).set_index("field")
    assert table.loc["event", "alpha"] == 1.0
    assert table.loc["source", "alpha"] == 1.0
    assert (table["percent_agreement"].dropna() == 100.0).all()
    assert disagreements(first, second).empty


def test_a_known_disagreement_pattern_gives_the_hand_computed_alpha(tmp_path: Path) -> None:
    """Nominal α = 1 − (n − 1) · Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k over pairable values.

    event, six units, values (1,1) (1,1) (1,1) (1,0) (0,0) (0,0): the coincidences are
    o_11 = 6, o_10 = o_01 = 1, o_00 = 4; n = 12, n_1 = 7, n_0 = 5, so
    α = 1 − 11 · 2 / (2 · 7 · 5) = 24/35 ≈ 0.6857; agreement 5/6.
    source, on units 1–3 (both coded as events): (PRK,PRK) (PRK,CHN) (CHN,CHN): o_PP = 2,
    o_PC = o_CP = 1, o_CC = 2; n = 6, n_P = n_C = 3: α = 1 − 5 · 2 / (2 · 3 · 3) = 4/9.
    target: unit 3 is empty for the second coder, so it is missing and unpairable; units 1–2
    agree (CHN, RUS): α = 1 on 2 pairable units.
    direction: every value +1, so no disagreement is expected and α is undefined (NaN).
    cameo_root: (04,04) (01,01) (03,01): n = 6, n_04 = 2, n_01 = 3, n_03 = 1,
    Σ n_c n_k (c ≠ k) = 36 − (4 + 9 + 1) = 22, Σ o_ck (c ≠ k) = 2: α = 1 − 5 · 2 / 22 = 6/11.
    """
    table = alpha_table(write_coding(tmp_path / "a.csv", A), write_coding(tmp_path / "b.csv", B))
    table = table.set_index("field")
    assert list(table.index) == list(FIELDS)
    assert table.loc["event", "alpha"] == pytest.approx(24 / 35, abs=1e-4)
    assert table.loc["event", "percent_agreement"] == pytest.approx(100 * 5 / 6, abs=0.01)
    assert table.loc["source", "alpha"] == pytest.approx(4 / 9, abs=1e-4)
    assert table.loc["target", "alpha"] == 1.0
    assert table.loc["target", "pairable"] == 2
    assert math.isnan(table.loc["direction", "alpha"])
    assert table.loc["cameo_root", "alpha"] == pytest.approx(6 / 11, abs=1e-4)
    counts = coding_counts(tmp_path / "a.csv", tmp_path / "b.csv").iloc[0]
    assert (counts["first_events"], counts["second_events"], counts["both_events"]) == (4, 3, 3)


def test_codings_of_different_units_are_refused(tmp_path: Path) -> None:
    first = write_coding(tmp_path / "a.csv", A)
    second = write_coding(tmp_path / "b.csv", B[:5])
    with pytest.raises(InputError, match="same units"):
        alpha_table(first, second)


def test_quotes_are_placed_where_they_start(tmp_path: Path) -> None:
    """A quote across a sentence boundary belongs to the unit where it starts; a quote in
    two units, or in none, is reported and left out of the unit table."""
    documents = tmp_path / "docs"
    documents.mkdir()
    (documents / "009_x.txt").write_text(
        "Headline about talks\n"
        'Kim met Xi in Beijing. Xi said "we agree." Kim met Xi again later.\n',
        encoding="utf-8",
    )
    events = tmp_path / "events.csv"
    events.write_text(
        "id,date,source,target,type,magnitude,institutional,doc,quote,note\n"
        "a,2024-01-01,PRK,CHN,summit,1,false,009_x.txt,in Beijing. Xi said,\n"
        'b,2024-01-02,CHN,PRK,intent_to_cooperate,1,false,009_x.txt,"""we agree.""",\n'
        "c,2024-01-03,PRK,CHN,visit,1,false,009_x.txt,Kim met Xi,\n"
        "d,2024-01-04,PRK,CHN,visit,1,false,009_x.txt,not in the text,\n",
        encoding="utf-8",
    )
    placed = {p.id: p for p in place_quotes(events, documents)}
    assert (placed["a"].units, placed["a"].whole) == ((2,), False)
    assert (placed["b"].units, placed["b"].whole) == ((3,), False)  # closing quote dropped
    assert placed["c"].units == (2, 4) and placed["d"].units == ()
    table = first_coder_units(events, documents).set_index("unit")
    assert table["event"].tolist() == ["0", "1", "1", "0"]
    assert table.loc["2", ["rows", "source", "direction", "cameo_root"]].tolist() == [
        "a",
        "PRK",
        "+1",
        "04",
    ]
    assert table.loc["3", ["rows", "target", "cameo_root"]].tolist() == ["b", "PRK", "03"]


def test_the_agreement_command_prints_the_stored_alphas(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sim.cli import cli

    first = ROOT / "calibration" / "events_first_coder_units.csv"
    second = ROOT / "calibration" / "events_second_coder.csv"
    result = CliRunner().invoke(cli, ["evidence", "agreement", str(first), str(second)])
    assert result.exit_code == 0, result.output
    assert "event       alpha 0.545" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("doc,unit\n000,x\n")
    refused = CliRunner().invoke(cli, ["evidence", "agreement", str(bad), str(second)])
    assert refused.exit_code == 2 and "missing columns" in refused.stderr
