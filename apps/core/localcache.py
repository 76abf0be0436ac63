"""A worker's own copies of a few values it read from the shared cache.

The hot path's reads (the menu, listings, discount rules, payment methods, kitchen routing) are
cached in Redis under a version token that every change moves; each worker also keeps the last few
of them in memory under the same versioned key, so a request reads only the version from Redis, not
the data. A changed version is a new key, so a copy is never served after a change; the short life
bounds what a lost version bump could leave, as the shared cache's own expiry does.
"""

from __future__ import annotations

import time
from typing import Any


class WorkerMemo:
    """At most `size` values, each kept `seconds`; when full, the oldest entry goes first."""

    def __init__(self, *, size: int, seconds: float) -> None:
        self.size = size
        self.seconds = seconds
        self._entries: dict[Any, tuple[float, Any]] = {}

    def get(self, key) -> Any | None:
        """The value kept under `key`, or None when there is none or it has expired."""
        entry = self._entries.get(key)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        return None

    def put(self, key, value) -> None:
        if len(self._entries) >= self.size:
            self._entries.pop(next(iter(self._entries)))
        self._entries.pop(key, None)
        self._entries[key] = (time.monotonic() + self.seconds, value)
