"""How many bridges may wait in a long-poll at once in one web process.

A waiting poll holds one of the process's gunicorn threads (`WEB_THREADS`, the Procfile's
`--threads`). gthread workers keep accepting connections while their threads are busy and queue
them, so a process whose every thread held a poll would make a kiosk or POS request routed to it wait
up to `BRIDGE_LONG_POLL_SECONDS`. Polls beyond the limit are answered at once (a plain poll: the
bridge asks again a second later), which keeps `WEB_THREADS - BRIDGE_THREADS_FREE` threads of every
process for everybody else whatever the number of bridges.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

DEFAULT_WEB_THREADS = 8  # the Procfile's default
BRIDGE_THREADS_FREE = 2  # threads of each process never held by a long-poll

_lock = threading.Lock()
_waiting = 0


def limit() -> int:
    """`BRIDGE_LONG_POLLS_PER_PROCESS` (settings or environment), else the process's threads minus
    the ones kept free: 6 with the default 8; 0 with sync workers (every poll answered at once)."""
    value = getattr(settings, "BRIDGE_LONG_POLLS_PER_PROCESS", None)
    if value is None:
        value = os.environ.get("BRIDGE_LONG_POLLS_PER_PROCESS")
    if value is None:
        threads = int(os.environ.get("WEB_THREADS", DEFAULT_WEB_THREADS))
        value = threads - BRIDGE_THREADS_FREE
    return max(0, int(value))


def waiting() -> int:
    return _waiting


@contextmanager
def slot() -> Iterator[bool]:
    """True when this poll may wait (a slot is held until the block ends), False when it must answer now."""
    global _waiting
    with _lock:
        granted = _waiting < limit()
        if granted:
            _waiting += 1
    try:
        yield granted
    finally:
        if granted:
            with _lock:
                _waiting -= 1
