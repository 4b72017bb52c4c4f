"""The one exception a user's bad input raises.

Every user-facing input (scenario files, event tables, parameters, command-line options) is
validated before any run starts. A problem raises `InputError` with one line naming the
file, the line or field, what is wrong and what is allowed; the command line prints that
line and exits with status 2, having written nothing.
"""

import reprlib

#: Most characters of a user's value an error message quotes.
EXCERPT_CHARS = 40
#: Most digits of a whole number in a YAML file or an option (a seed has at most 19).
NUMBER_DIGITS = 40


class InputError(Exception):
    """A user's input is invalid; the message is one line a user can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


def where(path: object, line: int | None = None, field: str | None = None) -> str:
    """Format a location prefix like ``events.csv line 12, field source``."""
    text = str(path)
    if line is not None:
        text += f" line {line}"
    if field:
        text += f", field {field}" if line is not None else f": field {field}"
    return text


def short_repr() -> reprlib.Repr:
    """A `reprlib.Repr` that formats at most a few items and characters of any value."""
    shown = reprlib.Repr()
    shown.maxlevel = 2
    shown.maxtuple = shown.maxlist = shown.maxdict = shown.maxset = 4
    shown.maxstring = shown.maxlong = shown.maxother = EXCERPT_CHARS
    return shown


def excerpt(value: object) -> str:
    """A short quotation of a user's value (a string quoted, anything else as its repr),
    cut to about `EXCERPT_CHARS` characters with an ellipsis; built without ever
    formatting the whole value."""
    if isinstance(value, int) and value.bit_length() > 3.4 * NUMBER_DIGITS:
        return f"a number of about {int(value.bit_length() * 0.30103)} digits"
    text = short_repr().repr(value)
    if len(text) > EXCERPT_CHARS + 4:
        text = text[: EXCERPT_CHARS - 1] + "…"
    return text
