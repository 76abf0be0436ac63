"""The cart as it lives in Redis, and the one atomic compare-and-set every change goes through.

A cart is the hash `cart:{id}`: store, device, channel, state, version, lines (JSON), meta (JSON),
created_at, updated_at. It has a TTL (kiosk/table 15 minutes idle, POS 12 hours) refreshed on
every write. Every write — a line change or a state transition — is ONE Lua script that checks
`state` and `version` and only then writes and bumps the version, so two tabs or two clicks working
from the same read can never both win (the loser sees CART_VERSION_CONFLICT / CART_NOT_ACTIVE).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.errors import Conflict, NotFound
from apps.core.korean import with_particle
from apps.core.redis import get_redis


class CartState:
    ACTIVE = "ACTIVE"
    CHECKOUT = "CHECKOUT"
    PAID = "PAID"
    ABANDONED = "ABANDONED"

    ALL = (ACTIVE, CHECKOUT, PAID, ABANDONED)


# What a cashier reads for each state: messages name the label, never the code (which stays in the
# API's codes and details).
STATE_LABELS = {
    CartState.ACTIVE: gettext_lazy("사용 중"),
    CartState.CHECKOUT: gettext_lazy("결제 중"),
    CartState.PAID: gettext_lazy("결제 완료"),
    CartState.ABANDONED: gettext_lazy("폐기"),
}


def state_label(state: str) -> str:
    """The state's label in the active language; an unknown state's code as is."""
    return str(STATE_LABELS.get(state, state))


# The finite state machine of DESIGN.md, in one place. (ACTIVE, ACTIVE) is not a transition but
# the "write lines" move: lines change only while the cart is ACTIVE.
TRANSITIONS: dict[str, frozenset[str]] = {
    CartState.ACTIVE: frozenset({CartState.CHECKOUT, CartState.ABANDONED}),
    CartState.CHECKOUT: frozenset({CartState.PAID, CartState.ACTIVE}),
    CartState.PAID: frozenset(),
    CartState.ABANDONED: frozenset(),
}


class CartChannel:
    POS = "POS"
    KIOSK = "KIOSK"
    TABLE = "TABLE"

    ALL = (POS, KIOSK, TABLE)


DEFAULT_TTL_SECONDS = {
    CartChannel.POS: 12 * 60 * 60,
    CartChannel.KIOSK: 15 * 60,
    CartChannel.TABLE: 15 * 60,
}
# A finished cart is kept a little while so a late GET still sees PAID/ABANDONED, then it goes.
FINISHED_TTL_SECONDS = 60 * 60


def ttl_for(channel: str, state: str) -> int:
    """Seconds to live after a write in `state`."""
    ttls = {**DEFAULT_TTL_SECONDS, **getattr(settings, "CART_TTL_SECONDS", {})}
    ttl = ttls.get(channel, DEFAULT_TTL_SECONDS[CartChannel.KIOSK])
    if state == CartState.CHECKOUT:
        # A cart waiting for its payment must outlive its PENDING_PAYMENT order, so that a failed
        # payment or the expiry task can still hand the customer their lines back.
        ttl = max(ttl, (getattr(settings, "ORDER_PENDING_EXPIRY_MINUTES", 15) + 15) * 60)
    elif state in (CartState.PAID, CartState.ABANDONED):
        ttl = min(ttl, FINISHED_TTL_SECONDS)
    return ttl


def cart_key(cart_id: str) -> str:
    return f"cart:{cart_id}"


@dataclass
class Cart:
    id: str
    store_id: int
    device_id: int
    channel: str
    state: str
    version: int
    lines: list[dict] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def is_active(self) -> bool:
        return self.state == CartState.ACTIVE

    def line(self, line_id: str) -> dict | None:
        return next((line for line in self.lines if line["lineId"] == line_id), None)


DEFAULT_META = {"coupon_code": "", "manual_discounts": [], "service_type": "", "member_id": None}

# KEYS[1] cart key. ARGV: expected state, expected version, new state, lines JSON ("" = keep),
# meta JSON ("" = keep), updated_at, ttl seconds.
# Returns {1, state, version} on success, {0} when the cart is gone, {-1, state, version} when
# someone else moved it first.
_CAS_LUA = """
local current = redis.call('HMGET', KEYS[1], 'state', 'version')
if not current[1] then
  return {0}
end
if current[1] ~= ARGV[1] or current[2] ~= ARGV[2] then
  return {-1, current[1], current[2]}
