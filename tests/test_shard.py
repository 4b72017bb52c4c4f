"""Sharded sweeps: shards joined by `sweep assemble` give an unsharded sweep's bytes; a
missing or unfinished shard, another design or another N is refused; a killed shard resumes."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT
from test_sweep import BASELINE, VARY, one_line, same_bytes, snapshot, wait_for

from sim.cli import cli

SMALL = [str(BASELINE), *VARY, "--replicates", "4", "--chunk-runs", "4", "--quiet"]


def unlocked(folder: Path) -> dict[str, tuple[int, int]]:
    """`snapshot` of the folder but its lock files (which a refused command may have taken)."""
    return {name: seen for name, seen in snapshot(folder).items() if not name.endswith(".lock")}


def invoke(runner: CliRunner, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["sweep", *args])
    return result.exit_code, result.stderr


def shards(runner: CliRunner, out: Path, which: range | list[int], n: int = 3) -> None:
    for i in which:
        code, errors = invoke(runner, *SMALL, "--shard", f"{i}/{n}", "--out", str(out))
        assert code == 0, errors


def test_three_shards_assemble_to_the_unsharded_bytes(runner: CliRunner, tmp_path: Path) -> None:
    assert invoke(runner, *SMALL, "--out", str(tmp_path / "whole"))[0] == 0
    out = tmp_path / "sharded"
    shards(runner, out, [2, 0, 1])
    assert not (out / "results.parquet").exists()
    code, errors = invoke(runner, "assemble", str(out))
    assert code == 0, errors
    same_bytes(tmp_path / "whole", out)
    plan = json.loads((out / "sweep.json").read_text())
    ids = [c["id"] for c in plan["chunks"]]
    assert len(ids) == 6
    for i in range(3):
        record = json.loads((out / "shards" / f"{i}-of-3.json").read_text())
        assert record["chunks"] == ids[i::3] and record["host"] == socket.gethostname()
        assert record["finished"] >= record["started"] and isinstance(record["pid"], int)
        lines = (out / "shards" / f"{i}-of-3.manifest.jsonl").read_text().splitlines()
        assert [json.loads(line)["chunk"] for line in lines] == ids[i::3]
    assembled = (out / "manifest.jsonl").read_text().splitlines()
    assert [json.loads(line)["chunk"] for line in assembled] == ids


def test_missing_or_unfinished_shards_are_named(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "s"
    shards(runner, out, [0, 2])
    before = unlocked(out)
    code, errors = invoke(runner, "assemble", str(out))
    assert code == 2 and one_line(errors, "shards not finished: 1/3 (never ran);"), errors
    assert unlocked(out) == before
    shards(runner, out, [1])
    chunk = json.loads((out / "shards" / "2-of-3.json").read_text())["chunks"][1]
    cut = out / "chunks" / f"{chunk}.envelopes.parquet"
    cut.write_bytes(cut.read_bytes()[:50])
    code, errors = invoke(runner, "assemble", str(out))
    fragment = "shards not finished: 2/3 (1 of 2 chunks missing or unverified)"
    assert code == 2 and one_line(errors, fragment), errors
    assert not (out / "results.parquet").exists()


@pytest.mark.parametrize(
    ("shard", "fragment"),
    [
        ("3/3", "--shard 3/3: I must be from 0 to 2"),
        ("1/0", "--shard 1/0: N must be at least 1"),
        ("one/3", "--shard 'one/3': expected I/N"),
        ("-1/3", "expected I/N"),
    ],
)
def test_bad_shard_numbers(runner: CliRunner, tmp_path: Path, shard: str, fragment: str) -> None:
    code, errors = invoke(runner, *SMALL, "--shard", shard, "--out", str(tmp_path / "s"))
    assert code == 2 and one_line(errors, fragment), errors
    assert not (tmp_path / "s").exists()


def test_shards_of_another_design_or_another_n_are_refused(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "s"
    shards(runner, out, [0])
    before = unlocked(out)
    cases = [
        (["--seed", "7", "--shard", "1/3"], "--seed is 7 here but"),
        (["--shard", "1/2"], "the folder's shards split the sweep into 3"),
        (["--shard", "0/3"], "this shard already ran"),
    ]
    for extra, fragment in cases:
        code, errors = invoke(runner, *SMALL, *extra, "--out", str(out))
        assert code == 2 and one_line(errors, fragment), errors
        assert unlocked(out) == before


def test_killed_shard_resumes_while_assemble_waits(runner: CliRunner, tmp_path: Path) -> None:
    """A shard killed mid-way is refused without --resume and finished with it (taking
    over its lock); assemble, or an unsharded sweep, meanwhile is refused naming it; the
    result is the unsharded sweep's."""
    design = [str(BASELINE), "--vary", "spillover=0:0.5:20", "--replicates", "5"]
    args = [*design, "--chunk-runs", "5", "--quiet"]
    reference, out = tmp_path / "whole", tmp_path / "sharded"
    assert invoke(runner, *args, "--out", str(reference))[0] == 0
    command = [sys.executable, "-m", "sim", "sweep", *args, "--out", str(out), "--shard", "0/2"]
    killed = subprocess.Popen(command, cwd=ROOT)
    manifest = out / "shards" / "0-of-2.manifest.jsonl"
    wait_for(lambda: manifest.exists() and manifest.read_text().count("\n") >= 2)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert 2 <= manifest.read_text().count("\n") < 10, "the kill must land mid-shard"
    code, errors = invoke(runner, *args, "--out", str(out), "--shard", "0/2")
    assert code == 2 and one_line(errors, "use --resume to finish it"), errors
    resumed = subprocess.Popen(
        [*command, "--resume"], cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    record = out / "shards" / "0-of-2.json"  # rewritten once the folder's lock is let go
    wait_for(lambda: f'"pid": {resumed.pid}' in record.read_text())
    resumed.send_signal(signal.SIGSTOP)  # holding its shard's lock only
    holder = f"in use by process {resumed.pid}"
    for refused in (["assemble", str(out)], [*args, "--out", str(out), "--force"]):
        code, errors = invoke(runner, *refused)
        assert code == 2 and one_line(errors, holder), errors
    resumed.send_signal(signal.SIGCONT)
    printed, errors = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, errors
    assert f"taking over the lock left by process {killed.pid}" in errors
    ran = int(printed.split("ran ")[1].split()[0])
    assert 0 < ran <= 40 and ran % 5 == 0, printed
    assert invoke(runner, *args, "--out", str(out), "--shard", "1/2")[0] == 0
    assert invoke(runner, "assemble", str(out))[0] == 0
    same_bytes(reference, out)
