"""A cheap "has the owner's catalog changed?" token kept in Redis.

Every store of an owner shares the catalog, so a change of a product, option or category must
change the menu version of all those stores; inventory's `menu_version` reads this token next to
its own per-store one. The token is a fresh nanosecond timestamp rather than a counter so that a
flushed Redis can never hand out a value a screen has already seen.
"""

from __future__ import annotations

import secrets
import time

from django.db import transaction

from apps.core.redis import get_redis

CATALOG_VERSION_KEY = "cloudpos:catalog:version:{owner_id}"


def catalog_version_key(owner_id: int) -> str:
    return CATALOG_VERSION_KEY.format(owner_id=owner_id)


def catalog_version(owner_id: int) -> str:
    value = get_redis().get(catalog_version_key(owner_id))
    return value.decode() if value else "0"


def _fresh_token() -> str:
    # Digits only, like the plain timestamp it was; the random tail keeps two bumps apart when the
    # clock does not move between them (a frozen test clock, a coarse one): cached data is keyed
    # by this token, so two changes must never share one.
    return f"{time.time_ns()}{secrets.randbelow(10**6):06d}"


def _set_new_version(owner_id: int) -> None:
    get_redis().set(catalog_version_key(owner_id), _fresh_token())


def catalog_version_bump(owner_id: int) -> None:
    # Bump now (readers inside this transaction see the change) and again on commit: a screen that
    # polled between the two would otherwise keep the pre-commit menu under the new version.
    _set_new_version(owner_id)
    transaction.on_commit(lambda: _set_new_version(owner_id))
