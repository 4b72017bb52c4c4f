"""`alignsim examples DIR`: the example scenarios and calibration files, copied out."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli import options


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FOLDER's scenarios/ and calibration/.")
def examples(folder: Path, force: bool) -> None:
    """Copy the example scenarios and their calibration files into FOLDER.

    FOLDER gets scenarios/ (the baseline, the classroom scenarios and the what-ifs) and
    calibration/ (the fitted parameters, the posterior, the model comparison and the
    evidence they were fitted to), side by side as the scenarios expect them.

    \b
    Examples:
      alignsim examples alignsim-examples
      alignsim run alignsim-examples/scenarios/baseline.yaml
    """
    from sim.io.examples import copy_examples

    written = copy_examples(folder, force)
    lines = [
        f"wrote {path}/ ({sum(1 for p in path.rglob('*') if p.is_file())} files)"
        for path in written
    ]
    options.echo_lines([*lines, f"try: alignsim run {folder / 'scenarios' / 'baseline.yaml'}"])


COMMANDS = (examples,)
