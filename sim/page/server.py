"""Serve the teaching page: Solara's server in this process, configured to stay closed.

`serve` builds the catalogue of scenarios (`sim.page.catalogue`), turns off what Solara
would otherwise do on the network (usage telemetry with the machine's public address, the
CDN proxy that fetches and caches any path a client names), gives released pages back
within `release_after` seconds, and runs uvicorn over Solara's application behind `Guard`
(`sim.page.guard`): a token beyond loopback, status endpoints closed, assets served only
from the installed packages. Solara's version check belongs to `solara run`, which is not
used. The server opens no outbound connection.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import os
import secrets
import sys
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from sim.core.errors import InputError
from sim.page.catalogue import Catalogue, build_catalogue
from sim.page.guard import Guard, is_loopback
from sim.page.limits import PageLimits

log = logging.getLogger("alignsim.page")

SOLARA_ENVIRONMENT = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
    "SOLARA_ASSETS_PROXY": "true",
    "SOLARA_MODE": "production",
    "SOLARA_APP": "sim.page.app",
    "SOLARA_THEME_SHOW_BANNER": "false",
}


@dataclass(frozen=True)
class PageServer:
    """What `alignsim serve` was asked for.

    Attributes:
        first: the scenario the page starts with (its folder is the served folder).
        host, port: where to listen.
        token: the page's token; None serves without one (loopback, or `--no-token`).
        limits: the page's limits on scenarios.
        release_after: seconds after a page is disconnected before its memory is released.
        max_pages: most pages open at once; max_per_client: most from one client address.
        websocket_bytes: the largest message a client may send.
        draw: the posterior draw scenarios that read a fit run with (None: the median).
        pause: milliseconds the play loop waits between two steps, to start with.
    """

    first: Path
    host: str
    port: int
    token: str | None
    limits: PageLimits
    release_after: float = 120.0
    max_pages: int = 60
    max_per_client: int = 10
    websocket_bytes: int = 1_048_576
    draw: int | None = None
    pause: int = 50


def choose_token(host: str, token: str | None, no_token: bool) -> str | None:
    """The page's token: none on loopback unless given, else the one given or a new one."""
    if token is not None and no_token:
        raise InputError("--token and --no-token exclude each other")
    if token is not None and (len(token) < 8 or not token.isascii() or not token.isalnum()):
        raise InputError("--token: use at least 8 letters or digits (ASCII)")
    if no_token or (token is None and is_loopback(host)):
        return None
    return token or secrets.token_urlsafe(18)


def links(config: PageServer) -> list[str]:
    """The page's addresses to give students, with the token."""
    query = f"?token={config.token}" if config.token else ""
    hosts = [config.host]
    if config.host in ("0.0.0.0", "::", ""):
        hosts = [*interface_addresses(), "127.0.0.1"]
    return [f"http://{h}:{config.port}/{query}" for h in hosts]


def interface_addresses() -> list[str]:
    """This machine's IPv4 addresses beyond loopback, read from its interfaces (no lookup)."""
    import psutil

    found = []
    for addresses in psutil.net_if_addrs().values():
        for a in addresses:
            if a.family.name == "AF_INET" and not is_loopback(a.address):
                found.append(a.address)
    return sorted(set(found))


def configure_solara(release_after: float) -> Path:
    """Set Solara's settings for a closed classroom server; the installed assets' folder."""
    os.environ.update(SOLARA_ENVIRONMENT)
    # Mesa 3.3's SolaraViz breaks one of Solara's rules of hooks, and Solara warns of its own
    # session cookie on plain http at every page: neither is for an instructor's terminal.
    warnings.filterwarnings("ignore", category=UserWarning, module="solara.validate_hooks")
    warnings.filterwarnings("ignore", message="Cookies with samesite", category=UserWarning)
    os.environ["SOLARA_KERNEL_CULL_TIMEOUT"] = f"{release_after:g}s"
    import solara.server.settings as settings
    import solara.settings

    settings.telemetry.mixpanel_enable = False
    settings.main.mode = "production"
    settings.theme.show_banner = False  # its corner banner covered the event table
    settings.kernel.cull_timeout = f"{release_after:g}s"
    solara.settings.assets.proxy = True
    assets = Path(settings.assets.proxy_cache_dir)
    if not (assets / "requirejs@2.3.6").is_dir():
        log.warning("page: Solara's assets are not installed in %s; the page needs them", assets)
    return assets


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8  # glibc's mallopt parameters


def libc() -> ctypes.CDLL | None:
    """The C library this process runs on, where it is glibc (it has malloc_trim)."""
    try:
        library = ctypes.CDLL(None)
    except OSError:
        return None
    return library if hasattr(library, "malloc_trim") else None


def tune_heap(arenas: int = 2, mmap_bytes: int = 256 * 1024) -> None:
    """Set glibc's heap so that what closed pages free goes back to the system.

    Each page's worker thread would otherwise get a heap arena of its own (up to eight per
    core), and glibc raises its mmap threshold each time a large block is freed, so large
    blocks (a page's messages, its scenario's arrays) end up scattered on the heap, where
    they stay resident.
    A fixed threshold keeps large blocks in mmap (returned when freed).
    """
    c = libc()
    if c is not None:
        c.mallopt(M_ARENA_MAX, arenas)
        c.mallopt(M_MMAP_THRESHOLD, mmap_bytes)
        c.mallopt(M_TRIM_THRESHOLD, 2 * mmap_bytes)


