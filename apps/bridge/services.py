"""Writes for the store bridge: queueing print and terminal jobs, handing them to the bridge that
polls, and applying its acknowledgements and terminal answers.

Delivery is at-least-once: a job is handed out (SENT, attempts + 1) and handed out again at the
bridge's next poll when its acknowledgement has not come back (a bridge finishes one batch before it
polls again, so an unacknowledged job from an earlier poll was lost on the way). Printing stays
exactly-once because the bridge keeps a journal of the job ids it printed and only acknowledges a
job it finds there again.
Card approvals are the exception: an APPROVE job is handed out once, ever. When its answer is lost
(the bridge polls again without it, reports it interrupted, or stays away past the lease) the
payment goes UNKNOWN and a NET_CANCEL (망취소) job follows, so a half-finished charge never stays and
a charge is never asked twice.

A printer the bridge reports out of paper or offline gets nothing until it reports it back: its
jobs wait, in order, instead of burning their attempts.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import Conflict, DomainError, Invalid, NotFound
from apps.discounts.models import Channel
from apps.kitchen.models import Ticket
from apps.orders.models import Order
from apps.payments import selectors as payment_selectors
from apps.payments.models import Payment, PaymentMethod, PaymentStatus, Shift
from apps.payments.services import terminal as terminal_payments
from apps.payments.shifts import shift_report
from apps.payments.state import COMPLETED
from apps.stores.models import Device, StoreMember

from . import selectors
from .conf import setting
from .models import JobStatus, Printer, PrintJob, Terminal, TerminalJob

logger = logging.getLogger(__name__)
J = JobStatus
MAX_JOBS_PER_POLL = 20


# --- snapshots: what a job prints, taken when it is queued ------------------------------------------


def _local(store, value) -> str:
    if value is None:
        return ""
    return timezone.localtime(value, ZoneInfo(store.timezone)).strftime("%Y-%m-%d %H:%M:%S")


def _store_head(store) -> dict:
    return {
        "name": store.name,
        "business_number": store.business_number,
        "address": store.address,
        "phone": store.phone,
    }


def _order_head(order: Order) -> dict:
    store = order.store
    return {
        "store": _store_head(store),
        "order_number": order.order_number,
        "public_id": order.public_id,
        "store_id": store.pk,
        "at": _local(store, order.paid_at or order.placed_at or order.created_at),
        "business_date": order.business_date.isoformat(),
        "staff": order.staff.display_name if order.staff_id else "",
        "table": str(order.table) if order.table_id else "",
        "lines": [
            {
                "name": line.name,
                "tax_free": line.tax_type == "TAX_FREE",
                "unit_price": line.unit_price,
                "quantity": line.quantity,
                "gross_amount": line.gross_amount,
                "options": [{"name": o.get("name", ""), "price": o.get("price", 0)} for o in line.options or []],
                "discounts": [{"name": d.get("name", ""), "amount": d.get("amount", 0)} for d in line.discounts or []],
            }
            # all(), filtered here: the lines the kitchen's paid hook prefetched onto this order
            # instance are reused (no SQL after the payment's commit); otherwise one read.
            for line in sorted(order.lines.all(), key=lambda line: line.pk)
            if line.void_of_id is None and line.quantity > 0
        ],
        "totals": {
            "gross": order.gross_amount,
            "discount": order.discount_amount,
            "total": order.total_amount,
            "supply": order.supply_amount,
            "vat": order.vat_amount,
            "tax_free": order.tax_free_amount,
        },
    }


def receipt_payload(order: Order, *, reprint: bool = False, completed: list[Payment] | None = None) -> dict:
    """`completed`: the order's completed payments with their methods, when the caller has read them."""
    payments = completed
    if payments is None:
        payments = [p for p in payment_selectors.payments_for_order(order) if p.status in COMPLETED]
    data = _order_head(order)
    data["reprint"] = reprint
    data["simulated"] = any(p.is_simulated for p in payments)
    data["footer"] = order.store.receipt_footer
    data["payments"] = [
        {
            "name": p.method.name,
            "kind": p.kind,
            "simulated": p.is_simulated,
            "amount": p.amount,
            "tendered": p.tendered if p.kind == PaymentMethod.Kind.CASH else None,
            "change": p.change,
            "approval_number": p.approval_number,
            "card_company": p.card_company,
            "card_number": p.card_number_masked,
            # recorded on the payment with its approval (terminal, Toss, PortOne): no TerminalJob read
            "installments": p.installment_months,
        }
        for p in payments
    ]
    return data


