"""The teaching page is safe to open to a classroom network (README, "The page").

Through the real server (`alignsim serve`, run under an audit hook that records every
attempt to reach beyond this machine): the picker accepts only its own list, whatever a
client sends; an error reaches the page as one line; the CDN endpoint neither deletes nor
fetches; status endpoints are closed; beyond loopback a token is required; closed pages are
released. The browser checks need Debian's chromium (`.ci/run` installs it) and skip,
saying so, without it.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
import weakref
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from conftest import ROOT, TINY, free_port, launch_chromium, needs_chromium
from pageclient import open_page, session_cookie
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

TESTS = Path(__file__).resolve().parent
ASSETS = Path(sys.prefix) / "share" / "solara" / "cdn"


@dataclass
class Server:
    """A running page server, its audit log of outbound attempts and its own log."""

    url: str
    process: subprocess.Popen
    audit: Path
    log: Path

    def outbound(self) -> list[str]:
        return self.audit.read_text().splitlines()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def resident(self) -> float:
        return psutil.Process(self.process.pid).memory_info().rss / 1e6


def status(url: str, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def start(folder: Path, *args: str) -> Iterator[Server]:
    """Start `alignsim serve ARGS` under the audit hook; stop it afterwards."""
    port = free_port()
    audit, log = folder / "audit.log", folder / "server.log"
    audit.touch()
    options = ("--port", str(port), "--verbose")
    with log.open("w") as err:
        process = subprocess.Popen(
            [sys.executable, str(TESTS / "audited_serve.py"), str(audit), *args, *options],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=err,
            env={**os.environ, "PYTHONMALLOC": "malloc"},
            start_new_session=True,
        )
    server = Server(f"http://127.0.0.1:{port}/", process, audit, log)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        try:
            status(server.url)
            break
        except OSError:
            time.sleep(0.5)
    else:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail(f"the page server did not start: {server.log_text()[-2000:]}")
    yield server
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One loopback server for the module, releasing closed pages after 2 s."""
    folder = tmp_path_factory.mktemp("served")
    yield from start(
        folder,
        "scenarios/two-patrons.yaml",
        "--release-after",
        "2",
        "--max-pages-per-client",
        "40",
    )


def wait_for(predicate, what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}")


# -- the picker and the client's values ---------------------------------------------------


@pytest.fixture
def catalogue():
    from sim.page import app
    from sim.page.catalogue import build_catalogue
    from sim.page.limits import PageLimits

    built = build_catalogue(ROOT / "scenarios" / "two-patrons.yaml", PageLimits())
    app.configure(built)
    return built


def test_catalogue_lists_the_folders_own_scenarios_only(tmp_path: Path) -> None:
    from sim.page.catalogue import build_catalogue
    from sim.page.limits import PageLimits

    (tmp_path / "lesson.yaml").write_text(TINY)
    (tmp_path / "whatif").mkdir()
    (tmp_path / "whatif" / "variant.yaml").write_text(TINY)
    for environment in ("venv", ".venv"):
        (tmp_path / environment / "lib").mkdir(parents=True)
        (tmp_path / environment / "pyvenv.cfg").write_text("home = /usr\n")
        (tmp_path / environment / "lib" / "package.yaml").write_text(TINY)
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "x.yaml").write_text(TINY)
    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    (tmp_path / "a" / "b" / "c" / "deep.yaml").write_text(TINY)
    (tmp_path / "long.yaml").write_text(
        TINY.replace("start: 2024-01-01", "start: 0001-01-01")
        .replace("end: 2024-12-31", "end: 9999-12-31")
        .replace("step: week", "step: day")
    )
    (tmp_path / "notes.yaml").write_text("just: [a, list\n")
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    started = time.monotonic()
    built = build_catalogue(tmp_path / "lesson.yaml", PageLimits())
    assert time.monotonic() - started < 10
    assert built.names == ["lesson.yaml", "whatif/variant.yaml"]
    reasons = dict(line.split(": ", 1) for line in built.skipped)
    assert "3,652,058 steps; the page runs at most 1,500" in reasons["long.yaml"]
    assert "notes.yaml" in reasons


