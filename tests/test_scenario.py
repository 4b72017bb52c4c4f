"""Scenario loading: overlays, precedence, event tables, the taxonomy and the schedule."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

from sim.core.events import cameo_table, resolve_type, step_dates
from sim.core.params import defaults
from sim.io.scenario import load_scenario

Write = Callable[[str, str], Path]

TABLE = """\
id,date,source,target,type,magnitude,institutional,doc,quote,note
t1,2024-03-25,PRK,VNM,party_delegation,0.5,,002.txt,"met with Le Hoai Trung",on Monday
t2,2024-06-19,RUS,PRK,057,1.5,true,003.txt,,
t3,2024-07-01,KOR,PRK,criticize,,,,,other actor
t4,2007-07-01,VNM,PRK,visit,,,,,before the start
"""


def test_taxonomy_covers_all_cameo_codes_and_symbolic_types() -> None:
    assert len(cameo_table()) == 311
    assert resolve_type("057", "x").goldstein == 8.0
    assert resolve_type("sign_agreement", "x").code == "057"
    honour = resolve_type("seat_of_honour", "x")
    assert honour.code == "017" and honour.goldstein > 0
    shipped = {
        code: float(weight)
        for code, _, weight in csv.reader(
            [
                line
                for line in (ROOT / "sim" / "data" / "cameo_goldstein.tsv").read_text().splitlines()
                if not line.startswith(("#", "code\t"))
            ],
            delimiter="\t",
        )
    }
    for name in ("sign_agreement", "summit", "criticize", "sanction", "military_aid"):
        named = resolve_type(name, "x")
        assert named.goldstein == shipped[named.code], name
    assert (shipped["057"], shipped["163"], shipped["111"]) == (8.0, -8.0, -2.0)  # Goldstein 1992


def test_event_table_included_with_skips(tiny: Path, write: Write) -> None:
    write("events.csv", TABLE)
    path = write(
        "s.yaml",
        tiny.read_text().replace(
            "events:\n", "events:\n  - {file: events.csv, other_actors: skip, other_dates: skip}\n"
        ),
    )
    scenario = load_scenario(path)
    ids = [e.id for e in scenario.events]
    assert ids == ["t1", "e1", "t2", "e2"]  # by date, then id on the same date
    assert scenario.skipped == {"other_actors": 1, "other_dates": 1}
    t2 = scenario.events[2]
    assert t2.institutional and t2.magnitude == 1.5 and t2.code == "057"
    assert scenario.events[0].defined_in == "events.csv" and scenario.events[0].doc == "002.txt"


def test_multilateral_event_expands_to_each_target(tiny: Path) -> None:
    schedule = load_scenario(tiny).schedule
    rows = [(int(s), int(t)) for s, t in zip(schedule.source, schedule.target, strict=True)]
    assert rows == [(2, 0), (0, 3), (0, 1)]  # e1 RUS->PRK, then e2 PRK->VNM and PRK->CHN
    assert schedule.participants[1].tolist() == [True, True, False, True]


def test_overlay_adds_removes_and_replaces(tiny: Path, write: Write) -> None:
    overlay = write(
        "whatif.yaml",
        """\
        extends: tiny.yaml
        name: what if
        remove_events: [e1]
        actors:
          - {id: PRK, hedging: 0.3}
          - {id: USA, capability: 0.4}
        alignment:
          PRK: {USA: -0.7}
        events:
          - {id: e2, date: 2024-11-01, source: PRK, target: VNM, type: visit}
          - {id: summit, date: 2024-09-01, source: USA, target: PRK, type: summit}
        parameters: {decay: 0.01}
        """,
    )
    scenario = load_scenario(overlay)
    assert scenario.name == "what if" and scenario.start.isoformat() == "2024-01-01"
    assert [e.id for e in scenario.events] == ["summit", "e2"]
    assert scenario.events[1].type == "visit"
    assert scenario.actors[0].hedging == 0.3 and scenario.actors[0].capability == 0.05
    assert scenario.actor_ids[-1] == "USA"
    assert scenario.alignment[0, 4] == -0.7 and scenario.alignment[4, 0] == -0.7
    assert scenario.alignment[0, 1] == 0.5
    assert scenario.parameters["decay"] == 0.01


def test_parameter_precedence(tiny: Path, write: Write) -> None:
    write("fitted.yaml", "parameters: {decay: 0.005, balance: 0.004, noise: 0.001}\n")
    write(
        "base.yaml",
        tiny.read_text() + "parameters_from: fitted.yaml\n"
        "parameters: {balance: 0.006, jealousy: 0.2}\n",
    )
    top = write("top.yaml", "extends: base.yaml\nparameters: {jealousy: 0.3}\n")
    scenario = load_scenario(top, {"noise": 0.0})
    p, src = scenario.parameters, scenario.parameter_sources
    assert p["impulse"] == defaults()["impulse"] and src["impulse"] == "default"
    assert p["decay"] == 0.005 and src["decay"].startswith("fitted")
    assert p["balance"] == 0.006 and src["balance"] == "scenario (base.yaml)"
    assert p["jealousy"] == 0.3 and src["jealousy"] == "scenario (top.yaml)"
    assert p["noise"] == 0.0 and src["noise"] == "--set"
    assert set(scenario.files) == {"base.yaml", "top.yaml", "fitted.yaml"}


def test_directed_alignment(tiny: Path, write: Write) -> None:
    path = write("d.yaml", tiny.read_text() + "symmetric: false\n")
    a = load_scenario(path).alignment
    assert a[0, 1] == 0.5 and a[1, 0] == 0.0


def test_symmetric_fill_keeps_explicit_reverse(tiny: Path, write: Write) -> None:
    path = write("r.yaml", tiny.read_text().replace("CHN: {RUS: 0.6}", "CHN: {RUS: 0.6, PRK: 0.2}"))
    a = load_scenario(path).alignment
    assert a[0, 1] == 0.5 and a[1, 0] == 0.2


@pytest.mark.parametrize(
    ("step", "count", "last_gap"), [("day", 365, 1), ("week", 53, 1), ("month", 12, 30)]
)
def test_step_grid_covers_start_to_end(step: str, count: int, last_gap: int) -> None:
    import datetime as dt

    dates = step_dates(dt.date(2024, 1, 1), dt.date(2024, 12, 31), step)
    assert dates[0] == np.datetime64("2024-01-01") and dates[-1] == np.datetime64("2024-12-31")
    assert len(dates) - 1 == count
    assert int((dates[-1] - dates[-2]).astype(int)) == last_gap


def test_scenario_hash_changes_with_content(tiny: Path) -> None:
    a = load_scenario(tiny)
    assert a.hash == load_scenario(tiny).hash
    assert a.hash != a.with_parameters({"decay": 0.01}).hash