def bill_payload(order: Order) -> dict:
    data = _order_head(order)
    paid = sum(p.amount for p in payment_selectors.payments_for_order(order) if p.status in COMPLETED)
    data["paid"] = paid
    data["due"] = max(order.total_amount - paid, 0)
    return data


def kitchen_payload(ticket: Ticket, lines: list | None = None) -> dict:
    """`lines`: the ticket's lines in order, when the caller has read them."""
    order = ticket.order
    if lines is None:
        lines = list(ticket.lines.order_by("id"))
    return {
        "station": ticket.station.name,
        "order_number": order.order_number,
        "table": str(order.table) if order.table_id else "",
        "round": ticket.round_number,
        "channel": order.get_channel_display(),
        "at": _local(order.store, ticket.created_at),
        "note": order.note,
        "lines": [
            {"name": line.name, "quantity": line.quantity, "options": list(line.options or []), "note": line.note}
            for line in lines
        ],
    }


def z_report_payload(shift: Shift) -> dict:
    report = shift_report(shift)
    store = shift.store
    return {
        "shift_id": shift.pk,
        "store": _store_head(store),
        "device": shift.device.name if shift.device_id else "",
        "business_date": shift.business_date.isoformat(),
        "opened_at": _local(store, shift.opened_at),
        "closed_at": _local(store, shift.closed_at),
        "sales": [{"label": m.label, "count": m.count, "amount": m.amount} for m in report.sales_by_method],
        "sales_total": report.sales_total,
        "refunds": [{"label": m.label, "count": m.count, "amount": m.amount} for m in report.refunds_by_method],
        "net_sales": report.net_sales,
        "order_count": report.order_count,
        "opening_float": shift.opening_float,
        "expected_cash": report.expected_cash,
        "counted_cash": report.counted_cash,
        "difference": report.difference,
    }


# --- queueing print jobs -------------------------------------------------------------------------------


def print_job_queue(
    printer: Printer,
    kind: str,
    payload: dict,
    *,
    order: Order | None = None,
    ticket: Ticket | None = None,
    open_drawer: bool = False,
) -> PrintJob | None:
    """A new QUEUED job for `printer`. None when the ticket already has its job on this printer."""
    job = PrintJob(
        store_id=printer.store_id,
        printer=printer,
        kind=kind,
        payload=payload,
        order=order,
        ticket=ticket,
        open_drawer=open_drawer and printer.has_drawer,
    )
    if ticket is None:
        job.save(force_insert=True)  # no constraint to meet: one INSERT, no savepoint
        return job
    try:
        if not transaction.get_connection().in_atomic_block:
            # The hooks run after the commit, in autocommit: a refused INSERT leaves nothing to
            # roll back, so no BEGIN/COMMIT around it (issue 18).
            job.save(force_insert=True)
            return job
        with transaction.atomic():
            job.save(force_insert=True)
            return job
    except IntegrityError:
        return None  # printjob_ticket_once: a replayed hook


def _paid_cash(order: Order) -> bool:
    return Payment.objects.filter(order=order, kind=PaymentMethod.Kind.CASH, status__in=list(COMPLETED)).exists()