def test_the_first_scenario_is_checked_against_the_limits_before_it_loads(
    tmp_path: Path, runner
) -> None:
    from sim.cli import cli

    long = tmp_path / "long.yaml"
    long.write_text(TINY.replace("end: 2024-12-31", "end: 9999-12-31").replace("week", "day"))
    result = runner.invoke(cli, ["serve", str(long)])
    assert result.exit_code == 2
    assert "steps; the page runs at most 1,500 (raise it with --max-steps)" in result.output
    result = runner.invoke(cli, ["serve", "/dev/zero"])
    assert result.exit_code == 2 and "not a regular file" in result.output
    result = runner.invoke(cli, ["serve", str(long), "--host", "0.0.0.0", "--token", "short"])
    assert result.exit_code == 2 and "--token: use at least 8" in result.output


def test_a_client_value_that_is_not_allowed_is_replaced_and_named_in_one_line(
    catalogue, tmp_path: Path
) -> None:
    from sim.page.app import ClassroomModel

    secret = tmp_path / "secret.yaml"
    secret.write_text("name: TOPSECRET\n")
    for path in (str(secret), "../../../../etc/shadow", "/dev/zero", "x" * 100_000):
        model = ClassroomModel(spec=path, seed="9" * 5000, decay="nan", noise=1e308)
        assert model.entry == "two-patrons.yaml"
        assert model.run_seed == catalogue.scenarios["two-patrons.yaml"].seed
        assert len(model.notices) == 4
        for line in model.notices:
            assert "\n" not in line and len(line) < 160 and "TOPSECRET" not in line
        assert "not on this page's list" in model.notices[0]
    model = ClassroomModel(spec="whatif/us-summit-2026.yaml", seed="7", decay=0.01)
    assert (model.entry, model.run_seed, model.notices) == ("whatif/us-summit-2026.yaml", 7, ())
    assert model.parameters["decay"] == 0.01


ONE_LINE = "The page hit an error and stopped; the server's log has the details."


def test_the_page_starts_with_the_scenarios_own_values(catalogue) -> None:
    from sim.page import app

    for entry in ("two-patrons.yaml", "baseline.yaml"):
        app.configure(dataclasses.replace(catalogue, first=entry))
        scenario = catalogue.scenarios[entry]
        params = app.model_params()
        assert params["seed"]["value"] == str(scenario.seed)
        for name in app.SLIDERS:
            slider = params[name]
            ticks = (slider["value"] - slider["min"]) / slider["step"]
            decimals = max(0, -math.floor(math.log10(slider["step"])))
            on_grid = round(slider["min"] + round(ticks) * slider["step"], decimals)
            assert on_grid == scenario.parameters[name], (entry, name)  # as the slider snaps


def test_an_error_in_a_render_reaches_the_client_as_one_line(catalogue) -> None:
    import ipyvuetify as v
    import solara

    from sim.page import app

    @solara.component
    def Broken() -> None:
        raise RuntimeError("detail only for the log: /etc/shadow root:x:0")

    _, rc = solara.render(app.Layout(children=[Broken()]), handle_error=False)
    assert [str(c) for c in rc.find(v.Alert).widget.children] == [ONE_LINE]
    rc.close()


def test_an_error_in_a_controls_handler_reaches_the_client_as_one_line(catalogue) -> None:
    import ipyvuetify as v
    import solara

    from sim.page import app

    def fail() -> None:
        raise IndexError("index 262 is out of bounds for axis 0 with size 262")

    @solara.component
    def Control() -> None:
        solara.Button("Step", on_click=fail)

    _, rc = solara.render(app.Layout(children=[Control()]), handle_error=False)
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert [str(c) for c in rc.find(v.Alert).widget.children] == [ONE_LINE]
    rc.close()


# -- the real server -----------------------------------------------------------------------


