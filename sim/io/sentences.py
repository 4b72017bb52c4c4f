"""The units of coding: the sentences of a document, fixed before anyone codes it.

A document's lines are split into sentences at a full stop, question or exclamation mark
followed by a space and a capital letter, a digit or an opening quote, except after the
abbreviations of `ABBREVIATIONS` and single capital initials ("N. Korea", "U.S."). Blank
lines and lines without a letter are no unit. Each unit is known by its document, its
number in the document (from 1) and the SHA-256 of its text, so a coding can name units
without copying the (copyrighted) text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from sim.io.files import read_text

MONTHS = ("Jan", "Feb", "Mar", "Apr", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec")
TITLES = ("Mr", "Mrs", "Ms", "Dr", "Prof", "Gen", "Lt", "Col", "Sen", "Rep", "St", "No", "vs")
ABBREVIATIONS = frozenset(MONTHS + TITLES)
BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")


@dataclass(frozen=True)
class Unit:
    """One sentence of a document."""

    doc: str
    number: int
    text: str

    @property
    def sha256(self) -> str:
        """SHA-256 of the sentence's UTF-8 text."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def split_sentences(line: str) -> list[str]:
    """The sentences of one line of text."""
    pieces, start = [], 0
    for match in BOUNDARY.finditer(line):
        before = line[start : match.start()].rstrip("\"'”’)")
        word = re.search(r"(\S+)[.!?]$", before)
        if word and (
            word.group(1) in ABBREVIATIONS or re.fullmatch(r"[A-Z](\.[A-Z])*", word.group(1))
        ):
            continue
        pieces.append(line[start : match.start()].strip())
        start = match.end()
    pieces.append(line[start:].strip())
    return [p for p in pieces if re.search(r"[A-Za-z]", p)]


def units(path: Path) -> list[Unit]:
    """The sentences of a document file, numbered from 1 in reading order."""
    doc = path.name.split("_")[0]
    found = [s for line in read_text(path, "document").splitlines() for s in split_sentences(line)]
    return [Unit(doc, i, text) for i, text in enumerate(found, start=1)]