def paid_at_counter(order: Order) -> bool:
    """Sold at the POS, or paid there (a table's tab): the counter's printer prints its receipt. A
    kiosk or phone order shows its digital receipt instead; the POS can still print it."""
    if order.channel == Channel.POS:
        return True
    return Payment.objects.filter(order=order, status__in=list(COMPLETED), device__kind=Device.Kind.POS).exists()


def _hook_receipt_printer(store_id: int) -> Printer | None:
    return next((p for p in selectors.hook_printers(store_id) if p.role == Printer.Role.RECEIPT), None)


def receipt_queue_for_paid(order: Order) -> PrintJob | None:
    """The hook's receipt, on the checkout's path (issue 18): the printers come from the cache (no
    SQL for a store without a receipt printer), and the order's payments are read once for where
    it was paid, whether cash opens the drawer and what the receipt lists. Then one INSERT."""
    printer = _hook_receipt_printer(order.store_id)
    if printer is None:
        return None
    completed = payment_selectors.completed_payments(order)
    at_counter = order.channel == Channel.POS or any(
        p.device_id is not None and p.device.kind == Device.Kind.POS for p in completed
    )
    if not at_counter:
        return None
    open_drawer = any(p.kind == PaymentMethod.Kind.CASH for p in completed)
    payload = receipt_payload(order, completed=completed)
    return print_job_queue(printer, PrintJob.Kind.RECEIPT, payload, order=order, open_drawer=open_drawer)


def receipt_queue(order: Order, *, reprint: bool = False) -> PrintJob | None:
    """The receipt on the store's receipt printer (None without one); a cash sale also opens the
    drawer, except on a reprint."""
    printer = selectors.receipt_printer(order.store_id)
    if printer is None:
        return None
    open_drawer = not reprint and _paid_cash(order)
    return print_job_queue(
        printer, PrintJob.Kind.RECEIPT, receipt_payload(order, reprint=reprint), order=order, open_drawer=open_drawer
    )


def bill_queue(order: Order) -> PrintJob:
    printer = selectors.receipt_printer(order.store_id)
    if printer is None:
        raise Conflict("NO_PRINTER", _("연결된 영수증 프린터가 없습니다."))
    return print_job_queue(printer, PrintJob.Kind.BILL, bill_payload(order), order=order)


def hook_kitchen_printers(store_id: int, station_id: int) -> list[Printer]:
    """`selectors.kitchen_printers` from the hooks' cache: no SQL when warm."""
    return [
        p
        for p in selectors.hook_printers(store_id)
        if p.role == Printer.Role.KITCHEN and p.station_id in (None, station_id)
    ]


def kitchen_ticket_queue(
    ticket: Ticket, printers: list[Printer] | None = None, lines: list | None = None
) -> list[PrintJob]:
    """The ticket on every kitchen printer of its station (or of all stations); `printers` and the
    ticket's `lines`: those, when the caller has them."""
    if printers is None:
        printers = selectors.kitchen_printers(ticket.store_id, ticket.station_id)
    if not printers:
        return []
    payload = kitchen_payload(ticket, lines)
    jobs = [
        print_job_queue(printer, PrintJob.Kind.KITCHEN, payload, order=ticket.order, ticket=ticket)
        for printer in printers
    ]
    return [job for job in jobs if job is not None]


def z_report_queue(shift: Shift) -> PrintJob | None:
    printer = selectors.receipt_printer(shift.store_id)
    if printer is None:
        return None
    return print_job_queue(printer, PrintJob.Kind.Z_REPORT, z_report_payload(shift))


def z_report_queue_once(shift: Shift) -> PrintJob | None:
    """The Z report of a closed shift, unless it was queued already (the hook may see a second save)."""
    if PrintJob.objects.filter(
        store_id=shift.store_id, kind=PrintJob.Kind.Z_REPORT, payload__shift_id=shift.pk
    ).exists():
        return None
    return z_report_queue(shift)


