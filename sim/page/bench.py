"""`alignsim bench --page`: how fast the teaching page plays, counted in a real browser.

Starts `alignsim serve` on 127.0.0.1 (in a process of its own, as an instructor would),
opens pages in headless Chromium (Debian's, through Playwright), presses ▶ on each and
counts, inside each page, every step whose number reaches the page: a `MutationObserver`
reads the page's "(step k of K)" each time the page changes and keeps the first moment
each k appeared. A page's rate is the steps it drew divided by the time from its first to
its last new step; a step the page never showed is counted as skipped, so "every step
drawn" is measured, not assumed. Every page plays to the scenario's end or until the time
limit, whichever comes first.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.core.errors import InputError

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)

#: Kept inside each page: the moment (ms since the page opened) each step first appeared.
OBSERVER = r"""() => {
  window.alignsimSeen = {};
  const read = () => {
    const m = /\(step (\d+) of (\d+)\)/.exec(document.body.textContent);
    if (m && !(m[1] in window.alignsimSeen)) {
      window.alignsimSeen[m[1]] = performance.now();
      window.alignsimLast = Number(m[2]);
    }
  };
  read();
  new MutationObserver(read).observe(document.body,
    {subtree: true, childList: true, characterData: true, attributes: true});
}"""


@dataclass(frozen=True)
class PagePlay:
    """One page's play: the steps it drew and how fast.

    Attributes:
        drawn: distinct steps shown after ▶ was pressed.
        skipped: steps between the first and the last shown that the page never showed.
        seconds: from the first new step to the last.
        last: the scenario's last step; finished: whether the page reached it.
    """

    drawn: int
    skipped: int
    seconds: float
    last: int
    finished: bool

    @property
    def rate(self) -> float:
        """Steps drawn per second."""
        return (self.drawn - 1) / self.seconds if self.seconds > 0 and self.drawn > 1 else 0.0


@dataclass(frozen=True)
class PageBench:
    """Every page's play, in one run of the benchmark."""

    pages: tuple[PagePlay, ...]
    wall: float

    def lines(self, scenario: str) -> list[str]:
        """The report, one line each."""
        rates = [p.rate for p in self.pages]
        head = f"{scenario}: {len(self.pages)} page(s) playing at once, {self.wall:.0f} s"
        return [
            head,
            f"  steps drawn per second per page: min {min(rates):.2f}, median "
            f"{statistics.median(rates):.2f}, max {max(rates):.2f}",
            f"  steps drawn {sum(p.drawn for p in self.pages)}, skipped "
            f"{sum(p.skipped for p in self.pages)}; pages that reached the last step "
            f"({self.pages[0].last}): {sum(p.finished for p in self.pages)} of {len(self.pages)}",
            *(
                f"  time to play all {p.last} steps: {p.seconds:.1f} s"
                for p in self.pages[:1]
                if p.finished and len(self.pages) == 1
            ),
        ]


def play_of(seen: dict[str, float], last: int) -> PagePlay:
    """A page's play from the moments its steps first appeared (step 0 excluded: it was
    there before ▶ was pressed)."""
    steps = sorted(int(k) for k in seen if int(k) > 0)
    if not steps:
        return PagePlay(0, 0, 0.0, last, False)
    times = [seen[str(k)] for k in steps]
    skipped = steps[-1] - len(steps)
    return PagePlay(len(steps), skipped, (max(times) - min(times)) / 1000, last, steps[-1] >= last)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def page_server(scenario: Path, pages: int, extra: tuple[str, ...] = ()) -> Iterator[str]:
    """`alignsim serve SCENARIO` on a free loopback port, for `pages` pages; its address."""
    port = free_port()
    command = [sys.executable, "-m", "sim", "serve", str(scenario), "--port", str(port)]
    limits = ("--max-pages", str(pages + 5), "--max-pages-per-client", str(pages + 5))
    process = subprocess.Popen(
        [*command, *limits, *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(url, process)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a server busy with many pages
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    """Wait until the server answers.

    Raises:
        InputError: it stopped, or did not answer in time.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except OSError:
            time.sleep(0.5)
    raise InputError(f"bench --page: the page server did not start within {seconds:.0f} s")


def launch(playwright: Any) -> Any:
    """Debian's headless Chromium, kept off the network.

    Raises:
        InputError: it is not installed.
    """
    if not CHROMIUM.exists():
        raise InputError(f"bench --page needs Chromium at {CHROMIUM} (apt-get install chromium)")
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_FLAGS)
    )


def open_pages(browser: Any, url: str, count: int) -> list[Any]:
    """`count` pages of the server, each showing step 0 and observed."""
    opened = []
    for _ in range(count):
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url, wait_until="load", timeout=180_000)
        page.wait_for_selector("text=(step 0 of", timeout=180_000)
        page.evaluate(OBSERVER)
        opened.append(page)
    return opened


def finished(page: Any) -> bool:
    """Whether a page has shown its last step."""
    return bool(page.evaluate("() => (window.alignsimLast ?? -1) in window.alignsimSeen"))


def bench_page(
    scenario: Path, pages: int, seconds: float, serve: tuple[str, ...] = ()
) -> PageBench:
    """Open `pages` pages of `alignsim serve SCENARIO [SERVE...]`, press ▶ on each and let
    them play to the end or for at most `seconds`; each page's play.

    Raises:
        InputError: Playwright or Chromium is missing, or the server did not start.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise InputError("bench --page needs Playwright (pip install playwright)") from None
    with page_server(scenario, pages, serve) as url, sync_playwright() as p:
        browser = launch(p)
        opened = open_pages(browser, url, pages)
        began = time.monotonic()
        for page in opened:
            page.get_by_role("button", name="▶").click()
        while time.monotonic() - began < seconds and not all(finished(pg) for pg in opened):
            time.sleep(1.0)
        wall = time.monotonic() - began
        plays = tuple(
            play_of(
                pg.evaluate("() => window.alignsimSeen"), pg.evaluate("() => window.alignsimLast")
            )
            for pg in opened
        )
        browser.close()
    return PageBench(plays, wall)
