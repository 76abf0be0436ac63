"""Context for the kiosk screens, read through other apps' selectors only."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.carts import selectors as carts
from apps.core.errors import DomainError
from apps.core.parsers import parse_id, parse_quantity
from apps.inventory import selectors as inventory
from apps.payments import selectors as payments

from . import session as kiosk_session

ONLINE_CARD_KINDS = ("TOSS", "SIMULATED", "PORTONE")
FAILED_PAYMENT_STATUSES = ("FAILED", "ABORTED", "EXPIRED")
SETTLED_PAYMENT_STATUSES = ("DONE", "PARTIAL_CANCELED", "CANCELED")
PAID_ORDER_STATUSES = ("PAID", "PARTIALLY_REFUNDED", "REFUNDED")
ENDED_ORDER_STATUSES = ("CANCELED", "EXPIRED")
RECOMMENDED = "recommended"
CHANNEL = "KIOSK"
# The re-rendered product form shows at most this quantity back (the form allows 20).
MAX_PREVIEW_QTY = 99


def base_context(request, *, screen: str = "") -> dict:
    device = getattr(request, "device", None)
    return {
        "store": device.store if device else None,
        "modes": kiosk_session.modes(request),
        "timings": kiosk_session.timings(),
        "screen": screen,
        "has_cart": bool(kiosk_session.cart_id(request)),
        "is_english": (get_language() or "").startswith("en"),
    }


# --- menu -----------------------------------------------------------------------------------------


def display_name(obj) -> str:
    """Name in the customer's language; a menu item carries its names on its listing."""
    obj = getattr(obj, "listing", obj)
    if (get_language() or "").startswith("en") and getattr(obj, "name_en", ""):
        return obj.name_en
    return getattr(obj, "name", "")


def menu_context(request, cart, category: str) -> dict:
    """Tabs: recommended first (by rank), then each category with something on sale here."""
    menu = inventory.menu_for_store(request.device.store, channel=CHANNEL)
    tabs = []
    if menu.recommended:
        tabs.append({"key": RECOMMENDED, "label": _("추천"), "items": menu.recommended})
    for group in menu.categories:
        items = menu.items_in(group.id)
        if items:
            tabs.append({"key": str(group.id), "label": display_name(group), "items": items})
    if not tabs and menu.items:
        tabs.append({"key": "all", "label": _("전체"), "items": menu.items})
    active = next((t for t in tabs if t["key"] == category), tabs[0] if tabs else None)
    return {
        **base_context(request, screen="menu"),
        "tabs": tabs,
        "active_tab": active,
        "menu_version": menu.version,
        "summary": cart_summary(cart),
    }


def product_item(store, product_id: int):
    """The menu item (listing, photos, options) or None when it is not on this store's menu."""
    menu = inventory.menu_for_store(store, channel=CHANNEL)
    return menu.item(product_id), menu.version


def option_ids(item) -> list[int]:
    return [option.id for group in item.listing.option_groups for option in group.options]


def _preview_qty(value) -> int:
    try:
        return parse_quantity(value, "qty", max=MAX_PREVIEW_QTY)
    except DomainError:
        return 1


def _preview_option_ids(values) -> set[int]:
    ids = set()
    for value in values:
        try:
            ids.add(parse_id(value, "option"))
        except DomainError:
            continue  # a refused form shows its error; the preview just leaves the value out
    return ids


def price_preview(item, selected: set[int], qty) -> int:
    """What the add button shows before JavaScript takes over (display only; the cart re-prices)."""
    qty = _preview_qty(qty)
    deltas = sum(o.price_delta for g in item.listing.option_groups for o in g.options if o.id in selected)
    return (item.unit_price + deltas) * qty


def product_context(request, cart, item, version: str, form) -> dict:
    selected: set[int] = set()
    qty = 1
    if form.is_bound:
        selected = _preview_option_ids(form.data.getlist("option"))
        qty = _preview_qty(form.data.get("qty", 1))
    return {
        **base_context(request, screen="product"),
        "item": item,
        "form": form,
        "selected": selected,
        "qty": qty,
        "price": price_preview(item, selected, qty),
        "menu_version": version,
        "summary": cart_summary(cart),
    }


