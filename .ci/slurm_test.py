"""Sweeps on a real SLURM (run by .ci/run, not by `make test`).

Starts a single-node SLURM of its own (Debian's `slurm-wlm` and `munge`, installed with
apt-get when missing; as root): munged with a fresh key and its own socket, slurmctld and
slurmd with a slurm.conf written under a temporary folder (one node, `localhost`, 2 CPUs,
no cgroups). Then, in a folder laid out like the project's, it runs the README's SLURM
recipes word for word:

1. the job array (`sweep-array.sh`, then `sbatch --wait` and `alignsim sweep assemble`),
2. the dask-jobqueue `SLURMCluster` script (workers as SLURM jobs, `--scheduler`),

and checks that each sweep's results.parquet and envelopes.parquet are byte for byte those
of the same sweep run without SLURM. Where SLURM cannot be installed or started here, it
says why and what it tried, and exits 0 (skipped); a recipe that runs and gives other
bytes, or fails, exits 1. It stops the daemons it started.

Usage: python .ci/slurm_test.py   (with `alignsim` on PATH, or beside this Python)
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
TABLES = ("results.parquet", "envelopes.parquet")
DAEMONS = ("munged", "slurmctld", "slurmd")


class Skip(Exception):
    """SLURM cannot run here: the reason and what was tried."""


def say(text: str) -> None:
    print(f"slurm-test: {text}", flush=True)


def readme_block(marker: str, language: str) -> str:
    """The fenced block that follows ``<!-- MARKER -->`` in the README."""
    found = re.search(
        rf"<!-- {re.escape(marker)} -->\n```{language}\n(.*?)```", README.read_text(), re.S
    )
    if found is None:
        raise SystemExit(
            f"slurm-test: README.md has no ```{language} block after <!-- {marker} -->"
        )
    return found.group(1)


def install() -> None:
    """Install slurm-wlm and munge with apt-get if their daemons are missing."""
    if all(shutil.which(d) for d in DAEMONS):
        return
    tried = "apt-get install -y slurm-wlm munge"
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise Skip(f"slurmd, slurmctld or munged missing, and cannot run `{tried}` (not root)")
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "slurm-wlm", "munge"],
    ):
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise Skip(f"`{' '.join(command)}` failed: {done.stderr.strip()[-400:]}")


def slurm_conf(base: Path, port: int) -> str:
    """A single-node slurm.conf: root runs everything, no cgroups, state under `base`."""
    return f"""ClusterName=alignsim-ci
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={base}/munge/munge.socket
CredType=cred/munge
StateSaveLocation={base}/state
SlurmdSpoolDir={base}/spool
SlurmctldPidFile={base}/slurmctld.pid
SlurmdPidFile={base}/slurmd.pid
SlurmctldLogFile={base}/log/slurmctld.log
SlurmdLogFile={base}/log/slurmd.log
SlurmctldPort={port}
SlurmdPort={port + 1}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SchedulerType=sched/backfill
ReturnToService=2
NodeName=localhost CPUs=2 RealMemory=4000 State=UNKNOWN
PartitionName=ci Nodes=localhost Default=YES MaxTime=INFINITE State=UP
"""


class Slurm:
    """The daemons this script starts, and how to stop them (by their pid files)."""

    def __init__(self, base: Path, port: int) -> None:
        self.base, self.conf = base, base / "slurm.conf"
        self.pids = [base / "munge" / "munged.pid", base / "slurmctld.pid", base / "slurmd.pid"]
        for folder in ("state", "spool", "log", "munge"):
            (base / folder).mkdir(parents=True)
        (base / "munge").chmod(0o700)
        key = base / "munge" / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)
        self.conf.write_text(slurm_conf(base, port))
        os.environ["SLURM_CONF"] = str(self.conf)

    def start(self) -> None:
        """Start munged, slurmctld and slurmd; wait until the node is idle, or Skip."""
        m = self.base / "munge"
        self.run(
            "munged",
            [
                "munged",
                "--force",
                f"--socket={m}/munge.socket",
                f"--key-file={m}/munge.key",
                f"--pid-file={m}/munged.pid",
                f"--seed-file={m}/munge.seed",
                f"--log-file={self.base}/log/munged.log",
            ],
        )
        self.run("slurmctld", ["slurmctld", "-f", str(self.conf)])
        self.run("slurmd", ["slurmd", "-f", str(self.conf), "-N", "localhost"])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state = subprocess.run(
                ["sinfo", "-h", "-n", "localhost", "-o", "%T"], capture_output=True, text=True
            ).stdout.strip()
            if state == "idle":
                say("single-node SLURM up: munged, slurmctld, slurmd (node localhost idle)")
                return
            time.sleep(1)
        raise Skip(f"the node never became idle (sinfo says {state!r}); {self.diagnosis()}")

    def run(self, name: str, command: list[str]) -> None:
        """Start a daemon (each forks itself into the background), or Skip saying why."""
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise Skip(
                f"`{shlex.join(command)}` failed ({done.returncode}): "
                f"{(done.stderr or done.stdout).strip()[-400:]}; {self.diagnosis()}"
            )

    def diagnosis(self) -> str:
        """What slurmd says in the foreground, verbosely, and the logs' last lines."""
        lines = []
        for log in sorted((self.base / "log").glob("*.log")):
            tail = log.read_text(errors="replace").strip().splitlines()[-5:]
            lines.append(f"{log.name}: " + " | ".join(tail))
        try:
            foreground = subprocess.run(
                ["slurmd", "-D", "-vvv", "-f", str(self.conf), "-N", "localhost"],
                capture_output=True,
                text=True,
                timeout=10,
            )
            said = (foreground.stderr + foreground.stdout).strip().splitlines()[-8:]
        except subprocess.TimeoutExpired as exc:
            said = (str(exc.stderr or "") + "(still running after 10 s)").splitlines()[-8:]
        lines.append("slurmd -D -vvv: " + " | ".join(said))
        return "; ".join(lines)

    def stop(self) -> None:
        """Stop the daemons started here (slurmd first), by the pids they wrote."""
        for pid_file in reversed(self.pids):
            try:
                os.kill(int(pid_file.read_text().split()[0]), 15)
            except (OSError, ValueError, IndexError):
                continue


