"""Today's orders (business day), search by number or amount, order detail and refunds."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.core.errors import DomainError
from apps.core.fields import clean_or_raise, form_error
from apps.orders import selectors as order_selectors
from apps.orders.models import OrderStatus
from apps.payments import selectors as payment_selectors
from apps.payments import services as payment_services
from apps.stores.business_day import business_date_for

from .auth import staff_required
from .constants import pos_constants
from .forms import OrderSearchForm, RefundForm
from .helpers import domain_errors, manager_approval, page_or_partial, path_token, redirect_after_post

REFUNDABLE = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)
LIST_LIMIT = 300


@require_GET
@staff_required
def order_list(request):
    store = request.device.store
    day = business_date_for(store)
    orders = order_selectors.orders_for_business_day(store, day).exclude(status=OrderStatus.OPEN)
    # An order canceled to be changed shares its number with the order that replaced it: the list
    # shows that number once, as the live order.
    live_numbers = orders.exclude(status=OrderStatus.CANCELED).values("order_number")
    orders = orders.exclude(Q(status=OrderStatus.CANCELED) & Q(order_number__in=live_numbers))
    search = OrderSearchForm(request.GET)
    error = ""
    if not search.is_valid():
        error = form_error(search).message
    else:
        if search.cleaned_data["number"] is not None:
            orders = orders.filter(order_number=search.cleaned_data["number"])
        if search.cleaned_data["amount"] is not None:
            orders = orders.filter(total_amount=search.cleaned_data["amount"])
    number = request.GET.get("number", "").strip()
    context = {
        "section": "orders",
        "business_date": day,
        "orders": list(orders.order_by("-order_number")[:LIST_LIMIT]) if not error else [],
        "number": number,
        "amount": request.GET.get("amount", ""),
        "search_error": error,
        **pos_constants(),
    }
    return page_or_partial(
        request, "pos/orders.html", "pos/partials/order_rows.html", context, status=422 if error else 200
    )


def detail_context(request, order, **extra) -> dict:
    lines = list(order.lines.all())
    context = {
        "section": "orders",
        "order": order,
        "lines": lines,
        "payments": payment_selectors.payments_for_order(order),
        "refunds": [r for p in payment_selectors.payments_for_order(order) for r in p.refunds.all()],
        "refundable": order.status in REFUNDABLE,
        "refundable_amount": order.total_amount - order.refunded_amount,
        "line_rows": [{"line": line, "left": line.quantity - line.refunded_quantity} for line in lines],
        **pos_constants(),
    }
    context.update(extra)
    return context


@require_GET
@staff_required
@domain_errors
def order_detail(request, public_id: str):
    order = order_selectors.order_for_store(request.device.store, path_token(public_id, code="ORDER_NOT_FOUND"))
    return page_or_partial(
        request, "pos/order_detail.html", "pos/partials/order_detail_body.html", detail_context(request, order)
    )


@require_POST
@staff_required
@domain_errors
def order_refund(request, public_id: str):
    """Refund the whole order or chosen lines/quantities, with a reason and a manager's PIN."""
    order = order_selectors.order_for_store(request.device.store, path_token(public_id, code="ORDER_NOT_FOUND"))
    if order.status not in REFUNDABLE:
        raise DomainError("ORDER_NOT_REFUNDABLE", _("환불할 수 없는 주문입니다."), status=409)
    data = clean_or_raise(RefundForm(request.POST, lines=order.lines.all()))
    reason = data["reason"]
    approver = manager_approval(request, data["manager_pin"])
    if approver.pk != request.member.pk:
        reason = f"{reason} ({_('요청')}: {request.member.display_name})"
    payment_services.payment_refund(
        order,
        line_quantities=data["line_quantities"],
        reason=reason[:200],
        restock=data["restock"],
        member=approver,
    )
    if request.htmx:
        order = order_selectors.order_for_store(request.device.store, order.public_id)
        context = detail_context(request, order, saved=_("환불했습니다."))
        return page_or_partial(request, "pos/order_detail.html", "pos/partials/order_detail_body.html", context)
    return redirect_after_post(request, reverse("pos:order_detail", args=[order.public_id]) + "?refunded=1")