# --- cart -----------------------------------------------------------------------------------------


def cart_summary(cart) -> dict:
    """Count and total for the bar at the bottom of the menu (display only)."""
    if not cart.lines:
        return {"count": 0, "total": 0}
    priced = carts.cart_priced(cart)
    return {"count": sum(line.qty for line in priced.lines if line.available), "total": priced.totals.get("total", 0)}


def cart_line(cart, line_id: str) -> dict | None:
    return next((line for line in cart.lines if line.get("lineId") == line_id), None)


def line_qty(line: dict) -> int:
    return int(line.get("qty") or 0)


def cart_context(request, cart) -> dict:
    priced = carts.cart_priced(cart) if cart.lines else None
    return {
        **base_context(request, screen="cart"),
        "cart": cart,
        "priced": priced,
        "lines": priced.lines if priced else [],
        "totals": priced.totals if priced else {"total": 0, "gross": 0, "discount": 0},
        "service_type": cart.meta.get("service_type", ""),
        "can_pay": bool(priced) and any(line.available for line in priced.lines),
    }


def offered_methods(methods) -> list:
    """The store's kiosk methods that can work here: Toss only when its keys are configured."""
    return [m for m in methods if m.kind != "TOSS" or (settings.TOSS_SECRET_KEY and settings.TOSS_CLIENT_KEY)]


def pay_context(request, cart, methods) -> dict:
    context = cart_context(request, cart)
    context.update(
        screen="pay",
        methods=[{"method": m, "online": is_online_card(m), "simulated": m.kind == "SIMULATED"} for m in methods],
    )
    return context


def is_online_card(method) -> bool:
    return method.kind in ONLINE_CARD_KINDS


def placement_error_message(err: DomainError) -> str:
    """Name the items that sold out since they went into the cart (409 OUT_OF_STOCK / SOLD_OUT)."""
    products = (err.details or {}).get("products") or []
    names = [p.get("name") for p in products if p.get("name")]
    if names:
        return _("죄송합니다. 다음 상품이 품절되었습니다: %(names)s. 수량을 줄이거나 빼 주세요.") % {
            "names": ", ".join(names)
        }
    return err.message


# --- order and payment -----------------------------------------------------------------------------


def payment_state(order) -> str:
    """ "paid", "failed", "pending" (card in progress) or "counter" (to be paid at the POS)."""
    if order.status in PAID_ORDER_STATUSES:
        return "paid"
    if order.status in ENDED_ORDER_STATUSES:
        return "failed"
    payment = payments.latest_payment(order)
    if payment is None or payment.kind not in ONLINE_CARD_KINDS:
        return "counter"
    if payment.status in FAILED_PAYMENT_STATUSES:
        return "failed"
    return "pending"


def open_card_payment(order):
    """The order's card payment whose window was opened but never finished, if any."""
    payment = payments.latest_payment(order)
    if payment is not None and payment.kind in ONLINE_CARD_KINDS and payment.status == "READY":
        return payment
    return None


def payment_failure_message(order) -> str:
    payment = payments.latest_payment(order)
    if order.status == "EXPIRED":
        return _("결제 시간이 지났습니다. 장바구니에서 다시 결제해 주세요.")
    if payment is not None and payment.status == "ABORTED":
        return _("결제가 취소되었습니다. 담은 상품은 그대로 있습니다.")
    detail = f" ({payment.failure_message})" if payment is not None and payment.failure_message else ""
    return _("결제에 실패했습니다%(detail)s. 담은 상품은 그대로 있습니다. 다른 카드로 다시 시도해 주세요.") % {
        "detail": detail
    }


def order_context(request, order) -> dict:
    return {
        **base_context(request, screen="order"),
        "order": order,
        "status_url": None,
    }


def receipt_context(order) -> dict:
    return {
        "order": order,
        "store": order.store,
        "lines": list(order.lines.all()),
        # Only payments that took money belong on a receipt, not a declined first attempt.
        "payments": [p for p in payments.payments_for_order(order) if p.status in SETTLED_PAYMENT_STATUSES],
    }