def release_memory() -> None:
    """Collect garbage and hand freed heap back to the system (glibc's malloc_trim)."""
    gc.collect()
    c = libc()
    if c is not None:
        c.malloc_trim(0)


#: anyio ends a pooled worker thread idle this long (seconds), when it next runs a task.
WORKER_IDLE = 10.0


def watch_pages(guard: Guard, stop: threading.Event, every: float = 2.0) -> None:
    """Log how many pages are open, and release what closed pages leave behind.

    A closed page's state stays reachable from the thread-locals of the pooled worker
    thread that served it until anyio ends that thread, which it does only when it next
    runs a task and the thread has been idle for `WORKER_IDLE` seconds. Once pages have
    closed and that time has passed, run one trivial task to end the idle threads, then
    collect garbage and trim the heap.
    """
    from solara.server import kernel_context

    last: set[str] = set()
    closed_at = None
    while not stop.wait(every):
        try:
            now = set(kernel_context.contexts)
            if len(now) != len(last):
                log.debug("page: %d open", len(now))
            if last - now:
                closed_at = time.monotonic()
            last = now
            if closed_at is not None and time.monotonic() - closed_at > WORKER_IDLE + every:
                closed_at = None
                release(guard, len(now))
        except Exception:  # the watcher must outlive any one failure
            log.exception("page: releasing closed pages failed")


def release(guard: Guard, open_now: int) -> None:
    """End idle worker threads, forget closed renders' callbacks, trim the heap."""
    end_idle_workers(guard)
    dropped = forget_render_callbacks() if open_now == 0 else 0
    release_memory()
    log.debug(
        "page: released closed pages (%d render callbacks dropped); %.0f MB resident",
        dropped,
        resident_megabytes(),
    )


def forget_render_callbacks() -> int:
    """Drop the kernel-start callbacks that closed pages' renders registered (none is open).

    Solara 1.58's `use_task` (Mesa's play loop uses it) registers a callback in the global
    `solara.lifecycle._on_kernel_start_callbacks` on every render and never removes it, so
    each page keeps its tasks and their closures alive for good. Callbacks registered while
    a module was imported name that module; those registered from a render name none.
    Nothing tells which page a render's callback came from, so they are dropped only while
    no page is open (a page that opens meanwhile loses nothing it needs: its callbacks
    only reset its tasks for kernels that start later).

    Returns:
        how many callbacks were dropped.
    """
    from solara import lifecycle

    callbacks = lifecycle._on_kernel_start_callbacks
    kept = [c for c in callbacks if c.module is not None or c.callpoint is not None]
    dropped = len(callbacks) - len(kept)
    callbacks[:] = kept
    return dropped


def resident_megabytes() -> float:
    """This process's resident memory, in MB."""
    import psutil

    return float(psutil.Process().memory_info().rss) / 1e6


def end_idle_workers(guard: Guard) -> None:
    """Run one task on anyio's worker threads, which ends the pool's idle ones."""
    import anyio.to_thread

    if guard.loop is not None:
        task = anyio.to_thread.run_sync(lambda: None)
        asyncio.run_coroutine_threadsafe(task, guard.loop).result(timeout=30)


def system_allocator_in_use() -> bool:
    """Whether Python allocates through the C library here (see `restart_with_system_allocator`)."""
    return os.environ.get("PYTHONMALLOC") == "malloc"


def restart_with_system_allocator(argv: list[str]) -> None:
    """Restart this command (`python -m sim ARGV`) with Python's allocator set to the C one.

    Python's own allocator returns a 1 MiB arena only when every object in it is gone; what
    a page's session leaves (a cache entry here and there) pins most of the arenas it used.
    With the C allocator, `release_memory` hands freed pages back: after 20 pages opened
    and closed the server measured 1.10 times its warm idle size, against 1.22.
    """
    environment = {**os.environ, "PYTHONMALLOC": "malloc"}
    # -P: the current folder must not shadow the installed package
    os.execve(sys.executable, [sys.executable, "-P", "-m", "sim", *argv], environment)


def serve(config: PageServer) -> None:
    """Run the page's server until interrupted (see the module docstring)."""
    tune_heap()
    catalogue = build_catalogue(config.first, config.limits, config.draw)
    assets = configure_solara(config.release_after)
    import uvicorn
    from solara.server.starlette import app as solara_app

    from sim.page import app as page

    page.configure(catalogue, config.pause)
    announce(config, catalogue)
    guarded = Guard(
        solara_app,
        config.token,
        assets,
        f"alignsim_token_{config.port}",
        loopback_only=config.token is None and is_loopback(config.host),
        max_pages=config.max_pages,
        max_per_client=config.max_per_client,
    )
    stop = threading.Event()
    threading.Thread(target=watch_pages, args=(guarded, stop), daemon=True).start()
    server = uvicorn.Server(
        uvicorn.Config(
            guarded,
            host=config.host,
            port=config.port,
            access_log=False,
            ws_max_size=config.websocket_bytes,
            log_level="warning",
        )
    )
    try:
        server.run()
    finally:
        stop.set()


def announce(config: PageServer, catalogue: Catalogue) -> None:
    """Say where the page is, who can reach it and what it lists."""
    log.warning(
        "page: %d scenarios from %s (%d left out; --verbose lists them)",
        len(catalogue.scenarios),
        catalogue.folder,
        len(catalogue.skipped),
    )
    if config.token is None and not is_loopback(config.host):
        log.warning("page: --no-token: anyone who can reach %s can use the page", config.host)
    for link in links(config):
        log.warning("page: open %s (Ctrl-C to stop)", link)