def drawer_open(store, *, approver: StoreMember) -> PrintJob:
    """Open the cash drawer without a sale; the caller has checked the manager's PIN."""
    if not approver.is_manager or approver.store_id != store.pk:
        raise DomainError("MANAGER_REQUIRED", _("매니저 권한이 있는 PIN이 아닙니다."), status=403)
    printer = selectors.receipt_printer(store, drawer=True)
    if printer is None:
        raise Conflict("NO_DRAWER", _("돈통이 연결된 프린터가 없습니다."))
    logger.info("drawer opened at store %s by member %s", store.pk, approver.pk)
    return print_job_queue(printer, PrintJob.Kind.DRAWER, {"by": approver.display_name}, open_drawer=True)


# --- the bridge's poll ---------------------------------------------------------------------------------

PRINTER_STATUSES = {choice for choice, _label in Printer.Status.choices}


def _record_poll(bridge: Device, printer_statuses: dict[int, str]) -> None:
    cache.set(selectors.LAST_POLL_KEY.format(device_id=bridge.pk), time.time(), 24 * 3600)
    if not printer_statuses:
        return
    now = timezone.now()
    for printer in Printer.objects.filter(bridge=bridge, pk__in=list(printer_statuses)):
        status = printer_statuses[printer.pk]
        if printer.status != status:
            Printer.objects.filter(pk=printer.pk).update(status=status, status_at=now)


def _still_paired(bridge: Device, path: str) -> dict:
    # Checked with every hand-out, not only when the poll came in: a bridge revoked (or paired
    # again elsewhere) while its long-poll waits must not be handed a job at the end of the wait.
    return {f"{path}__revoked_at__isnull": True, f"{path}__token_digest": bridge.token_digest}


def _print_jobs_due(bridge: Device, poll_started) -> list[PrintJob]:
    # A bridge works through one batch before it polls again, so a job still SENT from before this
    # poll was lost on the way (or printed with its acknowledgement lost: the journal says so).
    due = Q(status=J.QUEUED) | Q(status=J.SENT, sent_at__lt=poll_started)
    return list(
        selectors.print_jobs_for_bridge(bridge)
        .filter(due, printer__is_active=True, **_still_paired(bridge, "printer__bridge"))
        .exclude(printer__status__in=[Printer.Status.PAPER_OUT, Printer.Status.OFFLINE])
        .select_related("printer")
        .order_by("id")[:MAX_JOBS_PER_POLL]
    )


def _hand_out_print_jobs(bridge: Device, poll_started) -> list[PrintJob]:
    now = timezone.now()
    handed = []
    max_attempts = int(setting("BRIDGE_PRINT_MAX_ATTEMPTS"))
    with transaction.atomic():
        for job in _print_jobs_due(bridge, poll_started):
            # Conditional on what we read: two polls of one bridge never both hand out a job.
            if job.attempts >= max_attempts:
                PrintJob.objects.filter(pk=job.pk, status=job.status).update(
                    status=J.FAILED, finished_at=now, error="NO_ACK", updated_at=now
                )
                continue
            moved = PrintJob.objects.filter(pk=job.pk, status=job.status, attempts=job.attempts).update(
                status=J.SENT, sent_at=now, attempts=job.attempts + 1, updated_at=now
            )
            if moved:
                job.status, job.sent_at, job.attempts = J.SENT, now, job.attempts + 1
                handed.append(job)
    return handed


def _hand_out_terminal_jobs(bridge: Device) -> list[TerminalJob]:
    now = timezone.now()
    handed = []
    queued = selectors.terminal_jobs_for_bridge(bridge).filter(
        status=J.QUEUED, **_still_paired(bridge, "terminal__bridge")
    )
    for job in queued.select_related("terminal").order_by("id")[:MAX_JOBS_PER_POLL]:
        moved = TerminalJob.objects.filter(pk=job.pk, status=J.QUEUED).update(
            status=J.SENT, sent_at=now, attempts=job.attempts + 1, updated_at=now
        )
        if moved:
            job.status, job.sent_at, job.attempts = J.SENT, now, job.attempts + 1
            handed.append(job)
    return handed


