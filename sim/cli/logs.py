"""What the command line logs, and where: the standard `logging` module, loggers under
``alignsim.``.

Standard error gets ``alignsim: MESSAGE`` for notes and warnings (progress lines with the
time of day), unless a terminal shows a progress bar instead of the lines; ``--log-file``
gets every record with its time, level and logger. ``-v`` adds detail (DEBUG), ``-q``
keeps warnings and errors only (no progress). Standard output keeps the results.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import click

from sim.io.progress import on_terminal

ROOT = logging.getLogger("alignsim")
FILE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class Stderr(logging.Handler):
    """A record as ``alignsim: MESSAGE`` on standard error (Click's, which tests read);
    a progress line with the time, and none while a terminal shows the bar."""

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record (a progress line only off a terminal)."""
        progress = getattr(record, "progress", False)
        if progress and on_terminal():
            return
        stamp = time.strftime("%H:%M:%S ", time.localtime(record.created)) if progress else ""
        click.echo(f"alignsim: {stamp}{record.getMessage()}", err=True)


def level_of(verbose: int, quiet: bool) -> int:
    """The level of ``-v`` (DEBUG), ``-q`` (WARNING) or neither (INFO)."""
    if quiet:
        return logging.WARNING
    return logging.DEBUG if verbose else logging.INFO


def configure(verbose: int, quiet: bool, log_file: Path | None) -> None:
    """Send the package's records to standard error and `log_file` at the options' level,
    replacing what an earlier call set up."""
    for handler in list(ROOT.handlers):
        ROOT.removeHandler(handler)
        handler.close()
    ROOT.setLevel(level_of(verbose, quiet))
    ROOT.propagate = False
    ROOT.addHandler(Stderr())
    if log_file is not None:
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter(FILE_FORMAT))
        ROOT.addHandler(handler)
