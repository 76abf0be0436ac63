"""First rounds from guests' phones waiting for staff confirmation (a store setting): a phone's
round for a table without a tab is held here until someone at the POS confirms it (then it is sent
through orders.tabs.table_round_send like any round) or rejects it.

Kept in Redis like staff calls, not in the database: nothing is priced, reserved or written until
staff confirm, and a pending round nobody looked at goes away with its TTL. Taking a pending round
(confirm or reject) is one GETDEL, so two POS screens tapping at once cannot send it twice.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from datetime import UTC, datetime

from apps.core.redis import get_redis
from apps.stores.models import Store

from .models import Table
from .versions import floor_touch

PENDING_TTL_SECONDS = 30 * 60

__all__ = [
    "phone_tag",
    "pending_round_create",
    "pending_rounds_for_store",
    "pending_rounds_for_table",
    "pending_round_take",
    "pending_round_put_back",
]


def _index_key(store_id: int) -> str:
    return f"tableorder:pending:{store_id}"


def _round_key(store_id: int, pending_id: str) -> str:
    return f"tableorder:pending:{store_id}:{pending_id}"


def phone_tag(session_key: str) -> str:
    """A phone's mark on its pending rounds: a hash, so the session key itself is never stored."""
    return hashlib.sha256(f"pending:{session_key}".encode()).hexdigest()[:24]


def pending_round_create(
    table: Table, *, items: list[dict], guests: int | None, lines: list[dict], total: int, phone: str
) -> dict:
    """Hold a phone's round: `items` as table_round_send takes them, `lines` and `total` as the
    phone's cart showed them (for the POS to read)."""
    now = time.time()
    pending = {
        "id": secrets.token_urlsafe(9),
        "store_id": table.store_id,
        "table_id": table.pk,
        "table": str(table),
        "items": items,
        "guests": guests,
        "lines": lines,
        "total": total,
        "phone": phone,
        "created_at": datetime.fromtimestamp(now, tz=UTC).isoformat(),
    }
    redis = get_redis()
    pipe = redis.pipeline()
    pipe.set(_round_key(table.store_id, pending["id"]), json.dumps(pending, ensure_ascii=False), ex=PENDING_TTL_SECONDS)
    pipe.zadd(_index_key(table.store_id), {pending["id"]: now})
    pipe.expire(_index_key(table.store_id), PENDING_TTL_SECONDS)
    pipe.execute()
    floor_touch(table.store_id)
    return pending


def pending_rounds_for_store(store: Store | int) -> list[dict]:
    """Rounds still waiting, oldest first (expired ones dropped from the index)."""
    store_id = store if isinstance(store, int) else store.pk
    redis = get_redis()
    index = _index_key(store_id)
    redis.zremrangebyscore(index, "-inf", time.time() - PENDING_TTL_SECONDS)
    ids = [member.decode() if isinstance(member, bytes) else str(member) for member in redis.zrange(index, 0, -1)]
    if not ids:
        return []
    found = []
    for pending_id, raw in zip(ids, redis.mget([_round_key(store_id, i) for i in ids]), strict=True):
        if raw is None:
            redis.zrem(index, pending_id)
            continue
        found.append(json.loads(raw))
    return found


def pending_rounds_for_table(table: Table) -> list[dict]:
    return [p for p in pending_rounds_for_store(table.store_id) if p["table_id"] == table.pk]


def pending_round_take(store: Store, pending_id: str) -> dict | None:
    """Remove and return a waiting round of this store; None when it is gone or was taken already."""
    redis = get_redis()
    raw = redis.getdel(_round_key(store.pk, pending_id))
    redis.zrem(_index_key(store.pk), pending_id)
    floor_touch(store.pk)
    return json.loads(raw) if raw else None


def pending_round_put_back(pending: dict) -> None:
    """Confirming failed (sold out meanwhile, the table closed): it waits again for a decision."""
    redis = get_redis()
    pipe = redis.pipeline()
    pipe.set(
        _round_key(pending["store_id"], pending["id"]), json.dumps(pending, ensure_ascii=False), ex=PENDING_TTL_SECONDS
    )
    pipe.zadd(_index_key(pending["store_id"]), {pending["id"]: time.time()})
    pipe.execute()
    floor_touch(pending["store_id"])