def bridge_poll(
    bridge: Device, *, printer_statuses: dict[int, str], interrupted: list[int], wait: float
) -> tuple[list[PrintJob], list[TerminalJob]]:
    """One long-poll: record that the bridge is alive (and its printers' status), settle approvals
    it reports interrupted, then wait up to `wait` seconds for jobs and hand them out."""
    if bridge.kind != Device.Kind.BRIDGE:
        raise DomainError("DEVICE_KIND_FORBIDDEN", _("이 기기에서는 사용할 수 없는 기능입니다."), status=403)
    poll_started = timezone.now()
    _record_poll(bridge, printer_statuses)
    for job_id in interrupted:
        job = selectors.terminal_jobs_for_bridge(bridge).filter(pk=job_id).first()
        if job is not None:
            _approval_lost(job, "INTERRUPTED")
    # Approvals handed out before this poll and never answered never reached the terminal or
    # their answer was lost with the bridge: never send them again, net-cancel them.
    for job in selectors.terminal_jobs_for_bridge(bridge).filter(status=J.SENT, sent_at__lt=poll_started):
        if job.kind == TerminalJob.Kind.APPROVE:
            _approval_lost(job, "LOST")
        else:
            TerminalJob.objects.filter(pk=job.pk, status=J.SENT).update(status=J.QUEUED, updated_at=poll_started)
    deadline = time.monotonic() + max(0.0, min(wait, setting("BRIDGE_LONG_POLL_SECONDS")))
    recorded = time.monotonic()
    while True:
        terminal_jobs = _hand_out_terminal_jobs(bridge)
        print_jobs = _hand_out_print_jobs(bridge, poll_started)
        if print_jobs or terminal_jobs or time.monotonic() >= deadline:
            break
        time.sleep(0.5)
        # A bridge waiting in a poll is online: say so now and then, not only when the poll began.
        if time.monotonic() - recorded >= 5:
            _record_poll(bridge, {})
            recorded = time.monotonic()
    _record_poll(bridge, {})
    return print_jobs, terminal_jobs


def print_job_ack(bridge: Device, job_id: int, *, ok: bool, error: str = "") -> PrintJob:
    """The bridge printed the job (or gave up on it). Repeated acks are answered with the job."""
    job = selectors.print_jobs_for_bridge(bridge).filter(pk=job_id).first()
    if job is None:
        raise NotFound("JOB_NOT_FOUND", _("작업을 찾을 수 없습니다."))
    if job.status in (J.DONE, J.FAILED):
        return job
    to_status = J.DONE if ok else J.FAILED
    now = timezone.now()
    PrintJob.objects.filter(pk=job.pk, status__in=[J.QUEUED, J.SENT]).update(
        status=to_status, finished_at=now, error=error[:200], updated_at=now
    )
    job.refresh_from_db()
    return job


# --- card terminal jobs ---------------------------------------------------------------------------------


def terminal_charge_start(
    order: Order, method: PaymentMethod, terminal: Terminal, *, amount: int | None = None, member=None, device=None
) -> TerminalJob:
    """Send (part of) an order's amount to a card terminal: an IN_PROGRESS payment and its APPROVE job."""
    if terminal.store_id != order.store_id or not terminal.is_active:
        raise NotFound("TERMINAL_NOT_FOUND", _("카드 단말기를 찾을 수 없습니다."))
    seen = selectors.last_poll(terminal.bridge_id)
    if seen is None or time.time() - seen > setting("BRIDGE_OFFLINE_AFTER_SECONDS"):
        # Nobody would take the job: say so now rather than hold the amount for a dead bridge.
        raise Conflict("BRIDGE_OFFLINE", _("매장 브리지가 연결되어 있지 않습니다. 승인 번호를 직접 입력하세요."))
    with transaction.atomic():  # never an in-progress payment without the job that settles it
        payment = terminal_payments.terminal_payment_start(
            order, method, amount=amount, member=member, device=device, channel=order.channel
        )
        return TerminalJob.objects.create(
            store_id=order.store_id,
            terminal=terminal,
            kind=TerminalJob.Kind.APPROVE,
            payment=payment,
            amount=payment.amount,
        )