def test_status_endpoints_and_other_hosts_are_refused(served: Server) -> None:
    assert status(served.url + "resourcez") == 404
    assert status(served.url + "readyz") == 404
    assert status(served.url, {"Host": "rebound.example:80"}) == 403
    socket_url = served.url.replace("http", "ws") + "jupyter/api/kernels/k/channels"
    with (
        pytest.raises(InvalidStatus),
        connect(socket_url, additional_headers={"Origin": "http://elsewhere.example"}),
    ):
        pass
    assert served.outbound() == []


def test_the_cdn_endpoint_neither_deletes_nor_fetches(served: Server) -> None:
    folder = ASSETS / "requirejs@2.3.6" / "bin"
    assert folder.is_dir() and any(folder.iterdir())
    cdn = served.url + "_solara/cdn/"
    assert status(cdn + "requirejs@2.3.6/require.js") == 200
    assert status(cdn + "requirejs@2.3.6/bin") == 404
    assert folder.is_dir() and any(folder.iterdir()), "a request for a folder deleted it"
    assert status(cdn + "katex@0.16.9/dist/katex.min.js") == 404
    assert not (ASSETS / "katex@0.16.9").exists()
    assert status(cdn + "..%2F..%2F..%2Fetc%2Fpasswd") == 404
    assert served.outbound() == []


def picker_id(frames: list[str]) -> str | None:
    """The comm id of the scenario picker, from the server's comm_open messages."""
    for frame in frames:
        if '"Scenario"' not in frame:
            continue
        content = json.loads(frame).get("content", {})
        if content.get("data", {}).get("state", {}).get("label") == "Scenario":
            return str(content["comm_id"])
    return None