end
local version = tostring(tonumber(current[2]) + 1)
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'version', version, 'updated_at', ARGV[6])
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[1], 'lines', ARGV[4])
end
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[1], 'meta', ARGV[5])
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[7]))
return {1, ARGV[3], version}
"""

_cas_scripts: dict[int, object] = {}


def _cas_script():
    client = get_redis()
    # register_script caches the SHA and falls back to EVAL on NOSCRIPT (e.g. after a flush).
    script = _cas_scripts.get(id(client))
    if script is None:
        script = client.register_script(_CAS_LUA)
        _cas_scripts[id(client)] = script
    return script


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _now_iso() -> str:
    return timezone.now().astimezone(UTC).isoformat()


def _parse_dt(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def cart_not_found() -> NotFound:
    return NotFound("CART_NOT_FOUND", _("장바구니를 찾을 수 없습니다. 새로 시작해 주세요."))


def load(cart_id: str) -> Cart | None:
    """The cart as stored, or None when it never existed or its TTL ran out."""
    if not isinstance(cart_id, str) or not cart_id or len(cart_id) > 64:
        return None
    raw = get_redis().hgetall(cart_key(cart_id))
    if not raw or (b"state" not in raw and "state" not in raw):
        return None
    data = {_text(k): _text(v) for k, v in raw.items()}
    return Cart(
        id=cart_id,
        store_id=int(data["store"]),
        device_id=int(data["device"]),
        channel=data["channel"],
        state=data["state"],
        version=int(data["version"]),
        lines=json.loads(data.get("lines") or "[]"),
        meta={**DEFAULT_META, **json.loads(data.get("meta") or "{}")},
        created_at=_parse_dt(data.get("created_at", "")),
        updated_at=_parse_dt(data.get("updated_at", "")),
    )


def create(*, store_id: int, device_id: int, channel: str, meta: dict | None = None) -> Cart:
    cart_id = uuid.uuid4().hex
    now = _now_iso()
    key = cart_key(cart_id)
    pipe = get_redis().pipeline(transaction=True)
    pipe.hset(
        key,
        mapping={
            "store": store_id,
            "device": device_id,
            "channel": channel,
            "state": CartState.ACTIVE,
            "version": 1,
            "lines": "[]",
            "meta": json.dumps({**DEFAULT_META, **(meta or {})}, ensure_ascii=False),
            "created_at": now,
            "updated_at": now,
        },
    )
    pipe.expire(key, ttl_for(channel, CartState.ACTIVE))
    pipe.execute()
    # What was just written, without reading it back (one round trip less per new cart).
    return Cart(
        id=cart_id,
        store_id=int(store_id),
        device_id=int(device_id),
        channel=channel,
        state=CartState.ACTIVE,
        version=1,
        lines=[],
        meta={**DEFAULT_META, **(meta or {})},
        created_at=_parse_dt(now),
        updated_at=_parse_dt(now),
    )


def compare_and_set(
    cart: Cart,
    *,
    to_state: str | None = None,
    lines: list[dict] | None = None,
    meta: dict | None = None,
) -> Cart:
    """Write `cart` (as read, state and version) forward atomically; raise when someone moved first.

    `to_state` None keeps the state (a line/meta write, only allowed while ACTIVE).
    """
    target = to_state or cart.state
    updated_at = _now_iso()
    if to_state is None:
        if cart.state != CartState.ACTIVE:
            raise cart_not_active(cart.state)
    elif to_state not in TRANSITIONS.get(cart.state, frozenset()):
        raise Conflict(
            "CART_ILLEGAL_TRANSITION",
            _("장바구니 상태를 %(from)s에서 %(to)s 바꿀 수 없습니다.")
            % {"from": state_label(cart.state), "to": with_particle(state_label(to_state), "으로/로")},
        )
    result = _cas_script()(
        keys=[cart_key(cart.id)],
        args=[
            cart.state,
            str(cart.version),
            target,
            "" if lines is None else json.dumps(lines, ensure_ascii=False),
            "" if meta is None else json.dumps(meta, ensure_ascii=False),
            updated_at,
            ttl_for(cart.channel, target),
        ],
    )
    outcome = int(result[0])
    if outcome == 0:
        raise cart_not_found()
    if outcome == -1:
        current_state = _text(result[1])
        if to_state is None and current_state != CartState.ACTIVE:
            raise cart_not_active(current_state)
        raise Conflict(
            "CART_VERSION_CONFLICT",
            _("장바구니가 다른 곳에서 먼저 변경되었습니다. 다시 시도해 주세요."),
            details={"state": current_state, "version": int(_text(result[2]))},
        )
    # The script wrote exactly this (the read it was compared with plus our change): build it here
    # rather than reading the hash back, one round trip less per cart write.
    return replace(
        cart,
        state=_text(result[1]),
        version=int(_text(result[2])),
        lines=cart.lines if lines is None else json.loads(json.dumps(lines)),
        meta=cart.meta if meta is None else {**DEFAULT_META, **json.loads(json.dumps(meta))},
        updated_at=_parse_dt(updated_at),
    )


def cart_not_active(state: str) -> Conflict:
    return Conflict(
        "CART_NOT_ACTIVE",
        _("결제 중이거나 끝난 장바구니는 바꿀 수 없습니다."),
        details={"state": state},
    )


def ttl_seconds(cart_id: str) -> int:
    """Remaining TTL (for tests and diagnostics); -2 when gone."""
    return int(get_redis().ttl(cart_key(cart_id)))
