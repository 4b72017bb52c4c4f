"""Who made a lock or a temporary name: a host and a process id, and whether it has ended.

Locks (`sim.io.lock`) record their holder, and temporary names (`sim.io.inplace`) carry
their maker, so that the next process can tell a leftover of a killed one from the work of
one still running. A process can be checked only on this host: an owner elsewhere is never
taken for ended.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
from dataclasses import dataclass

TAG = re.compile(r"(?P<host>.+)-(?P<pid>[0-9]{1,10})-[0-9a-f]{8}")


@dataclass(frozen=True)
class Owner:
    """A process on a host."""

    host: str
    pid: int

    @classmethod
    def me(cls) -> Owner:
        """This process."""
        return cls(socket.gethostname(), os.getpid())

    @classmethod
    def of_tag(cls, tag: str) -> Owner | None:
        """The owner a `tag` names, or None when the text is not a tag."""
        found = TAG.fullmatch(tag)
        return cls(found["host"], int(found["pid"])) if found else None

    def tag(self) -> str:
        """``host-pid-xxxxxxxx``: this owner and a random suffix, for a name no other
        process (nor another call of this one) uses."""
        return f"{self.host}-{self.pid}-{secrets.token_hex(4)}"

    @property
    def ended(self) -> bool:
        """Whether this is a process of this host that no longer runs."""
        if self.host != socket.gethostname():
            return False
        if self.pid <= 0:
            return True
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # another user's process
            return False
        return False

    def __str__(self) -> str:
        return f"process {self.pid} on host {self.host}"
