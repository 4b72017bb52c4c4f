"""The teaching page in headless Chromium: offline, playing, steering with a slider.

Needs Debian's chromium at /usr/bin/chromium (`.ci/run` installs it); skipped with a message
where it is absent.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import ROOT, free_port, launch_chromium, needs_chromium

pytestmark = needs_chromium


@pytest.fixture
def server():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", "serve", "scenarios/two-patrons.yaml", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("the page server did not start within 90 s")
    yield url
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def steps(page) -> int:
    """The step the page shows (its own timeline's "(step k of K)": Mesa 3.3 labels its
    counter "Step:", Mesa 3.5 "Time:")."""
    return int(re.search(r"\(step (\d+) of", page.inner_text("body")).group(1))


def settle(page) -> None:
    """Wait until the step counter stops moving (a paused play loop may finish one step)."""
    deadline = time.time() + 30
    last = steps(page)
    while time.time() < deadline:
        time.sleep(0.7)
        now = steps(page)
        if now == last:
            return
        last = now


def plots(page) -> list[str]:
    return [img.get_attribute("src") or "" for img in page.locator("img").all()]


def test_page_plays_offline_and_responds_to_a_slider(server: str) -> None:
    from playwright.sync_api import sync_playwright

    requested: list[str] = []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.on("request", lambda request: requested.append(request.url))
        page.goto(server, wait_until="networkidle", timeout=90000)
        page.wait_for_selector("text=(step 0 of", timeout=60000)
        page.get_by_role("button", name="▶").click()
        page.wait_for_function(
            "() => /\\(step ([3-9]|\\d\\d+) of/.test(document.body.innerText)", timeout=60000
        )
        page.get_by_role("button", name="❚❚").click()
        settle(page)
        assert steps(page) >= 3
        page.get_by_role("button", name="Reset").click()
        page.wait_for_selector("text=(step 0 of", timeout=30000)
        assert "refused" not in page.inner_text("body"), (
            "Reset rebuilt the model from refused input"
        )
        for _ in range(3):
            page.get_by_role("button", name="Step").click()
        page.wait_for_selector("text=(step 3 of", timeout=30000)
        before = plots(page)
        slider = page.locator(".v-input", has_text="decay (per day)").locator(".v-slider")
        box = slider.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
        page.get_by_role("button", name="Reset").click()
        page.wait_for_selector("text=(step 0 of", timeout=30000)
        for _ in range(3):
            page.get_by_role("button", name="Step").click()
        page.wait_for_selector("text=(step 3 of", timeout=30000)
        time.sleep(1)
        after = plots(page)
        page.get_by_role("button", name="▶").click()  # a fuller page for the screenshot
        page.wait_for_function(
            "() => /\\(step ([6-9]\\d|\\d\\d\\d+) of/.test(document.body.innerText)", timeout=90000
        )
        page.get_by_role("button", name="❚❚").click()
        time.sleep(1)
        (ROOT / "outputs").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "outputs" / "teaching-page.png"), full_page=True)
        browser.close()
    assert len(before) >= 3 and before != after, "moving the decay slider changed no plot"
    hosts = {url.split("/")[2] for url in requested if url.startswith("http")}
    assert hosts == {server.split("/")[2]}, f"requests left 127.0.0.1: {hosts}"
