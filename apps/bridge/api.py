"""The bridge's HTTP API: the agent in the shop authenticates with `Authorization: Device <token>`
(a BRIDGE device's token from pairing) and only ever calls out — long-poll, acknowledge, answer.

The token must come in the header: a bridge has no browser, so a cookie naming a bridge device is
refused (no cross-site request can act as a bridge). Jobs are always looked up through the bridge,
so another store's (or another bridge's) job is a 404.
"""

from __future__ import annotations

import base64

from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from apps.core.api import api_methods, api_view, error_response, json_response, parse_json_body
from apps.core.errors import Invalid
from apps.core.fields import path_id
from apps.core.parsers import parse_bool, parse_choice, parse_id, parse_id_list, parse_integer, parse_text
from apps.stores.decorators import api_device_required
from apps.stores.models import Device

from . import longpoll, rendering, services
from .models import Printer, PrintJob, TerminalJob

BRIDGE = Device.Kind.BRIDGE
MAX_PRINTERS_REPORTED = 50


def _header_token_only(view):
    def wrapper(request, *args, **kwargs):
        if not request.headers.get("Authorization", "").startswith("Device "):
            response = error_response("DEVICE_UNAUTHORIZED", _("연결된 기기가 아닙니다. 기기를 다시 연결하세요."), 401)
            response["WWW-Authenticate"] = "Device"
            return response
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def bridge_api(*methods: str):
    def decorator(view):
        return csrf_exempt(_header_token_only(api_methods(*methods)(api_device_required(BRIDGE)(api_view(view)))))

    return decorator


def _receipt_url(request, job: PrintJob) -> str:
    data = job.payload or {}
    if job.kind != PrintJob.Kind.RECEIPT or not data.get("public_id"):
        return ""
    return request.build_absolute_uri(reverse("kiosk:receipt", args=[data["store_id"], data["public_id"]]))


def _print_job_json(request, job: PrintJob) -> dict:
    printer = job.printer
    return {
        "id": job.pk,
        "kind": job.kind,
        "attempt": job.attempts,
        "printer": {"id": printer.pk, "transport": printer.transport, "address": printer.address},
        "data": base64.b64encode(rendering.render_job(job, qr_url=_receipt_url(request, job))).decode(),
    }


def _terminal_job_json(job: TerminalJob) -> dict:
    terminal = job.terminal
    return {
        "id": job.pk,
        "kind": job.kind,
        "reference": job.reference,
        "amount": job.amount,
        "terminal": {"id": terminal.pk, "driver": terminal.driver, "address": terminal.address},
    }


def _parse_printer_statuses(value) -> dict[int, str]:
    if value is None:
        return {}
    if not isinstance(value, list) or len(value) > MAX_PRINTERS_REPORTED:
        raise Invalid("INVALID_FIELD", _("printers 값이 올바르지 않습니다."), details={"field": "printers"})
    statuses = {}
    for item in value:
        if not isinstance(item, dict):
            raise Invalid("INVALID_FIELD", _("printers 값이 올바르지 않습니다."), details={"field": "printers"})
        printer_id = parse_id(item.get("id"), "printers.id", strict=True)
        statuses[printer_id] = parse_choice(item.get("status"), "printers.status", services.PRINTER_STATUSES)
    return statuses


@bridge_api("POST")
def poll(request):
    """Long-poll for jobs. Body: {"wait": seconds, "printers": [{"id", "status"}], "interrupted": [ids]}."""
    data = parse_json_body(request)
    wait = parse_integer(data.get("wait", 0), "wait", min=0, max=60, strict=True)
    statuses = _parse_printer_statuses(data.get("printers"))
    interrupted = parse_id_list(data.get("interrupted"), "interrupted", max_items=20, strict=True)
    with longpoll.slot() as may_wait:  # never every thread of this process waiting on bridges
        print_jobs, terminal_jobs = services.bridge_poll(
            request.device, printer_statuses=statuses, interrupted=interrupted, wait=wait if may_wait else 0
        )
    return json_response(
        {
            "printJobs": [_print_job_json(request, job) for job in print_jobs],
            "terminalJobs": [_terminal_job_json(job) for job in terminal_jobs],
        }
    )


@bridge_api("GET")
def config(request):
    """This bridge's printers and terminals, for its start-up log and its status reports."""
    bridge = request.device
    printers = Printer.objects.filter(bridge=bridge, store_id=bridge.store_id, is_active=True).order_by("id")
    terminals = bridge.terminals.filter(store_id=bridge.store_id, is_active=True).order_by("id")
    return json_response(
        {
            "bridgeId": bridge.pk,
            "storeId": bridge.store_id,
            "storeName": bridge.store.name,
            "printers": [
                {"id": p.pk, "name": p.name, "transport": p.transport, "address": p.address, "role": p.role}
                for p in printers
            ],
            "terminals": [{"id": t.pk, "name": t.name, "driver": t.driver, "address": t.address} for t in terminals],
        }
    )


@bridge_api("POST")
def print_job_ack(request, job_id):
    """The bridge printed a job (ok=true) or gave up on it (ok=false, error)."""
    job_id = path_id(job_id, code="JOB_NOT_FOUND")
    data = parse_json_body(request)
    ok = parse_bool(data.get("ok"), "ok")
    error = parse_text(data.get("error"), "error", max_length=200, required=False)
    job = services.print_job_ack(request.device, job_id, ok=ok, error=error)
    return json_response({"id": job.pk, "status": job.status})


@bridge_api("POST")
def terminal_job_result(request, job_id):
    """The terminal's answer to a job, as the bridge's driver classified it."""
    job_id = path_id(job_id, code="JOB_NOT_FOUND")
    data = parse_json_body(request)
    outcome = parse_choice(data.get("outcome"), "outcome", services.OUTCOMES, code="INVALID_OUTCOME")
    answer = {
        "approvalNumber": parse_text(data.get("approvalNumber"), "approvalNumber", max_length=30, required=False),
        "cardCompany": parse_text(data.get("cardCompany"), "cardCompany", max_length=50, required=False),
        "cardNumber": parse_text(data.get("cardNumber"), "cardNumber", max_length=30, required=False),
        "code": parse_text(data.get("code"), "code", max_length=100, required=False),
        "message": parse_text(data.get("message"), "message", max_length=200, required=False),
        "netCancel": parse_text(data.get("netCancel"), "netCancel", max_length=20, required=False),
    }
    if data.get("installments") is not None:
        answer["installments"] = parse_integer(data["installments"], "installments", min=0, max=36, strict=True)
    if data.get("amount") is not None:
        answer["amount"] = parse_integer(data["amount"], "amount", min=0, max=10**12, strict=True)
    job = services.terminal_job_result(request.device, job_id, outcome=outcome, data=answer)
    return json_response({"id": job.pk, "status": job.status, "paymentStatus": job.payment.status})
