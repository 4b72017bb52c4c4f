"""Progress of long jobs, through the standard `logging` module (logger
``alignsim.progress``): a tqdm bar where standard error is a terminal, and where it is
not (a batch job's log) a line every `PROGRESS_EVERY` seconds and one at the end, with
the time, the count done, the rate and the time left.

Lines are written where the logger is enabled for INFO: the command line enables it
unless ``-q``; from Python, ``logging.basicConfig(level=logging.INFO)`` shows them. The bar
shows on a terminal unless ``-q`` (from Python, when asked for). Every
line is a log record (marked ``progress``), so a log file gets them too, even when a
terminal shows the bar instead.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger("alignsim.progress")

#: Seconds between two progress lines.
PROGRESS_EVERY = 30.0


def on_terminal() -> bool:
    """Whether standard error is a terminal, where a bar replaces the lines."""
    return sys.stderr.isatty()


@contextmanager
def progress(
    total: int, what: str, shown: bool = True, initial: int = 0, unit: str = "run"
) -> Iterator[Callable[[int], None]]:
    """Progress of `total` units of `what` (`initial` of them done before), advanced by
    the callable it yields: nothing unless `shown`; off a terminal, lines where the logger
    is enabled for INFO; on one, a bar unless logging was set above INFO (``-q``)."""
    unset = logging.getLogger("alignsim").level == logging.NOTSET  # Python, unconfigured
    lines = ProgressLog(total, what, initial, unit)
    if shown and not on_terminal() and log.isEnabledFor(logging.INFO):
        yield lines.advance
        lines.line(final=True)
        return
    if not shown or not on_terminal() or not (unset or log.isEnabledFor(logging.INFO)):
        yield lambda _: None
        return
    from tqdm import tqdm

    with tqdm(total=total, initial=initial, unit=unit, desc=what) as bar:

        def advance(count: int) -> None:
            bar.update(count)
            lines.advance(count)

        yield advance
    lines.line(final=True)


class ProgressLog:
    """Progress as log lines: ``WHAT: DONE of TOTAL (P%) in T, R runs/s, about L left``
    (the time of day is the log format's)."""

    def __init__(self, total: int, what: str, initial: int = 0, unit: str = "run") -> None:
        self.total, self.what, self.unit = total, what, unit
        self.done = self.initial = initial
        self.start = self.last = time.monotonic()

    def advance(self, count: int) -> None:
        """Count `count` more units; log a line when `PROGRESS_EVERY` seconds have passed."""
        self.done += count
        if time.monotonic() - self.last >= PROGRESS_EVERY:
            self.line()

    def line(self, final: bool = False) -> None:
        """Log the current progress (at the end, what was done)."""
        now = time.monotonic()
        self.last, spent = now, now - self.start
        rate = (self.done - self.initial) / spent if spent > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        done = (
            f"{self.what}: {self.done:,} of {self.total:,} ({self.done / max(self.total, 1):.0%})"
        )
        speed = f"{rate:,.1f} {self.unit}s/s"
        if final:
            log.info(f"{done} done in {clock(spent)}, {speed}", extra={"progress": True})
            return
        log.info(
            f"{done} in {clock(spent)}, {speed}, about {clock(left)} left",
            extra={"progress": True},
        )


def clock(seconds: float) -> str:
    """Seconds as ``1h02m03s``, ``2m03s`` or ``3s``."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
