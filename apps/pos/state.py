"""Per-device POS state outside the database: the current cart id (session), held sales and
one-time form keys (Redis).

Held sales live in Redis rather than the session so a cashier switch (which cycles the session)
keeps them, and they expire with the carts they point at (POS carts live 12 h).
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass

from apps.core.redis import get_redis
from apps.stores.models import Device

HELD_TTL_SECONDS = 12 * 60 * 60
FORM_KEY_TTL_SECONDS = 6 * 60 * 60
MAX_HELD = 20


# --- current cart (session, per device) ------------------------------------------------------------


def _cart_session_key(device: Device) -> str:
    return f"pos_cart:{device.pk}"


def current_cart_id(request) -> str | None:
    return request.session.get(_cart_session_key(request.device))


def set_current_cart_id(request, cart_id: str | None) -> None:
    key = _cart_session_key(request.device)
    if cart_id:
        request.session[key] = cart_id
    else:
        request.session.pop(key, None)


# --- held (parked) sales ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HeldSale:
    cart_id: str
    label: str
    total: int
    item_count: int
    held_at: float
    member_name: str

    @property
    def held_at_text(self) -> str:
        return time.strftime("%H:%M", time.localtime(self.held_at))


def _held_key(device: Device) -> str:
    return f"pos:held:{device.store_id}:{device.pk}"


def held_list(device: Device) -> list[HeldSale]:
    raw = get_redis().hgetall(_held_key(device))
    sales = []
    for value in raw.values():
        try:
            sales.append(HeldSale(**json.loads(value)))
        except (TypeError, ValueError):
            continue  # a malformed entry is skipped, never a 500
    return sorted(sales, key=lambda s: s.held_at)


def held_count(device: Device) -> int:
    return int(get_redis().hlen(_held_key(device)))


def held_add(device: Device, sale: HeldSale) -> None:
    r = get_redis()
    key = _held_key(device)
    pipe = r.pipeline()
    pipe.hset(key, sale.cart_id, json.dumps(sale.__dict__, ensure_ascii=False))
    pipe.expire(key, HELD_TTL_SECONDS)
    pipe.execute()


def held_take(device: Device, cart_id: str) -> HeldSale | None:
    """Remove and return one held sale; None when another tap already took it."""
    r = get_redis()
    key = _held_key(device)
    value = r.hget(key, cart_id)
    # HDEL's count makes the take atomic: of two concurrent recalls only one gets 1.
    if value is None or r.hdel(key, cart_id) != 1:
        return None
    try:
        return HeldSale(**json.loads(value))
    except (TypeError, ValueError):
        return None


# --- one-time form keys (a double click or a resubmitted form never pays twice) ----------------------


def form_key_issue(device: Device) -> str:
    key = secrets.token_urlsafe(16)
    get_redis().set(f"pos:formkey:{key}", str(device.pk), ex=FORM_KEY_TTL_SECONDS)
    return key


class FormKeyState:
    NEW = "new"  # first submission: go ahead
    PENDING = "pending"  # the first submission is still running
    DONE = "done"  # already handled: `result` says where its outcome is shown
    UNKNOWN = "unknown"  # never issued to this device (or expired)


def form_key_claim(device: Device, key: str) -> tuple[str, str]:
    """(state, result). Only the first submission of an issued key gets NEW; SET NX makes that
    hold even for two requests arriving at the same instant."""
    if not key or len(key) > 64:
        return FormKeyState.UNKNOWN, ""
    r = get_redis()
    owner = r.get(f"pos:formkey:{key}")
    if owner is None or owner.decode() != str(device.pk):
        return FormKeyState.UNKNOWN, ""
    if r.set(f"pos:formkey-used:{key}", "pending", nx=True, ex=FORM_KEY_TTL_SECONDS):
        return FormKeyState.NEW, ""
    value = (r.get(f"pos:formkey-used:{key}") or b"").decode()
    if value.startswith("done:"):
        return FormKeyState.DONE, value[len("done:") :]
    return FormKeyState.PENDING, ""


def form_key_finish(key: str, result: str) -> None:
    get_redis().set(f"pos:formkey-used:{key}", f"done:{result}", ex=FORM_KEY_TTL_SECONDS)


def form_key_release(key: str) -> None:
    """The submission failed before anything happened: let the cashier submit the same form again."""
    get_redis().delete(f"pos:formkey-used:{key}")


# --- one tap, one add ---------------------------------------------------------------------------------

TAP_TTL_SECONDS = 60


def tap_first(device: Device, token: str) -> bool:
    """True the first time this device sends this tap token. pos.js gives a product button one token
    until its request is answered, so a second tap (or a retried request) while the first is on
    its way adds nothing. A post without a token (no JavaScript) always counts."""
    if not token:
        return True
    return bool(get_redis().set(f"pos:tap:{device.pk}:{token}", "1", nx=True, ex=TAP_TTL_SECONDS))
