"""Today's orders (business day), search by number or amount, order detail and refunds."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.core.errors import DomainError, Invalid
from apps.orders import selectors as order_selectors
from apps.orders.models import OrderStatus
from apps.payments import selectors as payment_selectors
from apps.payments import services as payment_services
from apps.stores.business_day import business_date_for

from .auth import staff_required
from .helpers import domain_errors, manager_approval, page_or_partial, parse_int, redirect_after_post

REFUNDABLE = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)
LIST_LIMIT = 300


@require_GET
@staff_required
def order_list(request):
    store = request.device.store
    day = business_date_for(store)
    orders = order_selectors.orders_for_business_day(store, day).exclude(status=OrderStatus.OPEN)
    number = request.GET.get("number", "").strip()
    amount = request.GET.get("amount", "").strip().replace(",", "")
    error = ""
    if number:
        if number.lstrip("#").isdigit():
            orders = orders.filter(order_number=int(number.lstrip("#")))
        else:
            error = _("주문 번호는 숫자로 입력하세요.")
    if amount:
        if amount.isdigit():
            orders = orders.filter(total_amount=int(amount))
        else:
            error = _("금액은 숫자로 입력하세요.")
    context = {
        "section": "orders",
        "business_date": day,
        "orders": list(orders.order_by("-order_number")[:LIST_LIMIT]) if not error else [],
        "number": number,
        "amount": request.GET.get("amount", ""),
        "search_error": error,
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
    }
    context.update(extra)
    return context


@require_GET
@staff_required
@domain_errors
def order_detail(request, public_id: str):
    order = order_selectors.order_for_store(request.device.store, public_id)
    return page_or_partial(
        request, "pos/order_detail.html", "pos/partials/order_detail_body.html", detail_context(request, order)
    )


@require_POST
@staff_required
@domain_errors
def order_refund(request, public_id: str):
    """Refund the whole order or chosen lines/quantities, with a reason and a manager's PIN."""
    order = order_selectors.order_for_store(request.device.store, public_id)
    if order.status not in REFUNDABLE:
        raise DomainError("ORDER_NOT_REFUNDABLE", _("환불할 수 없는 주문입니다."), status=409)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        raise Invalid("REASON_REQUIRED", _("환불 사유를 입력하세요."))
    mode = request.POST.get("mode", "all")
    line_quantities: dict[int, int] | None = None
    if mode == "lines":
        line_quantities = {}
        for line in order.lines.all():
            raw = request.POST.get(f"qty_{line.pk}", "").strip()
            if not raw or raw == "0":
                continue
            qty = parse_int(
                raw,
                code="REFUND_INVALID_LINES",
                message=_("환불 수량이 올바르지 않습니다."),
                minimum=0,
                maximum=line.quantity - line.refunded_quantity,
            )
            if qty:
                line_quantities[line.pk] = qty
        if not line_quantities:
            raise Invalid("REFUND_NO_LINES", _("환불할 상품과 수량을 고르세요."))
    elif mode != "all":
        raise Invalid("REFUND_INVALID_MODE", _("전체 환불 또는 상품별 환불을 고르세요."))
    approver = manager_approval(request, request.POST.get("manager_pin", "").strip())
    if approver.pk != request.member.pk:
        reason = f"{reason} ({_('요청')}: {request.member.display_name})"
    payment_services.payment_refund(
        order,
        line_quantities=line_quantities,
        reason=reason[:200],
        restock=request.POST.get("restock") in ("1", "on", "true"),
        member=approver,
    )
    if request.htmx:
        order = order_selectors.order_for_store(request.device.store, public_id)
        context = detail_context(request, order, saved=_("환불했습니다."))
        return page_or_partial(request, "pos/order_detail.html", "pos/partials/order_detail_body.html", context)
    return redirect_after_post(request, reverse("pos:order_detail", args=[order.public_id]) + "?refunded=1")
