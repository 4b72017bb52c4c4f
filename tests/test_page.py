"""The teaching page: the scenario's own values, and in headless Chromium, offline: playing,
steering with a slider, every picture drawn, nothing overlapping, a projector mode.

The browser tests need Debian's chromium at /usr/bin/chromium (`.ci/run` installs it);
skipped with a message where it is absent. They wait on conditions (generous timeouts),
never for a fixed time, so that a loaded machine slows them without failing them.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, free_port, launch_chromium, needs_chromium

TWO_PATRONS = ROOT / "scenarios" / "two-patrons.yaml"
VIEWS = ("network", "alignment", "hedging")
MESA_CONTROLS = ("PAGE 0", "Page 0", "Use Threads", "Render Interval")


@pytest.fixture
def catalogue():
    from sim.page import app
    from sim.page.catalogue import build_catalogue
    from sim.page.limits import PageLimits

    built = build_catalogue(TWO_PATRONS, PageLimits())
    app.configure(built)
    return built


def test_the_page_starts_with_the_scenarios_parameters_and_seed_and_runs_as_alignsim_run(
    catalogue,
) -> None:
    from sim.engine.model import AlignmentModel
    from sim.io.scenario import load_scenario
    from sim.page import app

    scenario = load_scenario(TWO_PATRONS)
    params = app.model_params()
    start = {k: v["value"] for k, v in params.items()}
    for name in app.SLIDERS:
        assert start[name] == scenario.parameters[name], name
    for actor in scenario.actors:
        assert start[f"hedging_{actor.id}"] == actor.hedging, actor.id
    assert start["seed"] == str(scenario.seed) == "42"
    page = app.ClassroomModel(**start)
    assert page.parameters == scenario.parameters and page.run_seed == scenario.seed
    run = AlignmentModel(scenario)  # what `alignsim run` runs
    for _ in range(60):
        page.step()
        run.step()
    assert np.array_equal(page.history, run.history), "the page and `alignsim run` disagree"


def test_the_event_table_names_event_types_in_words(catalogue) -> None:
    from sim.engine.model import AlignmentModel
    from sim.io.scenario import load_scenario
    from sim.page import app

    model = AlignmentModel(load_scenario(TWO_PATRONS))
    for _ in range(261):
        model.step()
    rows = app.fired_events(model, most=10_000)  # the scripted events too
    assert rows and any("agent action" in note for *_, note in rows), rows
    assert not [kind for _, _, kind, _ in rows if "_" in kind], rows


def test_the_pictures_are_svg_with_their_step_and_gaps_for_missing_values(catalogue) -> None:
    from sim.page import app, svg

    model = app.ClassroomModel(spec="two-patrons.yaml")
    for _ in range(5):
        model.step()
    draws = (app.network_view, app.alignment_view, app.hedging_view)
    for view, draw in zip(VIEWS, draws, strict=True):
        layers = "".join(draw(model, app.NORMAL_FONT))
        assert layers.startswith("<svg") and f"data-view='{view}' data-step='5'" in layers
        assert f"data-view='{view}-frame'" in layers
    panel = svg.Panel(500, 200, 0, 10, 0, 1, "a title")
    path = panel.line(np.arange(5.0), np.array([0.1, 0.2, np.nan, 0.4, 0.5]), "black", 2)
    assert path.count("M") == 2, "a missing value must break the line, not draw it as 0"
    big = svg.Panel(500, 200, 0, 10, 0, 1, "a title " * 12, font=app.PROJECTOR_FONT)
    assert len(big.title_lines) > 1 and big.top > panel.top, "a long title must wrap"


def test_steps_and_reset_through_the_pages_own_controls(catalogue) -> None:
    import ipyvuetify as v
    import solara

    from sim.page import app

    def shown() -> list[str]:
        spans = rc.find(v.Html, tag="span").widgets
        return [str(w.children[0]) for w in spans if w.children]

    _, rc = solara.render(app.Layout(children=[app.Page()]), handle_error=False)
    for _ in range(2):
        rc.find(v.Btn, children=["Step"]).widget.click()
    assert "Date 2020-01-15 (step 2 of 261)" in shown()
    assert "0.5" in shown() and "50" in shown(), "a slider's value is not shown"
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert "Date 2020-01-01 (step 0 of 261)" in shown()
    assert not [t for t in shown() if "refused" in t]
    assert not rc.find(v.Checkbox, label="Use Threads").widgets
    assert not rc.find(v.Slider, label="Render Interval (steps)").widgets
    assert not rc.find(v.Tab).widgets, "Mesa's page tabs are shown"
    rc.close()


# -- in the browser ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", "serve", "scenarios/two-patrons.yaml", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5)
            break
        except OSError:
            time.sleep(0.5)
    else:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("the page server did not start within 180 s")
    yield url
    os.killpg(process.pid, signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert b"pip install" not in err, "the server invites a pip install"


def steps(page) -> int:
    """The step the page shows (its own timeline's "(step k of K)")."""
    return int(re.search(r"\(step (\d+) of", page.inner_text("body")).group(1))


def wait_for_step(page, at_least: int, timeout: float = 180_000) -> None:
    """Wait until the page shows step `at_least` or later."""
    page.wait_for_function(
        """k => { const m = /\\(step (\\d+) of/.exec(document.body.innerText);
                  return m && Number(m[1]) >= k; }""",
        arg=at_least,
        timeout=timeout,
    )


def pause(page) -> None:
    """Press pause and wait until the step counter stops (the loop may finish one step)."""
    page.get_by_role("button", name="❚❚").click()
    page.get_by_role("button", name="▶").wait_for(timeout=60_000)
    page.wait_for_function(
        """() => { const m = /\\(step (\\d+) of/.exec(document.body.innerText)[1];
                   const same = window.lastStep === m; window.lastStep = m; return same; }""",
        polling=1000,
        timeout=60_000,
    )


def pictures(page) -> dict[str, str]:
    return {v: page.locator(f"svg[data-view={v}]").evaluate("e => e.outerHTML") for v in VIEWS}


def open_page(browser, url: str, width: int = 1400, height: int = 1000):
    page = browser.new_page(viewport={"width": width, "height": height})
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.goto(url, wait_until="load", timeout=180_000)
    page.wait_for_selector("text=(step 0 of", timeout=180_000)
    return page, console


@needs_chromium
def test_page_plays_offline_and_responds_to_a_slider(server: str) -> None:
    from playwright.sync_api import sync_playwright

    requested: list[str] = []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page, console = open_page(browser, server)
        page.on("request", lambda request: requested.append(request.url))
        page.get_by_role("button", name="▶").click()
        wait_for_step(page, 3)
        pause(page)
        assert steps(page) >= 3
        page.get_by_role("button", name="Reset").click()
        page.wait_for_selector("text=(step 0 of", timeout=60_000)
        assert "refused" not in page.inner_text("body"), "Reset rebuilt from refused input"
        for k in (1, 2, 3):
            page.get_by_role("button", name="Step").click()
            page.wait_for_selector(f"text=(step {k} of", timeout=60_000)
        before = pictures(page)
        decay = page.locator(".alignsim-input", has_text="decay")
        slider = decay.locator(".v-slider")
        box = slider.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
        page.wait_for_function(
            "e => e.innerText !== '0.003'",
            arg=decay.locator(".alignsim-value").element_handle(),
            timeout=30_000,
        )
        page.get_by_role("button", name="Reset").click()
        page.wait_for_selector("text=(step 0 of", timeout=60_000)
        for k in (1, 2, 3):
            page.get_by_role("button", name="Step").click()
            page.wait_for_selector(f"text=(step {k} of", timeout=60_000)
        after = pictures(page)
        browser.close()
    assert before["network"] != after["network"], "moving the decay slider changed no picture"
    hosts = {url.split("/")[2] for url in requested if url.startswith("http")}
    assert hosts <= {server.split("/")[2]}, f"requests left 127.0.0.1: {hosts}"
    assert not [line for line in console if "pip install" in line]


def boxes(page, selectors: dict[str, str]) -> dict[str, dict]:
    """The bounding box of each named element (the first match of its selector)."""
    found = {}
    for name, selector in selectors.items():
        box = page.locator(selector).first.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0, f"{name} not shown"
        found[name] = box
    return found


def overlapping(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"] - 0.5
        and b["x"] < a["x"] + a["width"] - 0.5
        and a["y"] < b["y"] + b["height"] - 0.5
        and b["y"] < a["y"] + a["height"] - 0.5
    )


MAIN = {
    "network": ".alignsim-picture:has(svg[data-view=network])",
    "alignment": ".alignsim-picture:has(svg[data-view=alignment])",
    "hedging": ".alignsim-picture:has(svg[data-view=hedging])",
    "date": ".alignsim-step",
    "events": "table.alignsim-events",
}


def assert_nothing_overlaps(page, width: int) -> None:
    """The pictures, the date and the event table apart and within the window's width; in
    each slider, its name, value, unit and track apart; no banner over the table."""
    main = boxes(page, MAIN)
    names = list(main)
    for i, a in enumerate(names):
        assert main[a]["x"] + main[a]["width"] <= width + 1, f"{a} runs off the page at {width}"
        for b in names[i + 1 :]:
            assert not overlapping(main[a], main[b]), f"{a} overlaps {b} at {width}"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    for k in range(page.locator(".alignsim-input").count()):
        item = page.locator(".alignsim-input").nth(k)
        parts = {}
        for part in ("alignsim-label", "alignsim-value", "alignsim-unit", "v-slider"):
            if item.locator(f".{part}").count():
                parts[part] = item.locator(f".{part}").first.bounding_box()
        keys = list(parts)
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                assert not overlapping(parts[a], parts[b]), f"slider {k}: {a} over {b} at {width}"
    table = main["events"]
    covering = page.evaluate(
        """([x, y]) => { const e = document.elementFromPoint(x, y);
                         return e && e.closest('table.alignsim-events') !== null; }""",
        [table["x"] + table["width"] - 5, min(table["y"] + 5, page.viewport_size["height"] - 5)],
    )
    assert covering, f"something covers the event table at {width}"


def slider_values(page) -> dict[str, str]:
    """Each slider's name and the value shown beside it."""
    sliders = page.locator(".alignsim-input")
    return {
        sliders.nth(k).locator(".alignsim-label").inner_text(): sliders.nth(k)
        .locator(".alignsim-value")
        .inner_text()
        for k in range(sliders.count())
    }


def type_size(page, selector: str) -> float:
    """The computed font size of the first element matching `selector`, in pixels."""
    return float(
        page.locator(selector).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    )


def not_blank(png: bytes) -> bool:
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    return bool(pixels.std() > 10)


@needs_chromium
def test_the_played_page_shows_every_picture_every_value_and_fits_the_screen(
    server: str, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    from sim.io.scenario import load_scenario

    scenario = load_scenario(TWO_PATRONS)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page, console = open_page(browser, server, 1280, 800)
        text = page.inner_text("body")
        for hidden in MESA_CONTROLS:
            assert hidden not in text, f"Mesa's {hidden!r} is shown"
        assert "runs on Solara" not in text
        shown = slider_values(page)
        for name in ("hedging_rate", "decay", "balance", "impulse", "noise", "tolerance"):
            assert float(shown[name]) == scenario.parameters[name], (name, shown[name])
        for actor in scenario.actors:
            assert float(shown[f"{actor.name}'s hedging propensity"]) == actor.hedging
        assert page.get_by_label("seed").input_value() == str(scenario.seed)
        page.get_by_role("button", name="▶").click()
        wait_for_step(page, 70)
        pause(page)
        step = steps(page)
        for view in VIEWS:
            drawn = page.locator(f"svg[data-view={view}]")
            assert drawn.get_attribute("data-step") == str(step), f"{view} lags the step"
            assert not_blank(page.locator(MAIN[view]).screenshot()), f"{view} is blank"
        assert page.locator("svg[data-view=network-frame] circle").count() == len(scenario.actors)
        assert page.locator("svg[data-view=network] path[marker-end]").count() >= 6
        assert page.locator("svg[data-view=alignment] path[stroke-width]").count() == 3
        assert page.locator("svg[data-view=hedging] path[stroke=black]").count() == 1
        rows = page.locator("table.alignsim-events tr")
        assert rows.count() > 2 and "agent action" in rows.nth(1).inner_text()
        assert not_blank(page.locator("table.alignsim-events").screenshot())
        shot = tmp_path / "teaching-page.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 20_000 and not_blank(shot.read_bytes())
        for width, height in ((1280, 800), (1920, 1080)):
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_function(f"() => window.innerWidth === {width}")
            assert_nothing_overlaps(page, width)
        frame = "svg[data-view=hedging-frame] text"
        normal = float(page.locator(frame).first.get_attribute("font-size"))
        table_type = type_size(page, "table.alignsim-events td")
        page.get_by_text("projector", exact=True).click()
        page.wait_for_selector(".alignsim-projector", timeout=60_000)
        for width, height in ((1280, 800), (1920, 1080)):
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_function(f"() => window.innerWidth === {width}")
            assert_nothing_overlaps(page, width)
        large = float(page.locator(frame).first.get_attribute("font-size"))
        assert large >= 1.3 * normal
        assert type_size(page, "table.alignsim-events td") >= 1.3 * table_type
        browser.close()
    assert not [line for line in console if "pip install" in line]
