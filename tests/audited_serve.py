"""Run `alignsim serve` with an audit hook that records every attempt to reach beyond.

Usage: python audited_serve.py LOG [alignsim serve arguments...]

`sys.addaudithook` sees every `socket.connect`, `socket.getaddrinfo` and new process of
the interpreter, whichever library makes it and whatever proxy variables say; each one
that names an address or host beyond this machine is written to LOG, one per line. The
command runs in this process (PYTHONMALLOC=malloc is set by the caller, so `serve` does
not restart itself and leave the hook behind).
"""

from __future__ import annotations

import ipaddress
import sys

LOCAL_NAMES = {"localhost", "", "0.0.0.0", "::"}


def is_local(host: object) -> bool:
    """Whether a host or address stays on this machine."""
    if host is None:
        return True
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def recorder(log_path: str):
    def hook(event: str, args: tuple) -> None:
        reach = None
        if event == "socket.connect" and isinstance(args[1], tuple):
            reach = args[1][0]
        elif event == "socket.getaddrinfo":
            reach = args[0]
        elif event in ("subprocess.Popen", "os.exec", "os.posix_spawn", "os.system"):
            with open(log_path, "a", encoding="utf-8") as log:
                log.write(f"{event} {str(args)[:200]}\n")
            return
        if reach is not None and not is_local(reach):
            with open(log_path, "a", encoding="utf-8") as log:
                log.write(f"{event} {reach}\n")

    return hook


if __name__ == "__main__":
    sys.addaudithook(recorder(sys.argv[1]))
    from sim.cli import main

    sys.argv = ["alignsim", "serve", *sys.argv[2:]]
    main()
