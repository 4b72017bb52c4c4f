"""Check what `python -m build` made, for .ci/run: python .ci/check_dist.py DIST_FOLDER.

- The sdist holds every file git tracks (all that `make test` and .ci/run need: tests,
  their data and golden files, scenarios, calibration, CITATION.cff, the Makefile, .ci).
- The wheel holds every example scenario and calibration file as ``sim/examples/...``,
  the license file, and PEP 639 license metadata.

Prints one line per check and exits 1 naming what is missing.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from email.parser import HeaderParser
from pathlib import Path

#: Tracked files the sdist has no use for.
NOT_SHIPPED = {".gitignore"}

#: The checkout's folders the wheel ships as sim/examples/<folder>/.
EXAMPLES = ("scenarios", "calibration")


def tracked() -> set[str]:
    """The files git tracks in this checkout."""
    listed = subprocess.run(["git", "ls-files"], capture_output=True, text=True, check=True)
    return {line for line in listed.stdout.splitlines() if line} - NOT_SHIPPED


def sdist_files(path: Path) -> set[str]:
    """The sdist's files, without its top folder."""
    with tarfile.open(path) as archive:
        return {m.name.split("/", 1)[1] for m in archive.getmembers() if m.isfile()}


def wheel_problems(path: Path, files: set[str]) -> list[str]:
    """What the wheel lacks of the examples, the license and its metadata."""
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = HeaderParser().parsestr(archive.read(meta_name).decode())
    wanted = {f"sim/examples/{f}" for f in files if f.split("/", 1)[0] in EXAMPLES}
    problems = [f"wheel lacks {name}" for name in sorted(wanted - names)]
    if not any(n.endswith(".dist-info/licenses/LICENSE") for n in names):
        problems.append("wheel lacks its LICENSE under .dist-info/licenses/")
    if meta.get("License-Expression") != "MIT":
        problems.append(f"wheel's License-Expression is {meta.get('License-Expression')!r}")
    if not wanted:
        problems.append("no example files found to check")
    return problems


def main(dist: Path) -> int:
    """Check the sdist and the wheel in `dist`; 0 when both hold what they should."""
    files = tracked()
    sdist = next(dist.glob("alignsim-*.tar.gz"))
    wheel = next(dist.glob("alignsim-*.whl"))
    problems = [f"sdist lacks {name}" for name in sorted(files - sdist_files(sdist))]
    problems += wheel_problems(wheel, files)
    for line in problems:
        print(f"ci: {line}", file=sys.stderr)
    if not problems:
        print(f"ci: {sdist.name} holds all {len(files)} tracked files; {wheel.name} the examples")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
