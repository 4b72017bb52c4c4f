"""The teaching page: serve it, offline and guarded, to one machine or a classroom."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import click

from sim.cli import options
from sim.core.errors import InputError
from sim.io.examples import example_scenario
from sim.page.limits import PageLimits

#: What the page imports that a plain install leaves out (the `classroom` extra has them).
CLASSROOM = ("solara", "ipyvuetify", "starlette", "uvicorn")


@click.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@options.count("--port", 1, 65535, 8765, "Port to listen on.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind; the default keeps the page on this machine, 0.0.0.0 opens it "
    "to the network (with a token).",
)
@click.option(
    "--token",
    default=None,
    help="The token students' links carry (8 or more letters or digits); a new random one "
    "by default when the page listens beyond loopback.",
)
@click.option(
    "--no-token",
    is_flag=True,
    help="Serve beyond loopback without a token: anyone on the network can use the page.",
)
@options.count(
    "--max-steps", 1, 100_000, PageLimits.steps, "Most steps of a scenario the page runs."
)
@options.count(
    "--max-actors", 2, 500, PageLimits.actors, "Most actors of a scenario the page runs."
)
@options.count("--max-pages", 1, 1000, 60, "Most pages open at once.")
@options.count("--max-pages-per-client", 1, 1000, 10, "Most pages open from one address.")
@options.amount(
    "--release-after",
    1,
    86_400,
    120.0,
    "Seconds after a page disconnects before its memory is released.",
)
@options.count(
    "--pause",
    0,
    10_000,
    50,
    "Milliseconds the play loop waits between two steps, to start with (the page's "
    "'pause between steps' slider changes it).",
)
@options.draw
def serve(
    scenario: Path | None,
    port: int,
    host: str,
    token: str | None,
    no_token: bool,
    max_steps: int,
    max_actors: int,
    max_pages: int,
    max_pages_per_client: int,
    release_after: float,
    pause: int,
    draw: int | None,
) -> None:
    """Serve the interactive teaching page (Mesa SolaraViz), offline.

    The page lists the scenarios of SCENARIO's folder and of its subfolders, as they are
    when the server starts, and opens on SCENARIO [default: the example two-patrons.yaml,
    with the other examples]. Beyond loopback it asks for a token, printed with the link to
    give students. Needs the classroom extra: pip install 'alignsim[classroom]'.

    \b
    Examples:
      alignsim serve
      alignsim serve scenarios/two-patrons.yaml
      alignsim serve scenarios/two-patrons.yaml --host 0.0.0.0 --max-pages 40
    """
    require_classroom()
    from sim.page import server
    from sim.page.catalogue import build_catalogue

    config = server.PageServer(
        first=scenario or example_scenario("two-patrons.yaml"),
        host=host,
        port=port,
        token=server.choose_token(host, token, no_token),
        limits=PageLimits(steps=max_steps, actors=max_actors),
        release_after=release_after,
        max_pages=max_pages,
        max_per_client=max_pages_per_client,
        draw=draw,
        pause=pause,
    )
    if not server.system_allocator_in_use():
        build_catalogue(config.first, config.limits, draw)  # bad input fails before the restart
        server.restart_with_system_allocator(sys.argv[1:])
    server.serve(config)


def require_classroom() -> None:
    """Refuse, in one line, to serve without the packages of the `classroom` extra.

    Raises:
        InputError: one of `CLASSROOM` is not installed.
    """
    missing = [name for name in CLASSROOM if importlib.util.find_spec(name) is None]
    if missing:
        raise InputError(
            f"serve: the teaching page needs {', '.join(missing)}, which a plain install "
            f"leaves out; install them with: pip install 'alignsim[classroom]'"
        )


COMMANDS = (serve,)