def _net_cancel_queue(approval: TerminalJob) -> TerminalJob:
    existing = TerminalJob.objects.filter(
        cancels=approval, kind=TerminalJob.Kind.NET_CANCEL, status__in=[J.QUEUED, J.SENT]
    ).first()
    if existing is not None:
        return existing
    return TerminalJob.objects.create(
        store_id=approval.store_id,
        terminal=approval.terminal,
        kind=TerminalJob.Kind.NET_CANCEL,
        payment=approval.payment,
        amount=approval.amount,
        cancels=approval,
    )


def _finish(job: TerminalJob, status: str, outcome: str, result: dict) -> bool:
    """Close an open job; False when somebody else closed it first (a repeated answer)."""
    now = timezone.now()
    moved = TerminalJob.objects.filter(pk=job.pk, status__in=[J.QUEUED, J.SENT]).update(
        status=status, outcome=outcome[:20], result=result, finished_at=now, updated_at=now
    )
    job.refresh_from_db()
    return bool(moved)


def _approval_lost(job: TerminalJob, outcome: str, result: dict | None = None) -> None:
    """Nobody knows whether the terminal charged: UNKNOWN until the net-cancel answers."""
    if job.kind != TerminalJob.Kind.APPROVE or not _finish(job, J.FAILED, outcome, result or {}):
        return
    terminal_payments.terminal_payment_unknown(job.payment_id, code=outcome, answer=result or {})
    _net_cancel_queue(job)


def terminal_jobs_expire(*, store_id: int | None = None) -> int:
    """Approvals handed out longer than the lease ago are lost; net-cancels are handed out again;
    approvals never handed out within the lease fail (nothing reached the terminal)."""
    now = timezone.now()
    count = 0
    undelivered = TerminalJob.objects.filter(
        status=J.QUEUED,
        kind=TerminalJob.Kind.APPROVE,
        created_at__lt=now - timedelta(seconds=setting("BRIDGE_TERMINAL_LEASE_SECONDS")),
    )
    if store_id is not None:
        undelivered = undelivered.filter(store_id=store_id)
    for job in undelivered:
        # Conditional on QUEUED: a poll handing it out at this moment wins, and it runs normally.
        if TerminalJob.objects.filter(pk=job.pk, status=J.QUEUED).update(
            status=J.FAILED, outcome="NOT_DELIVERED", finished_at=now, updated_at=now
        ):
            terminal_payments.terminal_payment_failed(
                job.payment_id,
                code="BRIDGE_OFFLINE",
                message=_("매장 브리지가 응답하지 않아 단말기로 보내지 못했습니다."),
                answer={},
            )
            count += 1
    cutoff = now - timedelta(seconds=setting("BRIDGE_TERMINAL_LEASE_SECONDS"))
    stale = TerminalJob.objects.filter(status=J.SENT, sent_at__lt=cutoff)
    if store_id is not None:
        stale = stale.filter(store_id=store_id)
    for job in stale.select_related("terminal"):
        if job.kind == TerminalJob.Kind.APPROVE:
            _approval_lost(job, "LOST")
        else:
            TerminalJob.objects.filter(pk=job.pk, status=J.SENT).update(status=J.QUEUED, updated_at=now)
        count += 1
    return count


OUTCOMES = ("APPROVED", "DECLINED", "TIMEOUT", "UNREACHABLE", "CANCELED", "NOT_FOUND", "FAILED")