@needs_chromium
def test_a_raw_widget_message_cannot_open_a_file(served: Server, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    from sim.page.app import excerpt

    bodies: list[str] = []
    secret = tmp_path / "secret.yaml"
    secret.write_text("TOPSECRET-7f3a\n")
    traversal = "../" * 12 + str(secret).lstrip("/")
    from_server: list[str] = []
    template: list[dict] = []
    routes: list = []

    def intercept(ws) -> None:
        upstream = ws.connect_to_server()
        routes.append(upstream)

        def down(frame) -> None:
            if isinstance(frame, str):
                from_server.append(frame)
            ws.send(frame)

        def up(frame) -> None:
            if isinstance(frame, str) and not template:
                template.append(json.loads(frame))
            upstream.send(frame)

        upstream.on_message(down)
        ws.on_message(up)

    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.route_web_socket(re.compile(".*/jupyter/api/kernels/.*"), intercept)
        page.goto(served.url, wait_until="networkidle", timeout=90000)
        page.wait_for_selector("text=(step 0 of", timeout=60000)
        comm = picker_id(from_server)
        assert comm is not None and template
        for value in (str(secret), traversal):
            raw = {**template[0], "msg_type": "comm_msg"}
            raw["header"] = {**raw["header"], "msg_type": "comm_msg", "msg_id": str(uuid.uuid4())}
            raw["content"] = {
                "comm_id": comm,
                "data": {"method": "update", "state": {"v_model": value}, "buffer_paths": []},
            }
            routes[0].send(json.dumps(raw))
            page.get_by_role("button", name="Reset").click()
            shown = f"scenario {excerpt(value)} refused: not on this page's list"
            page.wait_for_function(
                f"() => document.body.innerText.includes({json.dumps(shown)})", timeout=30000
            )
            bodies.append(page.inner_text("body"))
        page.get_by_role("button", name="▶").click()
        page.wait_for_function(
            "() => /\\(step ([3-9]|\\d\\d+) of/.test(document.body.innerText)", timeout=60000
        )
        page.get_by_role("button", name="❚❚").click()
        browser.close()
    for body in bodies:
        assert "TOPSECRET" not in body and "Traceback" not in body
        assert "Small State" in body, "the page no longer shows its own scenario"
    assert "scenario '../../../../../../../../…' refused" in bodies[1]
    assert "TOPSECRET" not in served.log_text()
    assert "refused scenario" in served.log_text()
    assert served.outbound() == [], "the server tried to reach beyond this machine"


def test_closed_pages_are_released_and_thirty_are_held(served: Server) -> None:
    def released() -> int:
        return served.log_text().count("released closed pages")

    before = released()
    open_page(served.url).close()
    wait_for(lambda: released() > before, "the first page's release")
    warm = served.resident()
    pages = [open_page(served.url) for _ in range(30)]
    assert all("Small State" in "".join(p.received) for p in pages)
    held = served.resident()
    before = released()
    with ThreadPoolExecutor(len(pages)) as pool:
        list(pool.map(lambda p: p.close(), pages))
    wait_for(lambda: released() > before, "the release of 30 closed pages")
    after = served.resident()
    assert "page: 0 open" in served.log_text()
    dropped = re.findall(r"released closed pages \((\d+) render callbacks", served.log_text())
    assert int(dropped[-1]) >= 30, "closed pages' render callbacks were not dropped"
    assert after <= 1.2 * warm, f"warm {warm:.0f} MB, 30 open {held:.0f} MB, after {after:.0f} MB"
    assert served.outbound() == []


@pytest.fixture
def networked(tmp_path: Path) -> Iterator[Server]:
    """A server listening on every interface (reached here through 127.0.0.1 only)."""
    yield from start(
        tmp_path, "scenarios/two-patrons.yaml", "--host", "0.0.0.0", "--token", "classroom42"
    )


def test_beyond_loopback_a_token_is_required(networked: Server) -> None:
    assert status(networked.url) == 403
    assert status(networked.url + "?token=classroom41") == 403
    assert status(networked.url + "_solara/cdn/requirejs@2.3.6/require.js") == 403
    socket_url = networked.url.replace("http", "ws") + "jupyter/api/kernels/k/channels"
    with pytest.raises(InvalidStatus), connect(socket_url):
        pass
    cookie = session_cookie(networked.url + "?token=classroom42")
    assert "alignsim_token_" in cookie
    assert status(networked.url, {"Cookie": cookie}) == 200
    odd = 'theme=dark mode; x={"a":1}; y="unterminated; '  # other services' cookies
    assert status(networked.url, {"Cookie": odd + cookie}) == 200
    assert "http://127.0.0.1:" in networked.log_text()
    assert "/?token=classroom42" in networked.log_text()
    assert networked.outbound() == []


@needs_chromium
def test_a_student_with_the_link_gets_the_page(networked: Server) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page()
        refused = page.goto(networked.url)
        assert refused is not None and refused.status == 403
        page.goto(networked.url + "?token=classroom42", wait_until="networkidle")
        page.wait_for_selector("text=(step 0 of", timeout=60000)
        browser.close()
    assert networked.outbound() == []


def test_a_finished_model_is_not_kept_by_mesa() -> None:
    from sim.engine.model import AlignmentModel
    from sim.io.scenario import load_scenario

    model = AlignmentModel(load_scenario(ROOT / "scenarios" / "two-patrons.yaml"), rng=1)
    gone = weakref.ref(model)
    assert [a.unique_id for a in model.agents] == [1, 2, 3, 4]
    del model
    gc.collect()
    assert gone() is None, "Mesa's per-model agent counters keep the model alive"


def test_without_a_token_beyond_loopback_the_page_is_open_within_its_limits(
    tmp_path: Path,
) -> None:
    args = ("--host", "0.0.0.0", "--no-token", "--max-pages-per-client", "2")
    for server in start(tmp_path, "scenarios/two-patrons.yaml", *args):
        assert status(server.url, {"Host": "192.0.2.2:8765"}) == 200
        assert "--no-token: anyone who can reach 0.0.0.0 can use the page" in server.log_text()
        pages = [open_page(server.url) for _ in range(2)]
        with pytest.raises(InvalidStatus, match="503"):
            open_page(server.url)
        for page in pages:
            page.close()
        assert server.outbound() == []
