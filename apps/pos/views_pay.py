"""Checkout and paying at the counter: cash with change, card terminal, simulated/Toss card, split.

A payment form carries a one-time key (state.form_key_*): the first submission pays, a double
click or a resubmitted form only shows what the first one did.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.carts import services as cart_services
from apps.carts.cart import CartChannel
from apps.core.errors import Conflict, DomainError, Invalid
from apps.core.fields import clean_or_raise
from apps.core.htmx import push_url, redirect_htmx_aware
from apps.orders import selectors as order_selectors
from apps.orders import services as order_services
from apps.orders.models import Order, OrderStatus
from apps.payments import selectors as payment_selectors
from apps.payments import services as payment_services
from apps.payments import shifts as shift_services
from apps.payments.models import PaymentMethod, PaymentStatus
from apps.payments.state import COMPLETED, GATEWAY_KINDS

from . import split_plan, state
from .auth import staff_required
from .cart_view import current_cart
from .cash import quick_cash_amounts
from .constants import HOLDING, pos_constants
from .forms import CheckoutForm, PayForm, PayKeyForm, ReceiptQueryForm
from .helpers import domain_errors, path_token

PAYABLE = (OrderStatus.PENDING_PAYMENT,)
# Card payments finished in a payment window (the simulated one, Toss's or PortOne's).
BROWSER_CARD_KINDS = GATEWAY_KINDS


def _order(request, public_id: str) -> Order:
    # Another store's order is a 404 exactly like a missing one (and so is a malformed id).
    return order_selectors.order_for_store(request.device.store, path_token(public_id, code="ORDER_NOT_FOUND"))


def pay_context(request, order: Order, **extra) -> dict:
    payments = payment_selectors.payments_for_order(order)
    due = payment_selectors.amount_due(order) if order.status in PAYABLE else 0
    methods = payment_selectors.methods_for_channel(request.device.store, CartChannel.POS)
    forms = [{"method": m, "key": state.form_key_issue(request.device)} for m in methods] if due else []
    done = [p for p in payments if p.status in HOLDING]
    # Change is due only for the payment that produced it, at that moment: after a cash part of a
    # split, a later card part must not show the cash part's change again (handed out twice).
    finishing = done[-1] if done else None
    last_change = finishing.change if finishing and finishing.kind == PaymentMethod.Kind.CASH else 0
    paid = sum(p.amount for p in done)
    if order.table_id:
        # A tab split by chosen lines: name the items each payment paid for.
        names = {line.pk: f"{line.name} × {line.quantity}" for line in order.lines.all() if not line.void_of_id}
        for payment in payments:
            payment.covered = [names[i] for i in payment.line_ids or () if i in names]
    # A tab split on the tables screen: offer the current part's amount, not the whole due.
    # (Paid as amount_paid counts it, the measure the plan was saved with: the total less the due.)
    split = split_plan.split_plan_next(order, paid=order.total_amount - due, due=due) if order.table_id else None
    context = {
        "section": "sell",
        "order": order,
        "lines": list(order.lines.all()),
        "payments": payments,
        "paid": paid,
        "due": due,
        "split": split,
        "prefill": split["amount"] if split else due,
        "method_forms": forms,
        "quick_cash": quick_cash_amounts(due),
        "is_paid": order.status not in PAYABLE,
        "last_change": last_change or 0,
        "store": request.device.store,
        "member": request.member,
        **pos_constants(),
    }
    context.update(extra)
    return context


def render_pay(request, order: Order, *, status: int = 200, **extra) -> HttpResponse:
    context = pay_context(request, order, **extra)
    if request.htmx:
        response = render(request, "pos/partials/pay_panel.html", context, status=status)
        return push_url(response, reverse("pos:pay", args=[order.public_id]))
    return render(request, "pos/pay.html", context, status=status)


def _require_shift(request) -> None:
    if shift_services.shift_current(request.device.store, request.device) is None:
        raise Conflict("SHIFT_NOT_OPEN", _("열린 근무가 없습니다. 먼저 시재금을 입력해 근무를 시작하세요."))


@require_POST
@staff_required
@domain_errors
def checkout(request):
    """Place the order for the cart on screen and show the pay screen."""
    _require_shift(request)
    cart = current_cart(request)
    if not cart.lines:
        raise Invalid("CART_EMPTY", _("결제할 상품이 없습니다."))
    version = clean_or_raise(CheckoutForm(request.POST))["cart_version"]
    if version is not None and version != cart.version:
        # The cashier saw another cart (a second tab changed it): show them the cart as it is now.
        raise Conflict("CART_CHANGED", _("장바구니가 바뀌었습니다. 확인 후 다시 결제하세요."))
    cart_services.cart_update_meta(cart.id, device=request.device, member_id=request.member.pk)
    order, _created = order_services.order_place(cart.id, device=request.device, member=request.member)
    if not request.htmx:
        return redirect("pos:pay", public_id=order.public_id)
    return render_pay(request, order)


@require_GET
@staff_required
@domain_errors
def pay_page(request, public_id: str):
    return render_pay(request, _order(request, public_id))


def _payment_kwargs(request, method: PaymentMethod, due: int, data: dict) -> dict:
    amount = due if data["amount"] is None else data["amount"]
    if not 1 <= amount <= due:
        raise Invalid("INVALID_AMOUNT", _("결제 금액은 1원 이상, 남은 금액 이하여야 합니다."))
    kwargs: dict = {"amount": amount, "member": request.member, "device": request.device}
    if method.kind == PaymentMethod.Kind.CASH:
        tendered = amount if data["tendered_amount"] is None else data["tendered_amount"]
        if tendered < amount:
            raise Invalid("TENDERED_TOO_LOW", _("받은 금액이 결제 금액보다 적습니다."))
        kwargs["tendered"] = tendered
    elif method.kind == PaymentMethod.Kind.CARD_TERMINAL:
        if not data["approval_number"]:
            raise Invalid("APPROVAL_REQUIRED", _("카드 단말기의 승인 번호를 입력하세요."))
        kwargs["approval_number"] = data["approval_number"][:30]
        kwargs["card_company"] = data["card_company"][:50]
    return kwargs


@require_POST
@staff_required
@domain_errors
def pay(request, public_id: str):
    order = _order(request, public_id)
    key_form = PayKeyForm(request.POST)
    key = key_form.cleaned_data["form_key"] if key_form.is_valid() else ""
    claim, result = state.form_key_claim(request.device, key)
    if claim == state.FormKeyState.DONE:
        # A double click or a resubmitted form: show what the first submission did, pay nothing.
        if result != "shown":
            return _go(request, result)  # it sent the browser to the card window: go there again
        return render_pay(request, order)
    if claim == state.FormKeyState.PENDING:
        raise Conflict("PAYMENT_IN_PROGRESS", _("이 결제를 처리하고 있습니다. 잠시 기다리세요."))
    if claim == state.FormKeyState.UNKNOWN:
        raise DomainError("FORM_EXPIRED", _("화면이 오래되었습니다. 새로고침 후 다시 결제하세요."), status=400)
    try:
        _require_shift(request)
        if order.status not in PAYABLE:
            raise Conflict(
                "ORDER_NOT_PAYABLE", _("결제할 수 없는 주문입니다 (%(s)s).") % {"s": order.get_status_display()}
            )
        data = clean_or_raise(PayForm(request.POST))
        method = payment_selectors.method_for_store(request.device.store, data["method_id"])
        if not method.is_active or CartChannel.POS not in (method.channels or []):
            raise Invalid("METHOD_NOT_OFFERED", _("POS에서 쓸 수 없는 결제 수단입니다."))
        due = payment_selectors.amount_open(order)
        if due <= 0:
            raise Conflict("NOTHING_DUE", _("남은 결제 금액이 없습니다."))
        kwargs = _payment_kwargs(request, method, due, data)
        if order.table_id:
            # A tab split by chosen lines: the payment records the lines of the part it pays.
            split = split_plan.split_plan_next(
                order, paid=order.total_amount - payment_selectors.amount_due(order), due=due
            )
            kwargs["line_ids"] = split["line_ids"] if split else ()
        payment = payment_services.payment_create(order, method, **kwargs)
    except DomainError:
        state.form_key_release(key)
        raise
    if method.kind in BROWSER_CARD_KINDS and payment.status == PaymentStatus.READY:
        back = reverse("pos:pay", args=[order.public_id])
        url = payment_services.payment_checkout_url(payment, success_next=back, fail_next=back)
        state.form_key_finish(key, url)
        return _go(request, url)
    state.form_key_finish(key, "shown")
    order.refresh_from_db()
    return render_pay(request, order, just_paid=payment)


def _go(request, url: str) -> HttpResponse:
    return redirect_htmx_aware(request, url)


@require_POST
@staff_required
@domain_errors
def order_cancel(request, public_id: str):
    """Back to the cart to change it: the unpaid order is canceled, the cart comes back."""
    order = _order(request, public_id)
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise Conflict("ORDER_NOT_CANCELABLE", _("결제 대기 중인 주문만 취소할 수 있습니다."))
    if payment_selectors.amount_paid(order) or payment_selectors.amount_open(order) != order.total_amount:
        raise Conflict(
            "ORDER_PARTLY_PAID", _("이미 일부 결제된 주문입니다. 남은 금액을 결제하거나 주문 내역에서 환불하세요.")
        )
    order_services.order_cancel(order, reason=_("POS에서 취소"))
    if order.cart_id:
        state.set_current_cart_id(request, order.cart_id)
    return redirect_htmx_aware(request, reverse("pos:home"))


@require_POST
@staff_required
def new_sale(request):
    """After a paid order: a fresh cart on screen."""
    state.set_current_cart_id(request, None)
    return redirect_htmx_aware(request, reverse("pos:home"))


# --- receipt ---------------------------------------------------------------------------------------------


@require_GET
@staff_required
@domain_errors
def receipt(request, public_id: str):
    order = _order(request, public_id)
    query = ReceiptQueryForm(request.GET)
    lines = list(order.lines.all())
    payments = [p for p in payment_selectors.payments_for_order(order) if p.status in COMPLETED]
    context = {
        "order": order,
        "lines": lines,
        "payments": payments,
        "paid": sum(p.amount for p in payments),
        "change": sum(p.change or 0 for p in payments),
        "simulated": any(p.is_simulated for p in payments),
        "auto_print": query.is_valid() and query.cleaned_data["auto_print"],
        "store": request.device.store,
        "member": request.member,
        "section": "orders",
        **pos_constants(),
    }
    return render(request, "pos/receipt.html", context)
