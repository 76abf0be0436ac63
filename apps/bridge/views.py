"""The bridge on the POS: the status banner, "open drawer" (manager PIN), printing a receipt or an
interim bill again, and the card terminal payment with nothing typed."""

from __future__ import annotations

import time

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.core.errors import NotFound
from apps.core.fields import clean_or_raise
from apps.orders import selectors as order_selectors
from apps.orders.models import OrderStatus
from apps.payments.models import PaymentMethod, PaymentStatus
from apps.pos.auth import staff_required
from apps.pos.helpers import domain_errors, manager_approval, path_id, path_token
from apps.stores.decorators import device_required
from apps.stores.models import Device

from . import selectors, services
from .forms import DrawerForm, OrderToolsForm, PrintForm, TerminalChargeForm
from .models import JobStatus

POS = Device.Kind.POS
# A card approval still moving: the job is with the bridge, or its payment waits for a net-cancel.
OPEN_JOB = (JobStatus.QUEUED, JobStatus.SENT)
OPEN_PAYMENT = (PaymentStatus.IN_PROGRESS, PaymentStatus.UNKNOWN)


def _message(request, text: str, *, status: int = 200):
    return render(request, "bridge/partials/message.html", {"text": text}, status=status)


@require_GET
@device_required(POS)
def status(request):
    """The banner (polled by htmx every few seconds): empty while all is well."""
    context = {"bridge": selectors.bridge_status(request.device.store_id, now=time.time())}
    return render(request, "bridge/partials/status_body.html", context)


@require_GET
@staff_required
def drawer_panel(request):
    """The "open drawer" menu in the POS header, only where a receipt printer has a drawer: loaded by htmx after
    the page so a store without a bridge pays no query on its POS pages (they have a query budget)."""
    has_drawer = selectors.receipt_printer(request.device.store, drawer=True) is not None
    return render(request, "bridge/partials/drawer_panel.html", {"has_drawer": has_drawer})


@require_GET
@staff_required
@domain_errors
def order_tools(request, public_id: str):
    """The bridge's buttons for one order, loaded by htmx like the drawer: the card terminal on the pay
    screen (when the store has a terminal on a paired bridge; manual entry stays next to it), a
    receipt again on the paid and order screens and the interim bill on a tab (when it has a printer)."""
    data = clean_or_raise(OrderToolsForm(request.GET))
    store = request.device.store
    order = order_selectors.order_for_store(store, path_token(public_id))
    place = data["place"]
    context: dict = {"order": order, "place": place, "amount": data["amount"]}
    if place == OrderToolsForm.PAY and data["method"] and order.status == OrderStatus.PENDING_PAYMENT:
        context["method"] = PaymentMethod.objects.filter(
            store=store, pk=data["method"], kind=PaymentMethod.Kind.CARD_TERMINAL, is_active=True
        ).first()
        paired = selectors.terminals_for_store(store).filter(bridge__paired_at__isnull=False)
        context["terminal"] = context["method"] is not None and paired.exists()
    else:
        printer = selectors.receipt_printer(store) is not None
        context["receipt"] = printer and place != OrderToolsForm.TAB and order.status != OrderStatus.PENDING_PAYMENT
        context["bill"] = printer and place == OrderToolsForm.TAB
    return render(request, "bridge/partials/order_tools.html", context)


@require_POST
@staff_required
@domain_errors
def drawer(request):
    data = clean_or_raise(DrawerForm(request.POST), code="WRONG_PIN", status=403)
    approver = manager_approval(request, data["manager_pin"])
    services.drawer_open(request.device.store, approver=approver)
    return _message(request, _("돈통 열기를 보냈습니다."))


@require_POST
@staff_required
@domain_errors
def order_print(request, public_id: str):
    data = clean_or_raise(PrintForm(request.POST))
    order = order_selectors.order_for_store(request.device.store, path_token(public_id))
    if data["kind"] == PrintForm.BILL:
        services.bill_queue(order)
        return _message(request, _("중간 계산서를 프린터로 보냈습니다."))
    if services.receipt_queue(order, reprint=True) is None:
        return _message(request, _("연결된 영수증 프린터가 없습니다."), status=409)
    return _message(request, _("영수증을 프린터로 보냈습니다."))


@require_POST
@staff_required
@domain_errors
def terminal_charge(request, public_id: str):
    """Send the order's open amount (or `amount`) to the card terminal."""
    data = clean_or_raise(TerminalChargeForm(request.POST))
    store = request.device.store
    order = order_selectors.order_for_store(store, path_token(public_id))
    method = PaymentMethod.objects.filter(
        store=store, pk=data["method"], kind=PaymentMethod.Kind.CARD_TERMINAL, is_active=True
    ).first()
    if method is None:
        raise NotFound("PAYMENT_METHOD_NOT_FOUND", _("결제 수단을 찾을 수 없습니다."))
    terminals = selectors.terminals_for_store(store)
    terminal = terminals.filter(pk=data["terminal"]).first() if data["terminal"] else terminals.first()
    if terminal is None:
        raise NotFound("TERMINAL_NOT_FOUND", _("카드 단말기를 찾을 수 없습니다."))
    job = services.terminal_charge_start(
        order, method, terminal, amount=data["amount"], member=request.member, device=request.device
    )
    # "open": the partial polls the job until the terminal answers (without it the screen never moved).
    context = {"job": job, "order": order, "open": True}
    return render(request, "bridge/partials/terminal_job.html", context, status=201)


@require_GET
@staff_required
@domain_errors
def terminal_job(request, job_id: int):
    job = selectors.terminal_job_for_store(request.device.store, path_id(job_id))
    if job is None:
        raise NotFound("JOB_NOT_FOUND", _("작업을 찾을 수 없습니다."))
    payment = job.payment
    context = {"job": job, "order": payment.order, "open": job.status in OPEN_JOB or payment.status in OPEN_PAYMENT}
    response = render(request, "bridge/partials/terminal_job.html", context)
    if payment.status == PaymentStatus.DONE and request.headers.get("HX-Request"):
        # Approved: the pay screen shows the payment (approval number, card company) or what is left.
        response["HX-Redirect"] = reverse("pos:pay", args=[payment.order.public_id])
    return response