def free_ports(first: int) -> int:
    """The first port from `first` that, with the next one, nothing on this host listens on
    (slurmctld's and slurmd's)."""
    for port in range(first, first + 200, 2):
        try:
            for p in (port, port + 1):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", p))
        except OSError:
            continue
        return port
    raise Skip(f"no two free ports from {first} to {first + 200} for slurmctld and slurmd")


def project_folder(work: Path) -> None:
    """A folder laid out like the project's (its scenarios and calibration), as a reader's."""
    work.mkdir()
    for name in ("scenarios", "calibration"):
        (work / name).symlink_to(ROOT / name)
    (work / "runs").mkdir()


def sweep_args(script: str) -> list[str]:
    """The `alignsim sweep` command of the array script, without `--shard` and `--out`."""
    line = next(
        part for part in script.replace("\\\n", " ").splitlines() if part.startswith("alignsim")
    )
    words = shlex.split(line)
    for option in ("--shard", "--out"):
        at = words.index(option)
        del words[at : at + 2]
    return words


def same_bytes(a: Path, b: Path) -> None:
    for name in TABLES:
        if (a / name).read_bytes() != (b / name).read_bytes():
            raise SystemExit(f"slurm-test: FAILED: {b / name} differs from {a / name}")
    say(f"{b}: {', '.join(TABLES)} byte for byte those of the sweep without SLURM")


def shell(command: str, work: Path, env: dict[str, str], seconds: int) -> None:
    say(f"$ {command}")
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command], cwd=work, env=env, timeout=seconds
    )
    if done.returncode != 0:
        raise SystemExit(f"slurm-test: FAILED ({done.returncode}): {command}")


def job_array(work: Path, env: dict[str, str], reference: Path) -> None:
    """The README's job array, word for word, against the unsharded sweep."""
    script = readme_block("slurm-test: sweep-array.sh", "bash")
    (work / "sweep-array.sh").write_text(script)
    began = time.monotonic()
    shell(readme_block("slurm-test: commands", "bash"), work, env, 300)
    say(f"job array of 3 shards and assembly: {time.monotonic() - began:.0f} s")
    for log in sorted((work / "runs").glob("sweep-array-*.log")):
        say(f"{log.name}: {' | '.join(log.read_text().strip().splitlines())}")
    same_bytes(reference, work / "runs" / "array")


def dask_cluster(work: Path, env: dict[str, str], reference: Path) -> None:
    """The README's SLURMCluster script, word for word, against the unsharded sweep."""
    try:
        import dask_jobqueue  # noqa: F401
    except ImportError:
        say(
            "SKIPPED the SLURMCluster recipe: dask-jobqueue is not installed "
            "(pip install dask-jobqueue)"
        )
        return
    code = readme_block("readme-test: skip, needs SLURM (.ci/slurm_test.py runs it)", "python")
    (work / "slurm_dask.py").write_text(code)
    began = time.monotonic()
    shell(f"{shlex.quote(sys.executable)} slurm_dask.py", work, env, 600)
    say(f"SLURMCluster (one job, two Dask workers) sweep: {time.monotonic() - began:.0f} s")
    same_bytes(reference, work / "runs" / "dask")


def main() -> int:
    base = Path(tempfile.mkdtemp(prefix="alignsim-slurm-"))
    env = os.environ.copy()
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = f"{bin_dir}:{env.get('PATH', '')}"
    os.environ["PATH"] = env["PATH"]
    slurm = None
    try:
        install()
        port = free_ports(int(os.environ.get("ALIGNSIM_SLURM_PORT", "6817")))
        slurm = Slurm(base / "slurm", port)
        env["SLURM_CONF"] = str(slurm.conf)
        slurm.start()
        work = base / "project"
        project_folder(work)
        script = readme_block("slurm-test: sweep-array.sh", "bash")
        reference = work / "runs" / "whole"
        shell(shlex.join([*sweep_args(script), "--quiet", "--out", str(reference)]), work, env, 300)
        os.chdir(work)
        job_array(work, env, reference)
        dask_cluster(work, env, reference)
    except Skip as why:
        say(f"SKIPPED: SLURM could not run here: {why}")
        say(
            "tried: apt-get install slurm-wlm munge; munged --force with its own key and "
            "socket; slurmctld and slurmd -N localhost with a single-node slurm.conf "
            "(proctrack/linuxproc, task/none, select/cons_tres, no cgroups); slurmd -D -vvv"
        )
        return 0
    finally:
        if slurm is not None:
            slurm.stop()
    say("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
