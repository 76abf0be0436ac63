"""Kiosk → POS "call staff" (직원 호출): short-lived alerts kept in Redis, never in the database.

A call is a JSON value under its own key with a TTL, indexed in a per-store sorted set by creation
time. The TTL makes a call nobody acknowledged vanish on its own (a customer who was helped, or
left, must not keep a POS beeping forever); the index is trimmed on every read so it cannot grow.
"""

from __future__ import annotations

import json
import secrets
import time
from datetime import UTC, datetime

from django.conf import settings
from django.utils.translation import gettext as _

from apps.core.errors import NotFound
from apps.core.redis import get_redis

from .models import Device, Store

__all__ = ["staff_call_create", "staff_calls_pending", "staff_call_ack", "staff_call_ttl_seconds"]


def staff_call_ttl_seconds() -> int:
    return settings.STAFF_CALL_TTL_SECONDS


def _index_key(store_id: int) -> str:
    return f"staffcalls:{store_id}"


def _call_key(store_id: int, call_id: str) -> str:
    return f"staffcall:{store_id}:{call_id}"


def _device_key(store_id: int, device_id: int) -> str:
    return f"staffcall:{store_id}:device:{device_id}"


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def staff_call_create(store: Store, device: Device) -> dict:
    """Raise a call from `device` (a kiosk of `store`). A device with a call still pending gets that
    same call back: a customer tapping the button five times means one person waiting, not five."""
    if device.store_id != store.pk:
        # Never let one store's terminal ring another store's POS.
        raise NotFound("DEVICE_NOT_FOUND", _("기기를 찾을 수 없습니다."))
    redis = get_redis()
    ttl = staff_call_ttl_seconds()
    existing_id = redis.get(_device_key(store.pk, device.pk))
    if existing_id:
        raw = redis.get(_call_key(store.pk, _text(existing_id)))
        if raw:
            return json.loads(raw)
    now = time.time()
    call = {
        "id": secrets.token_urlsafe(9),
        "store_id": store.pk,
        "device_id": device.pk,
        "device_name": device.name,
        "created_at": datetime.fromtimestamp(now, tz=UTC).isoformat(),
    }
    pipe = redis.pipeline()
    pipe.set(_call_key(store.pk, call["id"]), json.dumps(call, ensure_ascii=False), ex=ttl)
    pipe.set(_device_key(store.pk, device.pk), call["id"], ex=ttl)
    pipe.zadd(_index_key(store.pk), {call["id"]: now})
    pipe.expire(_index_key(store.pk), ttl)
    pipe.execute()
    return call


def staff_calls_pending(store: Store) -> list[dict]:
    """Calls not yet acknowledged and not yet expired, oldest first (two reads, no scan)."""
    redis = get_redis()
    index = _index_key(store.pk)
    redis.zremrangebyscore(index, "-inf", time.time() - staff_call_ttl_seconds())
    ids = [_text(member) for member in redis.zrange(index, 0, -1)]
    if not ids:
        return []
    calls = []
    for call_id, raw in zip(ids, redis.mget([_call_key(store.pk, i) for i in ids]), strict=True):
        if raw is None:
            # Expired between the trim and the read; drop the dangling index entry.
            redis.zrem(index, call_id)
            continue
        calls.append(json.loads(raw))
    return calls


def staff_call_ack(store: Store, call_id: str) -> None:
    """Acknowledge (dismiss) a call. Idempotent: two POS screens may both tap "확인"."""
    redis = get_redis()
    raw = redis.get(_call_key(store.pk, call_id))
    pipe = redis.pipeline()
    pipe.zrem(_index_key(store.pk), call_id)
    pipe.delete(_call_key(store.pk, call_id))
    if raw:
        device_key = _device_key(store.pk, json.loads(raw).get("device_id"))
        # Only clear the device's marker if it still points at this call, not a newer one.
        if _text(redis.get(device_key) or "") == call_id:
            pipe.delete(device_key)
    pipe.execute()
