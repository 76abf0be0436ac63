"""The per-store half of the menu version, kept in Redis (one round trip to read).

- `cloudpos:menu:version:{store}`: a fresh nanosecond token set by every change of listings,
  option sold-out, prices, recommendations and stock crossing zero.
- `cloudpos:menu:snoozes:{store}`: a sorted set of "sold out for today" end times. A snooze ends by
  the clock, with no write at all, so the version includes the latest end time already passed:
  the moment a snooze expires the version changes and screens redraw.

The store's cached listings and its cached menu (selectors.py) are keyed by these tokens, so a
change that does not bump them is a stale read: every write of what a menu shows must bump. Stock
that moves without crossing zero does not bump; readers take it fresh from the database.
"""

from __future__ import annotations

import secrets
import time
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from apps.catalog.selectors import catalog_version_key
from apps.core.redis import get_redis

STORE_VERSION_KEY = "cloudpos:menu:version:{store_id}"
SNOOZES_KEY = "cloudpos:menu:snoozes:{store_id}"
# Ends older than this are dropped; dropping them changes the version at most once, harmlessly.
SNOOZE_RETENTION = timedelta(days=3)


def _fresh_token() -> str:
    # Digits only, like the plain timestamp it was; the random tail keeps two bumps apart when the
    # clock does not move between them (a frozen test clock, a coarse one): cached data is keyed
    # by this token, so two changes must never share one.
    return f"{time.time_ns()}{secrets.randbelow(10**6):06d}"


def _set_new_version(store_id: int) -> None:
    get_redis().set(STORE_VERSION_KEY.format(store_id=store_id), _fresh_token())


def store_menu_version_ensure(store_id: int) -> None:
    """Give a store that has no token yet (a fresh or flushed Redis) a fresh one; SET NX, so a
    concurrent bump is never overwritten. The listings cache needs a token no other state had."""
    get_redis().set(STORE_VERSION_KEY.format(store_id=store_id), _fresh_token(), nx=True)


def store_menu_bump(store_id: int) -> None:
    # Now for readers in this transaction, and again on commit so a screen that polled in between
    # cannot keep the pre-commit menu under the new version.
    _set_new_version(store_id)
    transaction.on_commit(lambda: _set_new_version(store_id))


def snooze_register(store_id: int, until: datetime) -> None:
    key = SNOOZES_KEY.format(store_id=store_id)
    ends_at = until.timestamp()
    redis = get_redis()
    pipe = redis.pipeline()
    pipe.zadd(key, {f"{ends_at:.6f}": ends_at})
    pipe.zremrangebyscore(key, "-inf", (timezone.now() - SNOOZE_RETENTION).timestamp())
    pipe.execute()


def menu_version_token(store_id: int, owner_id: int, at: datetime | None = None) -> str:
    now = (at or timezone.now()).timestamp()
    # One round trip, without MULTI: the three parts need not be read at one instant. The token is
    # only a cache key, and what is cached under it is read after it, so a token that mixes an old
    # part with a new one can only hold data at least as new as both.
    pipe = get_redis().pipeline(transaction=False)
    pipe.get(catalog_version_key(owner_id))
    pipe.get(STORE_VERSION_KEY.format(store_id=store_id))
    pipe.zrevrangebyscore(SNOOZES_KEY.format(store_id=store_id), now, "-inf", start=0, num=1)
    catalog, store, passed = pipe.execute()
    last_passed = passed[0].decode() if passed else "0"
    return f"{(catalog or b'0').decode()}.{(store or b'0').decode()}.{last_passed}"