def terminal_job_result(bridge: Device, job_id: int, *, outcome: str, data: dict) -> TerminalJob:
    """Apply the bridge's answer for a terminal job (see the module docstring for the moves)."""
    job = selectors.terminal_jobs_for_bridge(bridge).select_related("payment", "terminal").filter(pk=job_id).first()
    if job is None:
        raise NotFound("JOB_NOT_FOUND", _("작업을 찾을 수 없습니다."))
    if outcome not in OUTCOMES:
        raise Invalid("INVALID_OUTCOME", _("결과 값이 올바르지 않습니다."), details={"field": "outcome"})
    if job.kind == TerminalJob.Kind.APPROVE:
        _approval_result(job, outcome, data)
    else:
        _net_cancel_result(job, outcome, data)
    job.refresh_from_db()
    return job


def _approval_result(job: TerminalJob, outcome: str, data: dict) -> None:
    if outcome == "APPROVED":
        if job.status == J.DONE:
            return  # a repeated answer
        if not data.get("approvalNumber") or not data.get("cardCompany"):
            raise Invalid("INVALID_APPROVAL", _("승인 번호와 카드사가 필요합니다."))
        if data.get("amount") != job.amount:
            # A charge of another amount than asked for is never accepted: undo it.
            _approval_lost(job, "AMOUNT_MISMATCH", data)
            return
        if not _finish(job, J.DONE, outcome, data):
            return  # a late answer to an approval already given up: its net-cancel settles it
        payment, keep = terminal_payments.terminal_payment_approved(
            job.payment_id,
            approval_number=data["approvalNumber"],
            card_company=data["cardCompany"],
            card_number_masked=data.get("cardNumber", ""),
            answer=data,
        )
        if not keep:
            _net_cancel_queue(job)  # the payment was given up meanwhile: take the charge back
        return
    if outcome in ("DECLINED", "UNREACHABLE"):
        # A definite no from the terminal, or the bridge never reached it: nothing was charged.
        if _finish(job, J.FAILED, outcome, data):
            message = data.get("message") or (_("카드 승인이 거절되었습니다.") if outcome == "DECLINED" else "")
            terminal_payments.terminal_payment_failed(
                job.payment_id, code=data.get("code") or outcome, message=message or outcome, answer=data
            )
        return
    if outcome == "TIMEOUT":
        # The bridge timed out and already sent the net-cancel itself: its answer settles it.
        if not _finish(job, J.FAILED, outcome, data):
            return
        terminal_payments.terminal_payment_unknown(job.payment_id, code="TERMINAL_TIMEOUT", answer=data)
        if data.get("netCancel") in ("CANCELED", "NOT_FOUND"):
            terminal_payments.terminal_payment_failed(
                job.payment_id, code="NET_CANCELED", message=_("시간 초과로 망취소되었습니다."), answer=data
            )
        else:
            _net_cancel_queue(job)
        return
    raise Invalid("INVALID_OUTCOME", _("결과 값이 올바르지 않습니다."), details={"field": "outcome"})


def _net_cancel_result(job: TerminalJob, outcome: str, data: dict) -> None:
    if outcome in ("CANCELED", "NOT_FOUND"):
        if _finish(job, J.DONE, outcome, data):
            payment = Payment.objects.get(pk=job.payment_id)
            if payment.status == PaymentStatus.UNKNOWN:
                terminal_payments.terminal_payment_failed(
                    job.payment_id, code="NET_CANCELED", message=_("망취소로 결제가 취소되었습니다."), answer=data
                )
            elif payment.status == PaymentStatus.DONE:
                # Approved, then the order could not keep it: the charge was reversed on the terminal.
                logger.warning("payment %s DONE but net-cancelled on the terminal", payment.pk)
        return
    if outcome in ("FAILED", "UNREACHABLE", "TIMEOUT"):
        # Try again at the next poll; the payment stays UNKNOWN meanwhile.
        now = timezone.now()
        TerminalJob.objects.filter(pk=job.pk, status=J.SENT).update(status=J.QUEUED, result=data, updated_at=now)
        return
    raise Invalid("INVALID_OUTCOME", _("결과 값이 올바르지 않습니다."), details={"field": "outcome"})
