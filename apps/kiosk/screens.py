"""Context for the kiosk screens, read through other apps' selectors only."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.carts import selectors as carts
from apps.carts.services import CartChannel
from apps.core.errors import DomainError
from apps.core.parsers import parse_id, parse_quantity
from apps.core.templatetags.names import localized_name
from apps.inventory import selectors as inventory
from apps.orders.models import OrderStatus
from apps.payments import selectors as payments
from apps.payments.models import PaymentMethod, PaymentStatus
from apps.payments.state import COMPLETED, FINAL_FAILURES, GATEWAY_KINDS
from apps.stores import staff_calls

from . import session as kiosk_session

HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
PAID_ORDER_STATUSES = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED)
ENDED_ORDER_STATUSES = (OrderStatus.CANCELED, OrderStatus.EXPIRED)
RECOMMENDED = "recommended"
CHANNEL = CartChannel.KIOSK
# The re-rendered product form shows at most this quantity back (the form allows 20).
MAX_PREVIEW_QTY = 99


def is_english() -> bool:
    return (get_language() or "").startswith("en")


def poll_context() -> dict:
    """What the htmx pollers of a partial need (their intervals)."""
    return {"timings": kiosk_session.timings()}


def base_context(request, *, screen: str = "") -> dict:
    device = getattr(request, "device", None)
    return {
        # The device (and its store) comes from the stores middleware's cache: no query here.
        "store": device.store if device else None,
        "modes": kiosk_session.modes(request),
        "timings": kiosk_session.timings(),
        "screen": screen,
        "has_cart": bool(kiosk_session.cart_id(request)),
        "is_english": is_english(),
        # A call waiting for staff: every screen keeps asking whether it was acknowledged.
        "staff_call_open": kiosk_session.staff_call(request) is not None,
    }


# --- menu -----------------------------------------------------------------------------------------


def menu_context(request, cart, category: str) -> dict:
    """Tabs: recommended first (by rank), then each category with something on sale here."""
    menu = inventory.menu_for_store(request.device.store, channel=CHANNEL)
    tabs = []
    if menu.recommended:
        tabs.append({"key": RECOMMENDED, "label": _("추천"), "items": menu.recommended})
    for group in menu.categories:
        items = menu.items_in(group.id)
        if items:
            tabs.append({"key": str(group.id), "label": localized_name(group), "items": items})
    if not tabs and menu.items:
        tabs.append({"key": "all", "label": _("전체"), "items": menu.items})
    active = next((t for t in tabs if t["key"] == category), tabs[0] if tabs else None)
    return {
        **base_context(request, screen="menu"),
        "tabs": tabs,
        "active_tab": active,
        "menu_version": menu.version,
        "summary": cart_summary(cart, store=request.device.store),
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


def preselected_option_ids(item) -> set[int]:
    """A required one-choice group (a size) starts on its first option that can be chosen, so the
    customer only touches it to change it; any other group starts empty."""
    chosen = set()
    for group in item.listing.option_groups:
        if group.max_choices == 1 and group.effective_min:
            first = next((option for option in group.options if option.available), None)
            if first is not None:
                chosen.add(first.id)
    return chosen


def product_context(request, cart, item, version: str, form) -> dict:
    selected = preselected_option_ids(item)
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
        "summary": cart_summary(cart, store=request.device.store),
        # Descriptions have no English field: an English screen shows one only if it has no Korean.
        "description": "" if is_english() and HANGUL.search(item.description) else item.description,
    }


# --- cart -----------------------------------------------------------------------------------------


def cart_summary(cart, *, store) -> dict:
    """Count and total for the bar at the bottom of the menu (display only)."""
    if not cart.lines:
        return {"count": 0, "total": 0}
    priced = carts.cart_priced(cart, store=store)
    return {"count": sum(line.qty for line in priced.lines if line.available), "total": priced.totals.get("total", 0)}


def cart_line(cart, line_id: str) -> dict | None:
    return next((line for line in cart.lines if line.get("lineId") == line_id), None)


def _localized_line(line, listing) -> dict:
    """A priced cart line as the customer reads it: names in their language (the cart keeps the
    Korean ones), and whether it can still be ordered."""
    options_by_id = {}
    if listing is not None:
        options_by_id = {option.id: option for group in listing.option_groups for option in group.options}
    return {
        "line_id": line.line_id,
        "product_id": line.product_id,
        "name": localized_name(listing) if listing is not None else line.name,
        "qty": line.qty,
        "net": line.net,
        "options": [
            {"name": localized_name(options_by_id.get(option["id"], option)), "price": option["price"]}
            for option in line.options
        ],
        "available": line.available,
        "problem_message": line.problem_message,
    }


def cart_view_model(cart, *, store) -> dict:
    """The cart's lines and totals, and whether it may go to payment: only when every line can be
    ordered and there is something to pay (a sold-out line is never paid around, nor a 0원 order)."""
    if not cart.lines:
        return {"lines": [], "totals": {"total": 0, "gross": 0, "discount": 0}, "unavailable": 0, "can_pay": False}
    # One read of the listings (the menu-version cache) serves the prices and the names.
    listings = carts.cart_listings(store, {line["productId"] for line in cart.lines})
    priced = carts.cart_priced(cart, store=store, listings=listings)
    lines = [_localized_line(line, listings.get(line.product_id)) for line in priced.lines]
    unavailable = sum(1 for line in lines if not line["available"])
    return {
        "lines": lines,
        "totals": priced.totals,
        "unavailable": unavailable,
        "can_pay": unavailable == 0 and priced.totals.get("total", 0) > 0,
    }


def cart_context(request, cart) -> dict:
    return {
        **base_context(request, screen="cart"),
        **cart_view_model(cart, store=request.device.store),
        "cart": cart,
        "service_type": cart.meta.get("service_type", ""),
        "menu_version": inventory.menu_version(request.device.store),
    }


def offered_methods(methods) -> list:
    """The store's kiosk methods that can work here: Toss only when its keys are configured."""
    return [
        m
        for m in methods
        if m.kind != PaymentMethod.Kind.TOSS or (settings.TOSS_SECRET_KEY and settings.TOSS_CLIENT_KEY)
    ]


