"""The per-store kitchen version in Redis: every ticket change sets a fresh token after its commit,
so kitchen displays, the board and receipt pages poll one key and get a 204 while nothing changed.

Polling rather than server-sent events: gunicorn's sync workers hold one request per worker, so
every open SSE stream (a display, a TV, each customer's phone) would pin a worker for as long as
the page is open; a poll is one Redis GET and a 204, and it survives restarts and load balancers.
"""

from __future__ import annotations

import time

from django.db import transaction

from apps.core.redis import get_redis
from apps.tables.versions import FLOOR_VERSION_KEY

KITCHEN_VERSION_KEY = "cloudpos:kitchen:version:{store_id}"


def _set_new_version(store_id: int) -> None:
    get_redis().set(KITCHEN_VERSION_KEY.format(store_id=store_id), str(time.time_ns()))


def kitchen_touch(store_id: int) -> None:
    """Call inside the transaction that changes a ticket: the version moves after the commit."""
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _set_new_version(store_id))
    else:
        _set_new_version(store_id)


def kitchen_version(store_id: int) -> str:
    # The floor version rides along: a manager's void on a tab moves it, and the ticket holding
    # the voided line must redraw it struck through.
    kitchen, floor = get_redis().mget(
        [KITCHEN_VERSION_KEY.format(store_id=store_id), FLOOR_VERSION_KEY.format(store_id=store_id)]
    )
    return f"{kitchen.decode() if kitchen else '0'}-{floor.decode() if floor else '0'}"
