"""The per-store floor version in Redis: every tab change sets a fresh token, so the POS floor view
polls one key and gets a 204 while nothing changed."""

from __future__ import annotations

import time

from django.db import transaction

from apps.core.redis import get_redis

FLOOR_VERSION_KEY = "cloudpos:floor:version:{store_id}"


def _set_new_version(store_id: int) -> None:
    get_redis().set(FLOOR_VERSION_KEY.format(store_id=store_id), str(time.time_ns()))


def floor_touch(store_id: int) -> None:
    """Call inside the transaction that changes a tab: the new version is set after the commit, so
    a screen never reads the new version together with the old tab."""
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _set_new_version(store_id))
    else:
        _set_new_version(store_id)


def floor_version(store_id: int) -> str:
    value = get_redis().get(FLOOR_VERSION_KEY.format(store_id=store_id))
    return value.decode() if value else "0"