def method_label(method) -> str:
    """The method's name in the customer's language: the owner's English name, else what its kind
    is called (the owner's name is Korean; a counter method's button adds "pay at the counter")."""
    if not is_english():
        return method.name
    return method.name_en or str(method.get_kind_display())


def pay_context(request, cart, methods) -> dict:
    context = cart_context(request, cart)
    context.update(
        screen="pay",
        methods=[
            {
                "method": m,
                "label": method_label(m),
                "online": is_online_card(m),
                "simulated": m.kind == PaymentMethod.Kind.SIMULATED,
            }
            for m in methods
        ],
    )
    return context


def is_online_card(method) -> bool:
    return method.kind in GATEWAY_KINDS


def placement_error_message(err: DomainError) -> str:
    """Name the items that sold out since they went into the cart (409 OUT_OF_STOCK / SOLD_OUT)."""
    products = (err.details or {}).get("products") or []
    names = [p.get("name") for p in products if p.get("name")]
    if names:
        return _("죄송합니다. 다음 상품이 품절되었습니다: %(names)s. 수량을 줄이거나 빼 주세요.") % {
            "names": ", ".join(names)
        }
    return err.message


# --- staff call -------------------------------------------------------------------------------------

STAFF_CALL_PENDING = "pending"
STAFF_CALL_ACKNOWLEDGED = "acknowledged"
STAFF_CALL_GONE = "gone"


def staff_call_state(store, call: dict) -> str:
    """Whether staff answered this kiosk's call. A POS acknowledging a call deletes it, and so does
    its TTL: a call gone before its TTL ran out was acknowledged; one older than that just expired."""
    if any(pending["id"] == call["id"] for pending in staff_calls.staff_calls_pending(store)):
        return STAFF_CALL_PENDING
    try:
        created_at = datetime.fromisoformat(call["created_at"])
    except (TypeError, ValueError):
        return STAFF_CALL_GONE
    if timezone.now() - created_at < timedelta(seconds=staff_calls.staff_call_ttl_seconds()):
        return STAFF_CALL_ACKNOWLEDGED
    return STAFF_CALL_GONE


# --- order and payment -----------------------------------------------------------------------------


class PaymentState:
    """Where a kiosk order stands for its customer (the JSON status poll answers these)."""

    PAID = "paid"
    FAILED = "failed"
    PENDING = "pending"
    AT_COUNTER = "counter"


def payment_state(order) -> str:
    """PAID, FAILED, PENDING (card in progress) or AT_COUNTER (to be paid at the POS)."""
    if order.status in PAID_ORDER_STATUSES:
        return PaymentState.PAID
    if order.status in ENDED_ORDER_STATUSES:
        return PaymentState.FAILED
    payment = payments.latest_payment(order)
    if payment is None or payment.kind not in GATEWAY_KINDS:
        return PaymentState.AT_COUNTER
    if payment.status in FINAL_FAILURES:
        return PaymentState.FAILED
    return PaymentState.PENDING


def open_card_payment(order):
    """The order's card payment whose window was opened but never finished, if any."""
    payment = payments.latest_payment(order)
    if payment is not None and payment.kind in GATEWAY_KINDS and payment.status == PaymentStatus.READY:
        return payment
    return None


def payment_failure_message(order) -> str:
    payment = payments.latest_payment(order)
    if order.status == OrderStatus.EXPIRED:
        return _("결제 시간이 지났습니다. 장바구니에서 다시 결제해 주세요.")
    if payment is not None and payment.status == PaymentStatus.ABORTED:
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
        "payments": [p for p in payments.payments_for_order(order) if p.status in COMPLETED],
    }
