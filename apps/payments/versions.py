"""The per-store payment-methods version in Redis, the key the cached methods live under
(`selectors.store_methods`). A fresh token, never a counter: a flushed Redis can never hand out a
value a worker has already cached rows under."""

from __future__ import annotations

import secrets
import time

from django.db import transaction

from apps.core.redis import get_redis

METHODS_VERSION_KEY = "cloudpos:payments:methods:version:{store_id}"


def _set_new_version(store_id: int) -> str:
    token = f"{time.time_ns()}{secrets.randbelow(10**6):06d}"
    get_redis().set(METHODS_VERSION_KEY.format(store_id=store_id), token)
    return token


def methods_version(store_id: int) -> str:
    value = get_redis().get(METHODS_VERSION_KEY.format(store_id=store_id))
    # Never bumped (or a flushed Redis): start a version, so rows are never cached under a token
    # that another state of them once had.
    return value.decode() if value else _set_new_version(store_id)


def methods_bump(store_id: int) -> None:
    # Now (readers in this transaction see the change) and again on commit: a reader between the
    # two would otherwise keep the pre-commit rows under the new version.
    _set_new_version(store_id)
    transaction.on_commit(lambda: _set_new_version(store_id))
