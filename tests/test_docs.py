"""The documentation site's sources: what `mkdocs build --strict` (run by `make docs`, which
`make test` runs first) does not check by itself.

The build fails on a missing page, a broken link, a missing snippet file or section start,
and a docstring naming a parameter the signature lacks. It does not fail when a section's
end marker is missing or misspelt: the page then silently takes the rest of the file. So
each section a page includes must open and close exactly once, in that order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
PAGES = ROOT / CONFIG["docs_dir"]
#: ``--8<-- "FILE"`` or ``--8<-- "FILE:SECTION"`` alone on a line of a page.
SNIPPET = re.compile(r'^--8<-- "([^":]+)(?::([\w-]+))?"$', re.MULTILINE)


def nav_files(entries: list[object]) -> Iterator[str]:
    """Every page file the navigation names, at any depth."""
    for entry in entries:
        values = entry.values() if isinstance(entry, dict) else [entry]
        for value in values:
            if isinstance(value, list):
                yield from nav_files(value)
            else:
                yield str(value)


def test_every_page_of_the_navigation_exists_and_every_page_is_in_it() -> None:
    named = set(nav_files(CONFIG["nav"]))
    on_disk = {str(p.relative_to(PAGES)) for p in PAGES.rglob("*.md")}
    assert named == on_disk


INCLUDES = sorted(
    {(m[1], m[2]) for page in PAGES.rglob("*.md") for m in SNIPPET.finditer(page.read_text())}
)


def test_the_pages_include_the_repository_documents() -> None:
    assert {file for file, _ in INCLUDES} == {"README.md", "ODD.md", "docs/architecture.md"}


@pytest.mark.parametrize(("file", "section"), INCLUDES, ids=[f"{f}:{s}" for f, s in INCLUDES])
def test_each_included_section_opens_and_closes_once(file: str, section: str | None) -> None:
    text = (ROOT / file).read_text()
    if section is None:
        assert "--8<--" not in text, f"{file} is included whole but holds snippet markers"
        return
    starts = [m.start() for m in re.finditer(rf"--8<-- \[start:{section}\]", text)]
    ends = [m.start() for m in re.finditer(rf"--8<-- \[end:{section}\]", text)]
    assert len(starts) == 1 and len(ends) == 1, f"{file}: section {section}"
    assert starts[0] < ends[0], f"{file}: section {section} ends before it starts"


def test_the_site_loads_nothing_from_the_network() -> None:
    """No web fonts, and the shim the offline plugin would fetch is a file of the site."""
    assert CONFIG["theme"]["font"] is False
    assert "offline" in CONFIG["plugins"]
    polyfills = CONFIG["extra"]["polyfills"]
    assert polyfills and all((PAGES / p).is_file() for p in polyfills)
