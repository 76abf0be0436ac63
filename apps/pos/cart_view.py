"""The device's current cart and what the cart panel shows of it."""

from __future__ import annotations

from apps.carts import selectors as cart_selectors
from apps.carts import services as cart_services
from apps.carts.services import Cart
from apps.core.errors import NotFound
from apps.stores.models import Store

from . import state


def current_cart(request) -> Cart:
    """This device's ACTIVE cart; a new one when there is none yet, it expired, or it went on to
    checkout (its order is then reached from the pay screen, not by editing the cart)."""
    cart_id = state.current_cart_id(request)
    if cart_id:
        try:
            cart = cart_services.cart_get(cart_id, device=request.device)
        except NotFound:
            cart = None
        if cart is not None and cart.is_active:
            return cart
    cart = cart_services.cart_create(store=request.device.store, device=request.device, channel="POS")
    state.set_current_cart_id(request, cart.id)
    return cart


def discount_needs_manager(store: Store, kind: str, value: int) -> bool:
    """Above the store's limits (a percent, or an amount in won) a manager must approve."""
    if kind == "PERCENT":
        return value > store.manual_discount_limit_percent
    return value > store.manual_discount_limit_amount


def cart_context(request, cart: Cart, *, listings: dict | None = None) -> dict:
    priced = cart_selectors.cart_priced(cart, store=request.device.store, listings=listings)
    names = {line.line_id: line.name for line in priced.lines}
    line_discounts: dict[str, list] = {}
    if priced.priced is not None:
        for priced_line in priced.priced.lines:
            line_discounts[priced_line.key] = [d for d in priced_line.discounts if d.amount]
    manual = [
        {
            "index": index,
            "kind": entry["kind"],
            "value": entry["value"],
            "reason": entry.get("reason", ""),
            "target": names.get(entry.get("line_key") or "", "") if entry.get("line_key") else "",
        }
        for index, entry in enumerate(cart.meta.get("manual_discounts") or [])
    ]
    lines = [{"line": line, "discounts": line_discounts.get(line.line_id, [])} for line in priced.lines]
    return {
        "cart": cart,
        "priced": priced,
        "cart_lines": lines,
        "totals": priced.totals,
        "order_discounts": priced.order_discounts,
        "manual_discounts": manual,
        "coupon_code": cart.meta.get("coupon_code") or "",
        "coupon_error": priced.coupon_error,
        "item_count": sum(line.qty for line in priced.lines if line.available),
        "can_checkout": any(line.available for line in priced.lines),
        "ignored_manual": getattr(priced.priced, "ignored_manual", ()) if priced.priced else (),
    }
