"""Cart writes: the carts app's public API. Every write is one compare-and-set in Redis (cart.py).

Line writes retry a few times when another write slipped in between our read and our write (two
taps on one kiosk): the change is re-applied to the fresh cart, so nothing is lost and nothing is
applied twice. A caller that passes `expected_version` instead gets a 409 CART_VERSION_CONFLICT as
soon as the cart is not the one it saw (optimistic concurrency for clients that show a cart).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import Conflict, DomainError, Invalid, NotFound
from apps.core.korean import with_particle
from apps.discounts.selectors import pricing_context
from apps.inventory.selectors import validate_options
from apps.stores import services as store_services
from apps.stores.models import Device, Store, StoreMember

from . import cart as cart_store
from .cart import Cart, CartChannel, CartState
from .selectors import cart_listings

MAX_QTY = 99
MAX_LINES = 50
MAX_NOTE = 200
_RETRIES = 5

_UNSET = object()

__all__ = [
    "Cart",
    "CartState",
    "cart_create",
    "cart_get",
    "cart_line_add",
    "cart_line_update",
    "cart_line_remove",
    "cart_clear",
    "cart_abandon",
    "cart_update_meta",
    "cart_manual_discount_set",
    "cart_manual_discount_remove",
    "manual_discount_needs_manager",
    "cart_checkout",
    "cart_checkout_cancel",
    "cart_mark_paid",
]


# --- validation helpers ---------------------------------------------------------------------


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_qty(value) -> int:
    if not _is_int(value) or not 1 <= value <= MAX_QTY:
        raise Invalid("INVALID_QUANTITY", _("수량은 1~%(max)d 사이의 정수여야 합니다.") % {"max": MAX_QTY})
    return value


def _parse_note(value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_NOTE:
        raise Invalid("INVALID_NOTE", _("메모는 %(max)d자 이하의 글자여야 합니다.") % {"max": MAX_NOTE})
    return value.strip()


def _parse_option_ids(value) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(_is_int(v) for v in value):
        raise Invalid("INVALID_OPTIONS", _("옵션은 옵션 ID 목록이어야 합니다."))
    if len(set(value)) != len(value):
        raise Invalid("INVALID_OPTIONS", _("같은 옵션을 두 번 고를 수 없습니다."))
    return sorted(value)


def channel_for_device(device: Device) -> str:
    return CartChannel.KIOSK if device.kind == Device.Kind.KIOSK else CartChannel.POS


# --- reads with the ownership check -----------------------------------------------------------


def cart_get(cart_id: str, *, device: Device) -> Cart:
    """The device's own cart; another device's (or store's) cart is a 404, exactly like a missing one."""
    cart = cart_store.load(cart_id)
    if cart is None or cart.device_id != device.pk or cart.store_id != device.store_id:
        raise cart_store.cart_not_found()
    return cart


def _store_of(device: Device) -> Store:
    return device.store


# --- creation and line writes ---------------------------------------------------------------


def cart_create(*, store: Store, device: Device, channel: str | None = None, service_type: str = "") -> Cart:
    if device.store_id != store.pk:
        raise NotFound("STORE_NOT_FOUND", _("이 기기의 매장이 아닙니다."))
    channel = channel or channel_for_device(device)
    if channel not in CartChannel.ALL:
        raise Invalid("INVALID_CHANNEL", _("알 수 없는 판매 채널입니다."))
    meta = {"service_type": _parse_service_type(service_type)}
    return cart_store.create(store_id=store.pk, device_id=device.pk, channel=channel, meta=meta)


def _write(
    cart_id: str,
    *,
    device: Device,
    change: Callable[[Cart], tuple[list[dict] | None, dict | None]],
    expected_version: int | None = None,
    read: Cart | None = None,
) -> Cart:
    """Apply `change` (cart -> new lines / meta, None = keep) with one CAS; retry on a lost race.
    `read` is the cart as the caller has just read it through `cart_get` (one Redis read less); a
    retry always reads it again."""
    for attempt in range(_RETRIES):
        if attempt == 0 and read is not None and read.id == cart_id and read.device_id == device.pk:
            cart = read
        else:
            cart = cart_get(cart_id, device=device)
        if not cart.is_active:
            raise cart_store.cart_not_active(cart.state)
        if expected_version is not None and cart.version != expected_version:
            raise Conflict(
                "CART_VERSION_CONFLICT",
                _("장바구니가 다른 곳에서 먼저 변경되었습니다. 다시 시도해 주세요."),
                details={"state": cart.state, "version": cart.version},
            )
        lines, meta = change(cart)
        try:
            return cart_store.compare_and_set(cart, lines=lines, meta=meta)
        except DomainError as err:
            if err.code != "CART_VERSION_CONFLICT" or expected_version is not None or attempt == _RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _check_stock(listing, lines: list[dict], product_id: int) -> None:
    """Display-time stock check; the order re-checks under row locks when it reserves."""
    if not listing.track_stock or listing.stock is None:
        return
    wanted = sum(line["qty"] for line in lines if line["productId"] == product_id)
    if wanted > listing.stock:
        raise Conflict(
            "OUT_OF_STOCK",
            _("%(name)s의 재고가 부족합니다(남은 수량 %(left)d개).") % {"name": listing.name, "left": listing.stock},
            details={"products": [{"productId": product_id, "name": listing.name, "available": listing.stock}]},
        )


def _listing_for(store: Store, product_id, known: dict | None = None) -> object:
    if not _is_int(product_id):
        raise Invalid("INVALID_PRODUCT", _("상품 ID가 올바르지 않습니다."))
    listing = cart_listings(store, [product_id], known=known).get(product_id)
    if listing is None:
        raise NotFound("PRODUCT_NOT_FOUND", _("이 매장에서 판매하지 않는 상품입니다."))
    if not listing.available:
        raise Conflict(
            "SOLD_OUT",
            _("%(name)s 지금 주문할 수 없습니다.") % {"name": with_particle(listing.name, "은/는")},
            details={"productId": product_id, "reason": listing.unavailable_reason},
        )
    return listing


def cart_line_add(
    cart_id: str,
    *,
    device: Device,
    product_id: int,
    qty: int = 1,
    option_ids=(),
    note: str = "",
    expected_version: int | None = None,
    listings: dict | None = None,
    read: Cart | None = None,
) -> Cart:
    """Add a listing with its options; the same product with the same options and note adds up.
    `listings` may carry listings the caller already loaded (carts.selectors.cart_listings), `read`
    the cart it has just read with `cart_get`."""
    qty = parse_qty(qty)
    option_ids = _parse_option_ids(list(option_ids) if isinstance(option_ids, tuple) else option_ids)
    note = _parse_note(note)
    store = _store_of(device)
    listing = _listing_for(store, product_id, listings)
    validate_options(listing, option_ids)

    def change(cart: Cart):
        lines = [dict(line) for line in cart.lines]
        same = next(
            (
                line
                for line in lines
                if line["productId"] == product_id and line["optionIds"] == option_ids and line["note"] == note
            ),
            None,
        )
        if same is not None:
            same["qty"] = parse_qty(same["qty"] + qty)
        else:
            if len(lines) >= MAX_LINES:
                raise Invalid("CART_FULL", _("한 장바구니에는 %(max)d줄까지 담을 수 있습니다.") % {"max": MAX_LINES})
            lines.append(
                {
                    "lineId": uuid.uuid4().hex[:12],
                    "productId": product_id,
                    "qty": qty,
                    "optionIds": option_ids,
                    "note": note,
                }
            )
        _check_stock(listing, lines, product_id)
        return lines, None

    return _write(cart_id, device=device, change=change, expected_version=expected_version, read=read)


def _line_not_found() -> NotFound:
    return NotFound("LINE_NOT_FOUND", _("장바구니에 그 상품 줄이 없습니다."))


def cart_line_update(
    cart_id: str,
    line_id: str,
    *,
    device: Device,
    qty: int | None = None,
    note: str | None = None,
    expected_version: int | None = None,
) -> Cart:
    if qty is None and note is None:
        raise Invalid("NOTHING_TO_CHANGE", _("바꿀 수량이나 메모를 보내 주세요."))
    if qty is not None:
        qty = parse_qty(qty)
    if note is not None:
        note = _parse_note(note)
    store = _store_of(device)

    def change(cart: Cart):
        lines = [dict(line) for line in cart.lines]
        line = next((item for item in lines if item["lineId"] == line_id), None)
        if line is None:
            raise _line_not_found()
        if qty is not None and qty > line["qty"]:
            # Only growing a line can run out of stock; shrinking must work even when sold out.
            listing = _listing_for(store, line["productId"])
            line["qty"] = qty
            _check_stock(listing, lines, line["productId"])
        elif qty is not None:
            line["qty"] = qty
        if note is not None:
            line["note"] = note
        return lines, None

    return _write(cart_id, device=device, change=change, expected_version=expected_version)


def cart_line_remove(cart_id: str, line_id: str, *, device: Device, expected_version: int | None = None) -> Cart:
    def change(cart: Cart):
        if cart.line(line_id) is None:
            raise _line_not_found()
        # A manual discount on the removed line would point at nothing and fail pricing: drop it.
        manual = [item for item in cart.meta.get("manual_discounts") or [] if item.get("line_key") != line_id]
        return [line for line in cart.lines if line["lineId"] != line_id], {**cart.meta, "manual_discounts": manual}

    return _write(cart_id, device=device, change=change, expected_version=expected_version)


def cart_clear(cart_id: str, *, device: Device) -> Cart:
    """Empty the lines and forget coupon / manual discounts / member; the cart stays ACTIVE."""

    def change(cart: Cart):
        return [], {**cart_store.DEFAULT_META, "service_type": cart.meta.get("service_type", "")}

    return _write(cart_id, device=device, change=change)


# --- meta -----------------------------------------------------------------------------------


def _parse_service_type(value) -> str:
    if value in (None, ""):
        return ""
    if value not in ("DINE_IN", "TAKEOUT"):
        raise Invalid("INVALID_SERVICE_TYPE", _("매장 식사 또는 포장 중에서 골라 주세요."))
    return value


def _parse_manual_discounts(value) -> list[dict]:
    if value is None:
        return []
    error = Invalid("INVALID_MANUAL_DISCOUNT", _("수동 할인 형식이 올바르지 않습니다."))
    if not isinstance(value, list | tuple):
        raise error
    parsed = []
    for item in value:
        if not isinstance(item, dict) or item.get("kind") not in ("PERCENT", "AMOUNT"):
            raise error
        amount = item.get("value")
        if not _is_int(amount) or amount <= 0 or (item["kind"] == "PERCENT" and amount > 100):
            raise error
        line_key = item.get("line_key")
        if line_key is not None and not isinstance(line_key, str):
            raise error
        reason = item.get("reason") or ""
        if not isinstance(reason, str) or len(reason) > 100:
            raise error
        by = item.get("by") or ""
        if not isinstance(by, str) or len(by) > 100:
            raise error
        parsed.append({"kind": item["kind"], "value": amount, "reason": reason, "line_key": line_key, "by": by})
    return parsed


def cart_update_meta(
    cart_id: str,
    *,
    device: Device,
    coupon_code=_UNSET,
    manual_discounts=_UNSET,
    service_type=_UNSET,
    member_id=_UNSET,
    expected_version: int | None = None,
) -> Cart:
    """Set the cart's coupon, manual discounts (already approved by the caller), service type or
    member. A coupon code is checked at once so the customer hears about a bad code now."""
    updates: dict = {}
    if coupon_code is not _UNSET:
        code = (coupon_code or "").strip() if isinstance(coupon_code, str | type(None)) else None
        if code is None or len(code) > 40:
            raise Invalid("COUPON_INVALID", _("쿠폰 코드가 올바르지 않습니다."))
        if code:
            cart = cart_get(cart_id, device=device)
            pricing_context(_store_of(device), channel=cart.channel, at=timezone.now(), coupon_code=code)
        updates["coupon_code"] = code
    if manual_discounts is not _UNSET:
        updates["manual_discounts"] = _parse_manual_discounts(manual_discounts)
    if service_type is not _UNSET:
        updates["service_type"] = _parse_service_type(service_type)
    if member_id is not _UNSET:
        if member_id is not None and not _is_int(member_id):
            raise Invalid("INVALID_MEMBER", _("직원 정보가 올바르지 않습니다."))
        updates["member_id"] = member_id

    def change(cart: Cart):
        return None, {**cart.meta, **updates}

    return _write(cart_id, device=device, change=change, expected_version=expected_version)


def manual_discount_needs_manager(store: Store, kind: str, value: int) -> bool:
    """Above the store's limits (a percent, or an amount in won) a manager must approve."""
    if kind == "PERCENT":
        return value > store.manual_discount_limit_percent
    return value > store.manual_discount_limit_amount


def cart_manual_discount_set(
    cart_id: str,
    *,
    device: Device,
    member: StoreMember,
    kind: str,
    value: int,
    reason: str,
    line_id: str | None = None,
    manager_pin: str = "",
) -> Cart:
    """Give a manual discount on one line (`line_id`) or the whole order, with a reason. Above the
    store's limit a manager approves: the member themselves when a manager, else `manager_pin`.
    One manual discount per target: a new one on the same line (or the order) replaces the old.
    Who gave (and approved) it is kept apart from the reason, which is the customer-facing text
    copied to the order and the receipt."""
    store = _store_of(device)
    by = member.display_name
    if manual_discount_needs_manager(store, kind, value):
        approver = _manager_approval(store, device, member, manager_pin)
        if approver.pk != member.pk:
            by = f"{by}/{_('승인')} {approver.display_name}"
    entry = {"kind": kind, "value": value, "reason": reason.strip()[:60], "line_key": line_id or None, "by": by[:100]}

    def change(cart: Cart):
        if entry["line_key"] is not None and cart.line(entry["line_key"]) is None:
            raise _line_not_found()
        others = [d for d in cart.meta.get("manual_discounts") or [] if d.get("line_key") != entry["line_key"]]
        return None, {**cart.meta, "manual_discounts": _parse_manual_discounts([*others, entry])}

    return _write(cart_id, device=device, change=change)


def cart_manual_discount_remove(cart_id: str, *, device: Device, index: int) -> Cart:
    """Take back the manual discount at `index` (as the cart lists them)."""

    def change(cart: Cart):
        discounts = list(cart.meta.get("manual_discounts") or [])
        if not 0 <= index < len(discounts):
            raise NotFound("DISCOUNT_NOT_FOUND", _("할인을 찾을 수 없습니다."))
        del discounts[index]
        return None, {**cart.meta, "manual_discounts": discounts}

    return _write(cart_id, device=device, change=change)


def _manager_approval(store: Store, device: Device, member: StoreMember, pin: str) -> StoreMember:
    """The approving manager: the member when a manager and no PIN was typed, else the PIN's owner
    (throttled per device like the login), who must be a manager."""
    if member.is_manager and not pin:
        return member
    if not pin:
        raise DomainError("MANAGER_PIN_REQUIRED", _("매니저 PIN이 필요합니다."), status=403)
    approver = store_services.member_authenticate(store, pin, throttle_key=f"manager:{device.pk}")
    if not approver.is_manager:
        raise DomainError("MANAGER_REQUIRED", _("매니저 권한이 있는 PIN이 아닙니다."), status=403)
    return approver


# --- transitions (used by the device and by orders) -------------------------------------------


def cart_abandon(cart_id: str, *, device: Device) -> Cart:
    """ACTIVE → ABANDONED (the customer walked away / the cashier reset the screen)."""
    cart = cart_get(cart_id, device=device)
    return cart_store.compare_and_set(cart, to_state=CartState.ABANDONED)


def cart_checkout(cart_id: str, *, expected_version: int, read: Cart | None = None) -> Cart:
    """ACTIVE@expected_version → CHECKOUT; the order that was priced from that version owns it now.
    `read`: the cart as the caller has just read it (one Redis read less); the compare-and-set
    still refuses it if the cart has moved on since."""
    cart = read if read is not None and read.id == cart_id else cart_store.load(cart_id)
    if cart is None:
        raise cart_store.cart_not_found()
    if cart.state != CartState.ACTIVE:
        raise cart_store.cart_not_active(cart.state)
    if cart.version != expected_version:
        raise Conflict(
            "CART_VERSION_CONFLICT",
            _("장바구니가 다른 곳에서 먼저 변경되었습니다. 다시 시도해 주세요."),
            details={"state": cart.state, "version": cart.version},
        )
    return cart_store.compare_and_set(cart, to_state=CartState.CHECKOUT)


def cart_checkout_cancel(cart_id: str, *, expected_version: int | None = None) -> Cart | None:
    """CHECKOUT → ACTIVE with its lines (payment failed, order canceled or expired).

    `expected_version` is the cart version the order saw at checkout: a cart that has moved on
    since (another order owns it now) is left alone. Returns None when there is nothing to do."""
    cart = cart_store.load(cart_id)
    if cart is None or cart.state != CartState.CHECKOUT:
        return None
    if expected_version is not None and cart.version != expected_version:
        return None
    try:
        return cart_store.compare_and_set(cart, to_state=CartState.ACTIVE)
    except DomainError:
        return None  # someone else moved it first: their move wins


def cart_mark_paid(cart_id: str, *, expected_version: int | None = None) -> Cart | None:
    """CHECKOUT → PAID and clear lines/meta (the order keeps its own snapshot). Idempotent."""
    for _attempt in range(_RETRIES):
        cart = cart_store.load(cart_id)
        if cart is None or cart.state != CartState.CHECKOUT:
            return None
        if expected_version is not None and cart.version != expected_version:
            return None
        try:
            return cart_store.compare_and_set(
                cart, to_state=CartState.PAID, lines=[], meta=dict(cart_store.DEFAULT_META)
            )
        except DomainError:
            continue
    return None
