"""The gate in front of the teaching page's server: who may connect, and to what.

`Guard` wraps Solara's ASGI application. It

- asks for the page's token when the server listens beyond loopback (the Jupyter
  convention: ``?token=...`` in the link once, then a cookie for the page's own requests
  and its websocket);
- on loopback without a token, accepts only requests addressed to a loopback name, so a
  web site cannot reach the page through a DNS name rebound to 127.0.0.1;
- refuses a websocket opened from another origin, and a page beyond the limits on pages
  open at once (in all, and from one client address);
- closes Solara's status endpoints (``/resourcez``, ``/readyz``) and its kernel-eviction
  route;
- serves ``/_solara/cdn/...`` itself, read-only, from the assets installed with the
  package (`solara-assets`): it never fetches from a CDN and never deletes a file, whatever
  path a client asks for.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.applications import Starlette
from starlette.requests import cookie_parser
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

CDN = "/_solara/cdn"
CLOSED = ("/resourcez", "/readyz", "/_solara/api/evict")
NEEDS_TOKEN = "This page needs its link with the token, as printed where the server started.\n"


def is_loopback(host: str) -> bool:
    """Whether a host name or address is this machine only (127.0.0.0/8, ::1, localhost)."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_of(authority: str) -> str:
    """The host part of a ``host[:port]`` header value (IPv6 in brackets kept whole)."""
    return urlsplit(f"//{authority}").hostname or ""


class Guard:
    """ASGI middleware around the page's server (see the module docstring).

    Args:
        app: Solara's Starlette application.
        token: the page's token, or None for no token (loopback, or `--no-token`).
        assets: the folder of installed CDN assets.
        cookie: the cookie that carries the token (one per port).
        loopback_only: answer only requests addressed to a loopback name (a server on
            loopback without a token).
        max_pages: most pages open at once; max_per_client: most from one address.

    Attributes:
        loop: the server's event loop, once the server has started.
    """

    def __init__(
        self,
        app: App,
        token: str | None,
        assets: Path,
        cookie: str,
        loopback_only: bool,
        max_pages: int = 60,
        max_per_client: int = 10,
    ) -> None:
        self.app = app
        self.token = token
        self.cookie = cookie
        self.loopback_only = loopback_only
        self.max_pages, self.max_per_client = max_pages, max_per_client
        self.pages: Counter[str] = Counter()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.cdn = Starlette(
            routes=[Mount(CDN, app=StaticFiles(directory=assets, check_dir=False))]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.loop = self.loop or asyncio.get_running_loop()
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self.refusal(scope, headers)
        if refusal is not None:
            await refuse(scope, receive, send, *refusal)
            return
        path = scope["path"]
        if path.startswith(CLOSED):
            await refuse(scope, receive, send, 404, "Not found.\n")
        elif path == CDN or path.startswith(CDN + "/"):
            await self.cdn(scope, receive, send)
        elif scope["type"] == "websocket":
            await self.page(scope, receive, send)
        elif self.token is not None and self.token_in_query(scope):
            await self.app(scope, receive, self.setting_cookie(send))
        else:
            await self.app(scope, receive, send)

    async def page(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A page's websocket, within the limits on open pages (in all and per client)."""
        client = (scope.get("client") or ("unknown", 0))[0]
        if sum(self.pages.values()) >= self.max_pages or self.pages[client] >= self.max_per_client:
            await refuse(scope, receive, send, 503, "Too many pages open.\n")
            return
        self.pages[client] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.pages[client] -= 1
            if not self.pages[client]:
                del self.pages[client]

    def refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        """Why a request is refused (status and one line), or None to let it through."""
        host = headers.get("host", "")
        if self.loopback_only and not is_loopback(host_of(host)):
            return 403, "This page answers only to a loopback address.\n"
        origin = headers.get("origin")
        if scope["type"] == "websocket" and origin and urlsplit(origin).netloc != host:
            return 403, "A websocket from another origin is refused.\n"
        if self.token is not None and not (
            self.token_in_query(scope) or self.token_in_cookie(headers)
        ):
            return 403, NEEDS_TOKEN
        return None

    def token_in_query(self, scope: Scope) -> bool:
        """Whether the query string carries the page's token."""
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        return any(self.matches(value) for value in query.get("token", []))

    def token_in_cookie(self, headers: dict[str, str]) -> bool:
        """Whether the request's cookie carries the page's token (parsed leniently, as
        browsers send every cookie of the host, other services' too)."""
        value = cookie_parser(headers.get("cookie", "")).get(self.cookie)
        return value is not None and self.matches(value)

    def matches(self, value: str) -> bool:
        """Constant-time comparison with the token."""
        assert self.token is not None
        return hmac.compare_digest(value.encode(), self.token.encode())

    def setting_cookie(self, send: Send) -> Send:
        """`send`, adding the token's cookie to the response's headers."""
        assert self.token is not None
        cookie = f"{self.cookie}={self.token}; Path=/; HttpOnly; SameSite=Strict"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie.encode())]
            await send(message)

        return send_with_cookie


async def refuse(scope: Scope, receive: Receive, send: Send, status: int, text: str) -> None:
    """Answer with a status and one plain line, a websocket before it opens (where the
    server cannot send a response to a websocket, it closes it, which clients see as 403)."""
    prefix = ""
    if scope["type"] == "websocket":
        await receive()
        if "websocket.http.response" not in scope.get("extensions", {}):
            await send({"type": "websocket.close", "code": 1008})
            return
        prefix = "websocket."
    body = text.encode()
    await send(
        {
            "type": f"{prefix}http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": f"{prefix}http.response.body", "body": body})
