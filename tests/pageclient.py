"""A minimal client of the teaching page's server: one page session without a browser.

It does what the page's own JavaScript does to start (takes the session cookie, opens the
kernel's websocket, asks Solara to run the app) and waits until the rendered page's
widgets have arrived, so tests can open many pages at once against the real server at a
fraction of a browser's cost. Closing the websocket closes the page.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.request
import uuid
from contextlib import ExitStack
from dataclasses import dataclass

from websockets.sync.client import ClientConnection, connect


def message(session: str, kind: str, content: dict, channel: str = "shell") -> str:
    """A Jupyter protocol message, as the page's widget manager sends it."""
    header = {
        "date": dt.datetime.now(dt.UTC).isoformat(),
        "msg_id": str(uuid.uuid4()),
        "msg_type": kind,
        "session": session,
        "username": "",
        "version": "5.2",
    }
    return json.dumps(
        {
            "buffers": [],
            "channel": channel,
            "content": content,
            "header": header,
            "metadata": {},
            "parent_header": {},
        }
    )


@dataclass
class PageSession:
    """One open page: its websocket and what the server sent so far."""

    socket: ClientConnection
    received: list[str]
    stack: ExitStack

    def close(self) -> None:
        self.stack.close()


def session_cookie(base: str, cookie: str = "") -> str:
    """The cookies a first request for the page sets (Solara's session, and any given)."""
    request = urllib.request.Request(base, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        set_cookies = response.headers.get_all("Set-Cookie") or []
    pairs = [c.split(";", 1)[0] for c in set_cookies]
    return "; ".join([*([cookie] if cookie else []), *pairs])


def open_page(base: str, until: str = "(step 0 of", timeout: float = 120.0) -> PageSession:
    """Open one page session and wait until the server has rendered text `until`."""
    cookie = session_cookie(base)
    kernel, session = uuid.uuid4(), str(uuid.uuid4())
    url = base.replace("http://", "ws://").rstrip("/")
    stack = ExitStack()
    socket = stack.enter_context(
        connect(
            f"{url}/jupyter/api/kernels/{kernel}/channels?session_id={session}",
            additional_headers={"Cookie": cookie},
            max_size=None,
            open_timeout=timeout,
            ping_interval=None,
            close_timeout=2,
        )
    )
    control = str(uuid.uuid4())
    socket.send(message(session, "kernel_info_request", {}))
    socket.send(
        message(
            session, "comm_open", {"comm_id": control, "target_name": "solara.control", "data": {}}
        )
    )
    run = {"path": "/", "dark": False, "themes": {}, "appName": None}
    socket.send(
        message(session, "comm_msg", {"comm_id": control, "data": {"method": "run", "args": run}})
    )
    received: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frame = socket.recv(timeout=deadline - time.monotonic())
        text = frame if isinstance(frame, str) else frame.decode("utf-8", "replace")
        received.append(text)
        if until in text:
            return PageSession(socket, received, stack)
    stack.close()
    raise TimeoutError(f"the page did not render {until!r} within {timeout:.0f} s")
