"""Naming the process that holds a piece of work, and telling whether it is still alive.

Claims on outbox messages and running jobs record ``host:pid``.  When that process is gone (killed,
crashed, machine restarted) another process on the same host can take the work over at once
instead of waiting for a lease to expire.  On other hosts only the lease can tell.
"""

from __future__ import annotations

import os
import socket


def process_name() -> str:
    """``host:pid`` of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def process_gone(name: str | None) -> bool:
    """Whether ``name`` (``host:pid``) is a process on this host that no longer exists.

    False when it cannot tell (another host, a malformed name) and for this very process.
    """
    host, _, pid = (name or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # it exists, and belongs to someone else
        return False
    return _is_zombie(int(pid))


def _is_zombie(pid: int) -> bool:
    """A killed child not yet reaped by its parent still answers ``kill(pid, 0)``."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:  # no /proc (not Linux) or gone meanwhile
        return False
