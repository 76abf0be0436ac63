"""The device's current cart and what the cart panel shows of it."""

from __future__ import annotations

from apps.carts import selectors as cart_selectors
from apps.carts import services as cart_services
from apps.carts.cart import CartChannel
from apps.carts.services import Cart
from apps.core.errors import NotFound
from apps.discounts.pricing import SOURCE_MANUAL

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
    cart = cart_services.cart_create(store=request.device.store, device=request.device, channel=CartChannel.POS)
    state.set_current_cart_id(request, cart.id)
    return cart


def cart_context(request, cart: Cart, *, listings: dict | None = None) -> dict:
    priced = cart_selectors.cart_priced(cart, store=request.device.store, listings=listings)
    manual = list(cart.meta.get("manual_discounts") or [])
    manual_index = {entry.get("line_key"): index for index, entry in enumerate(manual)}
    # A line shows only its own discount; its shares of an order discount are shown once, with the
    # order's discounts (on every line as well, they read as a second discount).
    own: dict[str, list] = {}
    if priced.priced is not None:
        for priced_line in priced.priced.lines:
            own[priced_line.key] = [d for d in priced_line.discounts if d.amount and not d.order_level]
    lines = []
    for line in priced.lines:
        discounts = own.get(line.line_id, [])
        lines.append(
            {
                "line": line,
                "discounts": discounts,
                "net": line.amount - sum(d.amount for d in discounts),
                "manual_index": manual_index.get(line.line_id),
            }
        )
    order_rows = [
        {"discount": d, "manual_index": manual_index.get(None) if d.source == SOURCE_MANUAL else None}
        for d in (priced.priced.order_discounts if priced.priced is not None else ())
        if d.amount
    ]
    return {
        "cart": cart,
        "priced": priced,
        "cart_lines": lines,
        "totals": priced.totals,
        "order_rows": order_rows,
        "coupon_code": cart.meta.get("coupon_code") or "",
        "coupon_error": priced.coupon_error,
        "item_count": sum(line.qty for line in priced.lines if line.available),
        "can_checkout": any(line.available for line in priced.lines),
        "ignored_manual": getattr(priced.priced, "ignored_manual", ()) if priced.priced else (),
    }
