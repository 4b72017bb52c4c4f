"""The one exception a user's bad input raises.

Every user-facing input (scenario files, event tables, parameters, command-line options) is
validated before any run starts. A problem raises `InputError` with one line naming the
file, the line or field, what is wrong and what is allowed; the command line prints that
line and exits with status 2, having written nothing.
"""


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
