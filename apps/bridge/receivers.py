"""Print jobs queued automatically, after the commit that made their content real: a receipt when
an order is paid, each new kitchen ticket on its kitchen printers, the Z report when a shift closes.
Printing is redoable (and a reprint is a new job), so it rides on signals sent on commit."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from apps.kitchen.models import Ticket, TicketLine
from apps.orders import events
from apps.orders.models import Order
from apps.payments.models import Shift

from . import selectors, services
from .models import Printer

logger = logging.getLogger(__name__)


def _safely(what: str, call) -> None:
    # A broken printer setup must never break the sale that triggered it.
    try:
        call()
    except Exception:
        logger.exception("queueing %s failed", what)


def _on_paid(sender, order: Order, **kwargs) -> None:
    _safely("a receipt", lambda: services.receipt_queue_for_paid(order))


def _on_ticket_saved(sender, instance: Ticket, created: bool, **kwargs) -> None:
    if not created:
        return
    # The printers from the hooks' cache: a ticket whose station has no kitchen printer (the demo
    # store's, a store without a bridge) costs no SQL, in the payment's transaction or after it.
    printers = services.hook_kitchen_printers(instance.store_id, instance.station_id)
    if printers:
        ticket_id = instance.pk
        transaction.on_commit(lambda: _safely("a kitchen ticket", lambda: _queue_ticket(ticket_id, printers)))


def _queue_ticket(ticket_id: int, printers: list[Printer]) -> None:
    # The ticket's lines with the ticket, its order and station joined: one read (issue 18).
    lines = list(
        TicketLine.objects.filter(ticket_id=ticket_id)
        .select_related("ticket__order__store", "ticket__order__table", "ticket__station")
        .order_by("id")
    )
    if lines:
        services.kitchen_ticket_queue(lines[0].ticket, printers, lines)
        return
    ticket = (
        Ticket.objects.select_related("order", "order__store", "order__table", "station").filter(pk=ticket_id).first()
    )
    if ticket is not None:
        services.kitchen_ticket_queue(ticket, printers)


def _on_shift_saved(sender, instance: Shift, **kwargs) -> None:
    if instance.status == Shift.Status.CLOSED and instance.closed_at is not None:
        shift_id = instance.pk
        transaction.on_commit(lambda: _safely("a Z report", lambda: _queue_z_report(shift_id)))


def _queue_z_report(shift_id: int) -> None:
    shift = Shift.objects.select_related("store", "device").get(pk=shift_id)
    services.z_report_queue_once(shift)


def _on_printer_changed(sender, instance: Printer, **kwargs) -> None:
    key = selectors.HAS_PRINTERS_KEY.format(store_id=instance.store_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))  # and after the commit, for a read in between
    selectors.printers_version_bump(instance.store_id)  # the hooks' cached printers


events.order_paid.connect(_on_paid, sender=Order, dispatch_uid="bridge.receipt")
post_save.connect(_on_ticket_saved, sender=Ticket, dispatch_uid="bridge.kitchen_ticket")
post_save.connect(_on_shift_saved, sender=Shift, dispatch_uid="bridge.z_report")
post_save.connect(_on_printer_changed, sender=Printer, dispatch_uid="bridge.printer_saved")
post_delete.connect(_on_printer_changed, sender=Printer, dispatch_uid="bridge.printer_deleted")
