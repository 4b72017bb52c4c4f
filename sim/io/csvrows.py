"""CSV rows with the line each starts on, as every table reader of `sim.io` needs them.

A quoted cell may span lines, so the line a row ends on (`csv.reader.line_num`) is not
where a user looks for it: errors name the line where the row starts. The reader is strict,
so a quote that is never closed is refused instead of swallowing the rows after it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from sim.core.errors import InputError, where


def csv_rows(text: str, path: Path, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """Non-blank rows of CSV `text` read from `path`, each with the line it starts on.

    A tab `delimiter` reads tab-separated exports, whose quotes are plain text.

    Raises:
        InputError: a quote never closed, or malformed CSV, naming the row's first line.
    """
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter,
        quoting=csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL,
        strict=True,
    )
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"{where(path, start)}: {malformed(exc)}") from None
        line, start = start, reader.line_num + 1
        if any(c.strip() for c in cells):
            yield line, cells


def malformed(exc: csv.Error) -> str:
    """What is wrong with a row, from the csv module's error."""
    if "unexpected end of data" in str(exc):
        return (
            'a quote (") opened in this row is never closed; close it, or write a quote '
            'inside a quoted cell as two ("")'
        )
    return f"malformed CSV ({exc}); quote cells that hold commas or quotes"
