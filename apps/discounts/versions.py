"""A per-store "have the discounts changed?" token in Redis, keying the cached discount rules.

Set by every save or delete of a store's Discount (receivers.py: the admin's forms and the services
alike), now and again on commit, like the menu version: a reader between the two caches the old
rules under the first token and the commit's token sends it back to the database.
"""

from __future__ import annotations

import secrets
import time

from django.db import transaction

from apps.core.redis import get_redis

DISCOUNTS_VERSION_KEY = "cloudpos:discounts:version:{store_id}"


def discounts_version_key(store_id: int) -> str:
    return DISCOUNTS_VERSION_KEY.format(store_id=store_id)


def _fresh_token() -> str:
    # Digits, unique even when the clock stands still (a frozen test clock).
    return f"{time.time_ns()}{secrets.randbelow(10**6):06d}"


def _set_new_version(store_id: int) -> None:
    get_redis().set(discounts_version_key(store_id), _fresh_token())


def discounts_version_ensure(store_id: int) -> bytes:
    """The store's token, set to a fresh one first when there is none (SET NX: a bump wins)."""
    redis = get_redis()
    key = discounts_version_key(store_id)
    redis.set(key, _fresh_token(), nx=True)
    return redis.get(key)


def discounts_version_bump(store_id: int) -> None:
    _set_new_version(store_id)
    transaction.on_commit(lambda: _set_new_version(store_id))
