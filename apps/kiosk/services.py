"""The kiosk's writes: each customer action that reaches into several apps is one service here, so
the views only scope, validate and render."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.carts import services as carts
from apps.carts.cart import Cart
from apps.carts.services import CartState
from apps.core.errors import Conflict, DomainError, NotFound
from apps.orders import services as orders
from apps.orders.models import Order, OrderStatus
from apps.payments import services as payments
from apps.payments.models import PaymentMethod
from apps.stores import staff_calls
from apps.stores.models import Device

from . import screens

__all__ = [
    "CardNotStarted",
    "CheckoutStarted",
    "cart_abandon_current",
    "cart_line_change",
    "cart_unavailable_remove",
    "checkout_start",
    "customer_start",
    "order_cart_return",
    "staff_call_raise",
]


def cart_abandon_current(cart_id: str | None, *, device: Device) -> None:
    """Give up the customer's cart, if any. A cart already in CHECKOUT belongs to a placed order
    (the expiry task or the POS settles it), so it is left alone."""
    if not cart_id:
        return
    try:
        cart = carts.cart_get(cart_id, device=device)
        if cart.state == CartState.ACTIVE:
            carts.cart_abandon(cart_id, device=device)
    except DomainError:
        pass  # gone already (TTL) or moved on: nothing to abandon


def customer_start(device: Device, *, previous_cart_id: str | None, service_type: str) -> Cart:
    """A new customer chose dine-in or takeout: the previous customer's cart is given up and a
    new one starts with the service type."""
    cart_abandon_current(previous_cart_id, device=device)
    cart = carts.cart_create(store=device.store, device=device, channel=screens.CHANNEL)
    return carts.cart_update_meta(cart.id, device=device, service_type=service_type)


class LineAction:
    INC = "inc"
    DEC = "dec"
    REMOVE = "remove"
    SET = "set"

    ALL = (INC, DEC, REMOVE, SET)


def cart_line_change(cart: Cart, line_id: str, *, device: Device, action: str, qty: int | None = None) -> Cart:
    """The cart screen's + / − / 삭제 (and a typed quantity) on one line; − on the last one removes
    it. A line that can no longer be ordered can only shrink: its + is refused here too, not just
    greyed out on the screen."""
    line = next((line for line in cart.lines if line.get("lineId") == line_id), None)
    if line is None:
        raise NotFound("LINE_NOT_FOUND", _("장바구니에 그 상품 줄이 없습니다."))
    current = int(line.get("qty") or 0)
    if action == LineAction.REMOVE or (action == LineAction.DEC and current <= 1):
        return carts.cart_line_remove(cart.id, line_id, device=device)
    new_qty = {LineAction.INC: current + 1, LineAction.DEC: current - 1, LineAction.SET: qty}[action]
    if new_qty is not None and new_qty > current:
        view = screens.cart_view_model(cart, store=device.store)
        if any(item["line_id"] == line_id and not item["available"] for item in view["lines"]):
            raise Conflict("LINE_UNAVAILABLE", _("지금 주문할 수 없는 상품이라 더 담을 수 없습니다."))
    return carts.cart_line_update(cart.id, line_id, device=device, qty=new_qty)


class CardNotStarted(DomainError):
    """The card window could not even open (provider not configured, nothing due). The order gave
    the cart back, so the customer can choose again."""


@dataclass(frozen=True)
class CheckoutStarted:
    order: Order
    # Where the customer's browser goes: the card window, or "" to pay at the counter.
    card_url: str

    @property
    def at_counter(self) -> bool:
        return not self.card_url


def checkout_start(cart_id: str, *, device: Device, method: PaymentMethod) -> CheckoutStarted:
    """Place the cart's order and start paying it with `method`.

    Raises the placement's DomainError when something in the cart can no longer be sold (the cart
    stays as it is), or CardNotStarted when the card window could not open."""
    order, _created = orders.order_place(cart_id, device=device)
    if not screens.is_online_card(method):
        open_card = screens.open_card_payment(order)
        if open_card is not None:
            # The card window was opened and left (browser back): close that attempt first, or the
            # order would look "card in progress" forever. Closing it hands the cart back, so the
            # order is placed again from the cart as it is.
            payments.payment_return_fail(
                order_id=open_card.public_id, code="CHANGED_TO_COUNTER", message=_("카운터 결제로 변경")
            )
            order, _created = orders.order_place(cart_id, device=device)
        # "Pay at the counter": the order waits as PENDING_PAYMENT for the POS to settle it.
        return CheckoutStarted(order=order, card_url="")
    try:
        payment = payments.payment_create(order, method, device=device, channel=screens.CHANNEL)
        url = payments.payment_checkout_url(
            payment,
            success_next=reverse("kiosk:order_processing", args=[order.public_id]),
            fail_next=reverse("kiosk:order_failed", args=[order.public_id]),
        )
    except DomainError as err:
        orders.order_payment_failed(order)
        raise CardNotStarted(err.code, err.message, status=err.status, details=err.details) from err
    return CheckoutStarted(order=order, card_url=url)


def order_cart_return(order: Order, *, device: Device) -> str | None:
    """The card failed or was cancelled: the customer gets the order's cart back, every line in it.
    Returns the cart id to continue with (None when the cart is gone or already paid)."""
    if not order.cart_id:
        return None
    try:
        cart = carts.cart_get(order.cart_id, device=device)
    except DomainError:
        return None  # gone with its TTL, or another terminal's: nothing to give back
    if cart.state == CartState.CHECKOUT and order.status == OrderStatus.PENDING_PAYMENT:
        # The payments fail page normally did this already; doing it here too makes the kiosk
        # right even if the customer came back some other way (browser back, timeout).
        orders.order_payment_failed(order)
    if cart.state in (CartState.ACTIVE, CartState.CHECKOUT):
        return cart.id
    return None


def cart_unavailable_remove(cart_id: str, *, device: Device) -> int:
    """Take every line that can no longer be ordered (sold out since it was added) out of the cart;
    returns how many. One touch for the customer instead of a 삭제 per line."""
    cart = carts.cart_get(cart_id, device=device)
    removed = 0
    for line in screens.cart_view_model(cart, store=device.store)["lines"]:
        if line["available"]:
            continue
        try:
            carts.cart_line_remove(cart_id, line["line_id"], device=device)
        except DomainError as err:
            if err.code != "LINE_NOT_FOUND":
                raise
            continue  # removed meanwhile (a second touch): what was wanted anyway
        removed += 1
    return removed


def staff_call_raise(device: Device, *, open_call_id: str | None) -> tuple[dict, bool]:
    """Call staff from this kiosk: (the call, whether it is the call already open). A second touch
    while staff are on their way is the same call, and the customer is told so."""
    call = staff_calls.staff_call_create(device.store, device)
    return call, call["id"] == open_call_id
