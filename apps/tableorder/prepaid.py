"""Pay first (선결제) from a guest's phone: the phone's cart is placed as an order on no table, paid
through the kiosk's payment flow (payment_create → the card window → payments' return pages → the
confirm task, or the reconcile beat when an answer was lost), and only once that order is PAID do
its lines and its payment land on the table's tab as the next round. A failed or abandoned payment
sends nothing: the order is canceled (or expires) and its stock comes back.

Landing is idempotent under the PrepaidRound row lock, so a confirm retried, a webhook and the
browser return, or a double tap land the round once. It runs after the payment commits (orders'
`order_paid`), and again whenever a phone at the table looks, so a lost signal only delays it; the
kitchen's tickets are made in the payment's own transaction either way and follow the lines onto
the tab (as after a merge), and the emptied order ends CANCELED, so it never counts as a sale.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import OperationalError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.carts.cart import CartState
from apps.core.errors import Conflict, DomainError, NotFound
from apps.discounts.models import Channel
from apps.orders import services as order_services
from apps.orders import tabs as tab_services
from apps.orders.models import Order, OrderStatus
from apps.payments import selectors as payment_selectors
from apps.payments import services as payment_services
from apps.payments.models import PaymentMethod
from apps.payments.providers.portone import portone_configured
from apps.payments.state import GATEWAY_KINDS
from apps.tables import selectors as table_selectors
from apps.tables.models import Table

from . import payments as prepaid_payments
from . import phone
from .models import PrepaidRound, PrepaidRoundStatus

logger = logging.getLogger(__name__)
PREPAID_MEMO = "QR 선결제 완료"  # shown on the POS tab screen next to the round's time
TABLE_CHANNEL = "TABLE"
LAND_ATTEMPTS = 3


class PrepaidState:
    LANDED = "landed"
    PENDING = "pending"
    FAILED = "failed"


def pay_first(table: Table) -> bool:
    return table_selectors.table_order_settings(table.store).pay_first


def _can_open(method) -> bool:
    # Toss and PortOne only with their keys (as the kiosk offers them): a window that cannot open
    # is no choice to give a guest.
    if method.kind == PaymentMethod.Kind.TOSS:
        return bool(settings.TOSS_SECRET_KEY and settings.TOSS_CLIENT_KEY)
    if method.kind == PaymentMethod.Kind.PORTONE:
        return portone_configured()
    return method.kind in GATEWAY_KINDS


def methods_for_phone(table: Table) -> list:
    """The store's card methods a phone can pay with (the browser's window: simulated, Toss, PortOne)."""
    return [m for m in payment_selectors.methods_for_channel(table.store, TABLE_CHANNEL) if _can_open(m)]


def _method(table: Table, method_id: int):
    method = next((m for m in methods_for_phone(table) if m.pk == method_id), None)
    if method is None:
        raise NotFound("PAYMENT_METHOD_NOT_FOUND", _("결제 수단을 찾을 수 없습니다."))
    return method


def prepaid_checkout_start(request, table: Table, *, method_id: int, guests: int | None, token: str) -> str:
    """ "결제하고 주문하기": place the phone's cart as a pay-first order and open the card window.
    Returns where to send the browser. A second tap on the same basket gets the same order (and a
    new window for it, which supersedes the first one's if that never came back)."""
    if not pay_first(table):
        raise Conflict("PAY_FIRST_OFF", _("이 매장은 식사 후 계산합니다. '주문하기'를 눌러 주세요."))
    reason = phone.ordering_closed_reason(table)
    if reason:
        raise DomainError("ORDERING_CLOSED", reason, status=409)
    tab = tab_services.tab_for_table(table)
    if tab is not None and tab.status != OrderStatus.OPEN:
        raise Conflict("TAB_FROZEN", _("계산 중이라 지금은 주문할 수 없습니다. 직원을 불러 주세요."))
    method = _method(table, method_id)
    cart = phone.phone_cart_any_state(request, table)
    if cart is None or not cart.lines:
        raise DomainError("BASKET_EMPTY", _("주문할 메뉴를 먼저 담아 주세요."), status=422)
    phone.check_round_size(table, cart.lines)
    # A basket already in checkout is the same round being paid again: it takes no new turn.
    slot = phone.round_limit_take(request, table) if cart.state == CartState.ACTIVE else None
    try:
        order, _created = tab_services.tab_prepaid_order_place(table, cart.id)
        PrepaidRound.objects.get_or_create(
            order=order, defaults={"table": table, "guests": guests, "phone": phone.phone_tag(request)}
        )
        success = reverse("tableorder:phone_paid", args=[token, order.public_id])
        failed = reverse("tableorder:phone_pay_failed", args=[token, order.public_id])
        try:
            payment = payment_services.payment_create(order, method, channel=TABLE_CHANNEL)
        except DomainError as err:
            if err.code == "NOTHING_DUE":
                return success  # this basket's payment is already being confirmed: wait for it
            # The card could not even start (e.g. Toss keys missing): the basket comes back.
            order_services.order_payment_failed(order)
            raise
        return payment_services.payment_checkout_url(payment, success_next=success, fail_next=failed)
    except DomainError:
        if slot is not None:
            phone.round_limit_release(slot)
        raise


def landed_round_ids(tab: Order | None) -> set[int]:
    """The tab's rounds that were paid from a phone before they were sent."""
    if tab is None:
        return set()
    return set(
        PrepaidRound.objects.filter(tab=tab, status=PrepaidRoundStatus.LANDED).values_list("round_id", flat=True)
    )


def tab_due(tab: Order) -> int:
    return payment_selectors.amount_due(tab)


def basket_being_paid(request, table: Table):
    """This phone's basket when it is in checkout for a pay-first order still waiting for payment."""
    cart = phone.phone_cart_any_state(request, table)
    if cart is None or cart.state != CartState.CHECKOUT:
        return None
    waiting = PrepaidRound.objects.filter(
        table=table, order__cart_id=cart.id, order__status=OrderStatus.PENDING_PAYMENT
    ).exists()
    return cart if waiting else None


def prepaid_for_phone(table: Table, public_id: str) -> PrepaidRound:
    """This table's pay-first round by its order's public id; another table's is a 404."""
    prepaid = (
        PrepaidRound.objects.select_related("order", "round")
        .filter(table=table, order__public_id=str(public_id)[:64])
        .first()
    )
    if prepaid is None:
        raise NotFound("ORDER_NOT_FOUND", _("주문을 찾을 수 없습니다."))
    return prepaid


def prepaid_state(prepaid: PrepaidRound) -> str:
    """Landed, still being paid, or failed (nothing was sent); lands a paid one that has not yet."""
    if prepaid.status == PrepaidRoundStatus.LANDED:
        return PrepaidState.LANDED
    order = Order.objects.get(pk=prepaid.order_id)
    if order.status == OrderStatus.PAID:
        landed = prepaid_round_land(order.pk)
        if landed is not None and landed.status == PrepaidRoundStatus.LANDED:
            prepaid.refresh_from_db()
            return PrepaidState.LANDED
        return PrepaidState.PENDING
    if order.status in (OrderStatus.CANCELED, OrderStatus.EXPIRED):
        return PrepaidState.FAILED
    if prepaid_payments.payment_failed(order):
        return PrepaidState.FAILED
    return PrepaidState.PENDING


def prepaid_payment_abandon(prepaid: PrepaidRound) -> None:
    """The card window failed or was closed: cancel the order (its stock back, the basket back to
    the phone) unless a payment of it is in flight or done, which the confirm or reconcile settles."""
    order = Order.objects.get(pk=prepaid.order_id)
    if order.status != OrderStatus.PENDING_PAYMENT or prepaid_payments.payment_in_flight_or_done(order):
        return
    for window in prepaid_payments.payments_ready(order):
        # A window still open (the guest came here some other way): closed first, as the kiosk
        # does, so a late approval in it cannot capture for a canceled order.
        payment_services.payment_return_fail(order_id=window.public_id, code="PAY_PROCESS_CANCELED")
    try:
        order_services.order_cancel(order, reason="pay-first payment not completed")
    except DomainError:
        pass  # paid or canceled a moment ago: its own path decides


def prepaid_round_land(order_id: int) -> PrepaidRound | None:
    """Land a PAID pay-first order on its table's tab, with its payment, exactly once."""
    with transaction.atomic():
        # Only this row is locked (of=self): the table and tab are locked later, in the tabs' order.
        prepaid = (
            PrepaidRound.objects.select_for_update(of=("self",))
            .select_related("table", "table__store")
            .filter(order_id=order_id)
            .first()
        )
        if prepaid is None or prepaid.status == PrepaidRoundStatus.LANDED:
            return prepaid
        paid = Order.objects.get(pk=order_id)
        if paid.status != OrderStatus.PAID:
            return prepaid
        line_ids = list(paid.lines.values_list("pk", flat=True))
        tab, round_ = tab_services.tab_prepaid_round_land(paid, prepaid.table, guests=prepaid.guests, memo=PREPAID_MEMO)
        prepaid_payments.payments_follow_round(paid, tab, line_ids)
        prepaid.status, prepaid.tab, prepaid.round, prepaid.landed_at = (
            PrepaidRoundStatus.LANDED,
            tab,
            round_,
            timezone.now(),
        )
        prepaid.save(update_fields=["status", "tab", "round", "landed_at"])
    return prepaid


def prepaid_land_waiting(table: Table) -> int:
    """Land any paid round of this table that is still waiting (its `order_paid` was lost)."""
    waiting = PrepaidRound.objects.filter(
        table=table, status=PrepaidRoundStatus.WAITING, order__status=OrderStatus.PAID
    ).values_list("order_id", flat=True)
    return sum(1 for order_id in list(waiting) if prepaid_round_land(order_id) is not None)


def on_order_paid(sender, order: Order, **kwargs) -> None:
    """orders' `order_paid` (on commit): a pay-first order lands on its tab now."""
    if order.channel != Channel.TABLE or order.table_id is not None:
        return  # not a pay-first order (placed from a phone, on no table): no query (issue 18)
    if not PrepaidRound.objects.filter(order_id=order.pk, status=PrepaidRoundStatus.WAITING).exists():
        return
    for attempt in range(LAND_ATTEMPTS):
        try:
            prepaid_round_land(order.pk)
            return
        except OperationalError:
            # A lock conflict the database broke up (the landing rolled back whole): once more.
            if attempt == LAND_ATTEMPTS - 1:
                logger.exception("pay-first order %s did not land on its tab", order.pk)
            else:
                logger.warning("pay-first order %s: landing retried after a lock conflict", order.pk, exc_info=True)
        except Exception:
            # The payment is safe; a phone at the table looking at its tab lands it.
            logger.exception("pay-first order %s did not land on its tab", order.pk)
            return
