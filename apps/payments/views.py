"""Payment endpoints: the JSON API for terminals, the browser return pages, the simulated payment
window and the Toss webhook. Views scope to the store, parse, call one service and answer."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from apps.core.api import api_methods, api_view, error_response, json_response, parse_json_body
from apps.core.errors import DomainError, Invalid, NotFound
from apps.core.parsers import is_clean_text, parse_amount, parse_choice, parse_id, parse_text
from apps.stores.decorators import api_device_required, current_device

from . import selectors, services
from .idempotency import idempotent
from .models import Payment, PaymentMethod, PaymentStatus
from .providers.simulated import simulated_authorize
from .state import GATEWAY_KINDS

TERMINALS = ("POS", "KIOSK")


def payment_json(payment: Payment) -> dict:
    body = {
        "paymentId": payment.public_id,
        "orderId": payment.order.public_id,
        "kind": payment.kind,
        "status": payment.status,
        "amount": payment.amount,
        "balanceAmount": payment.balance_amount,
        # What the order still owes: worked out under the order's lock by the service that has just
        # taken the payment, else read.
        "remaining": getattr(payment, "order_due", None)
        if getattr(payment, "order_due", None) is not None
        else selectors.amount_due(payment.order),
        "simulated": payment.is_simulated,
    }
    if payment.kind == PaymentMethod.Kind.CASH:
        body.update(tendered=payment.tendered, change=payment.change)
    if payment.approval_number:
        body.update(approvalNumber=payment.approval_number, cardCompany=payment.card_company)
    if payment.failure_code:
        body.update(failureCode=payment.failure_code, failureMessage=payment.failure_message)
    return body


def _str_field(data: dict, name: str, *, required: bool = False, max_length: int = 200) -> str:
    return parse_text(data.get(name), name, max_length=max_length, required=required)


def _amount_field(data: dict, name: str) -> int | None:
    """An optional whole-won amount (the services decide what a missing one means)."""
    value = data.get(name)
    return None if value is None or value == "" else parse_amount(value, name)


def _method_id(value) -> int:
    try:
        return parse_id(value, "paymentMethodId", strict=True)
    except Invalid:
        # an id that cannot exist looks exactly like one that does not
        raise NotFound("PAYMENT_METHOD_NOT_FOUND", _("결제 수단을 찾을 수 없습니다.")) from None


# --- JSON API for terminals ------------------------------------------------------------------------


@api_methods("GET")
@api_device_required(*TERMINALS)
@api_view
def api_methods_active(request):
    channel = parse_choice(
        request.GET.get("channel", ""),
        "channel",
        selectors.CHANNELS,
        code="INVALID_CHANNEL",
        message=_("channel은 POS, KIOSK, TABLE 중 하나여야 합니다."),
    )
    methods = selectors.methods_for_channel(current_device(request).store, channel)
    return json_response(
        {"methods": [{"id": m.pk, "kind": m.kind, "name": m.name, "simulated": m.kind == "SIMULATED"} for m in methods]}
    )


@csrf_exempt  # device-token API (header or signed cookie); browsers post it with the same-site cookie only
@api_methods("POST")
@api_device_required(*TERMINALS)
@idempotent
@api_view
def api_payments_create(request):
    device = current_device(request)
    data = parse_json_body(request)
    payment = services.payment_create_for_store(
        device.store,
        _str_field(data, "orderId", required=True, max_length=64),
        lambda: selectors.method_for_store(device.store, _method_id(data.get("paymentMethodId"))),
        amount=_amount_field(data, "amount"),
        tendered=_amount_field(data, "tendered"),
        approval_number=_str_field(data, "approvalNumber", max_length=30),
        card_company=_str_field(data, "cardCompany", max_length=50),
        device=device,
        channel=device.kind,
    )
    body = payment_json(payment)
    if payment.kind in GATEWAY_KINDS:
        body["checkoutUrl"] = services.payment_checkout_url(
            payment,
            success_next=_str_field(data, "successNext", max_length=500) or "/",
            fail_next=_str_field(data, "failNext", max_length=500) or "/",
        )
    return json_response(body, status=201)


@api_methods("GET")
@api_device_required(*TERMINALS)
@api_view
def api_payment_latest(request, order_id: str):
    order = services.order_for_store(current_device(request).store, order_id)
    payment = selectors.latest_payment(order)
    if payment is None:
        raise NotFound("PAYMENT_NOT_FOUND", _("이 주문에는 결제가 없습니다."))
    return json_response(payment_json(payment))


@csrf_exempt
@api_methods("POST")
@api_device_required(*TERMINALS)
@idempotent
@api_view
def api_toss_confirm(request):
    data = parse_json_body(request)
    payment = services.payment_return_success(
        payment_key=_str_field(data, "paymentKey", required=True),
        order_id=_str_field(data, "orderId", required=True, max_length=64),
        amount=_amount_field(data, "amount"),
        store=current_device(request).store,
    )
    return json_response({"paymentId": payment.public_id, "status": payment.status}, status=202)


@csrf_exempt  # checked below for session callers; device callers authenticate with their token
@api_methods("POST")
@idempotent
@api_view
def api_toss_cancel(request, payment_key: str):
    device = current_device(request)
    if device is not None and device.kind == "POS":
        payment = selectors.payment_by_provider_ref(device.store, payment_key)
    elif request.user.is_authenticated:
        rejected = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
        if rejected is not None:
            return error_response("CSRF_FAILED", _("보안 토큰이 없거나 올바르지 않습니다."), 403)
        payment = selectors.payment_by_provider_ref(None, payment_key, owner=request.user)
    else:
        return error_response("UNAUTHORIZED", _("로그인하거나 연결된 POS에서 요청하세요."), 401)
    data = parse_json_body(request)
    reason = _str_field(data, "cancelReason", required=True)
    refund = services.payment_cancel(
        payment,
        amount=_amount_field(data, "cancelAmount"),
        reason=reason,
        user=request.user if device is None else None,
    )
    payment.refresh_from_db()
    return json_response({"refundId": refund.pk, "status": refund.status, "balanceAmount": payment.balance_amount})


# --- webhooks ------------------------------------------------------------------------------------------


@csrf_exempt  # Toss calls this; the body is only a hint: the payment is re-fetched before any change
@api_methods("POST")
@api_view
def webhook_toss(request):
    payload = parse_json_body(request)
    # header values reach the dedup key (a text column): one with a NUL is dropped, not stored
    headers = {
        k.lower(): v for k, v in request.headers.items() if k.lower().startswith("tosspayments-") and is_clean_text(v)
    }
    event, created = services.webhook_receive(payload, headers=headers)
    return json_response({"received": True, "duplicate": not created})


@csrf_exempt  # PortOne calls this; signed (Standard Webhooks), and applied only by re-fetching the payment
@api_methods("POST")
@api_view
def webhook_portone(request):
    # header values are checked by the signature; one with a NUL can never match it
    headers = {
        k.lower(): v for k, v in request.headers.items() if k.lower().startswith("webhook-") and is_clean_text(v)
    }
    event, created = services.webhook_receive_portone(request.body, headers)
    return json_response({"received": True, "duplicate": not created})


# --- browser pages --------------------------------------------------------------------------------


def _with_query(url: str, params: dict) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


def _error_page(request, message: str, status: int = 400):
    return render(request, "payments/error.html", {"message": message}, status=status)


def _checkout_context(request, payment_id: str):
    token = request.GET.get("t") or request.POST.get("t") or ""
    data = services.checkout_token_load(token)
    if data.get("p") != payment_id:
        raise Invalid("INVALID_CHECKOUT_TOKEN", _("결제 요청이 올바르지 않습니다."))
    payment = Payment.objects.select_related("order", "order__store").filter(public_id=payment_id).first()
    if payment is None:
        raise NotFound("PAYMENT_NOT_FOUND", _("결제를 찾을 수 없습니다."))
    return payment, token, data


@require_http_methods(["GET", "POST"])
def simulated_checkout(request, payment_id: str):
    """The simulated payment window: approve, decline, or approve-then-card-company-declines."""
    try:
        payment, token, data = _checkout_context(request, payment_id)
    except DomainError as err:
        return _error_page(request, err.message, err.status)
    if payment.kind != "SIMULATED":
        return _error_page(request, _("시뮬레이션 결제가 아닙니다."), 404)
    if payment.status != PaymentStatus.READY:
        return HttpResponseRedirect(_with_query(data["s"], {"payment": payment.public_id, "status": payment.status}))
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("approve", "approve_decline"):
            payment_key = simulated_authorize(
                order_id=payment.public_id,
                order_name=services.order_name(payment.order),
                amount=payment.amount,
                decline_on_confirm=action == "approve_decline",
            )
            params = {"paymentKey": payment_key, "orderId": payment.public_id, "amount": payment.amount, "t": token}
            return HttpResponseRedirect(_with_query(reverse("payments:return_success"), params))
        if action == "decline":
            params = {
                "code": "PAY_PROCESS_CANCELED",
                "message": _("사용자가 결제를 취소했습니다.(시뮬레이션)"),
                "orderId": payment.public_id,
                "t": token,
            }
            return HttpResponseRedirect(_with_query(reverse("payments:return_fail"), params))
        return _error_page(request, _("알 수 없는 요청입니다."))
    context = {
        "payment": payment,
        "order": payment.order,
        "token": token,
        "order_name": services.order_name(payment.order),
    }
    return render(request, "payments/simulated_checkout.html", context)


@require_http_methods(["GET"])
def toss_checkout(request, payment_id: str):
    """Our page that opens Toss's payment window (Toss's own script, as Toss requires)."""
    try:
        payment, token, data = _checkout_context(request, payment_id)
    except DomainError as err:
        return _error_page(request, err.message, err.status)
    if payment.kind != "TOSS" or payment.status != PaymentStatus.READY:
        return _error_page(request, _("진행할 수 없는 결제입니다."), 409)
    context = {
        "payment": payment,
        "order_name": services.order_name(payment.order),
        "client_key": settings.TOSS_CLIENT_KEY,
        "success_url": request.build_absolute_uri(_with_query(reverse("payments:return_success"), {"t": token})),
        "fail_url": request.build_absolute_uri(_with_query(reverse("payments:return_fail"), {"t": token})),
    }
    return render(request, "payments/toss_checkout.html", context)


@require_http_methods(["GET"])
def portone_checkout(request, payment_id: str):
    """Our page that opens PortOne's payment window. PortOne's browser SDK is loaded from PortOne:
    the npm package @portone/browser-sdk declares no licence (so it is not vendored) and is itself
    only a loader for that same script."""
    try:
        payment, token, data = _checkout_context(request, payment_id)
    except DomainError as err:
        return _error_page(request, err.message, err.status)
    if payment.kind != "PORTONE" or payment.status != PaymentStatus.READY:
        return _error_page(request, _("진행할 수 없는 결제입니다."), 409)
    context = {
        "payment": payment,
        "order_name": services.order_name(payment.order),
        "store_id": getattr(settings, "PORTONE_STORE_ID", ""),
        "channel_key": getattr(settings, "PORTONE_CHANNEL_KEY", ""),
        "redirect_url": request.build_absolute_uri(_with_query(reverse("payments:return_portone"), {"t": token})),
    }
    return render(request, "payments/portone_checkout.html", context)


@require_http_methods(["GET"])
def return_portone(request):
    """PortOne sends the browser here with paymentId (and code/message when it failed or was
    closed). Success queues the confirm, which fetches the payment and checks it."""
    try:
        data = services.checkout_token_load(request.GET.get("t", ""))
    except DomainError as err:
        return _error_page(request, err.message, err.status)
    code, message = request.GET.get("code", ""), request.GET.get("message", "")
    # they are logged (JSON in PostgreSQL): a NUL or a lone surrogate would fail the write
    code = code if is_clean_text(code) else "PAY_PROCESS_CANCELED"
    message = message if is_clean_text(message) else ""
    try:
        if request.GET.get("paymentId", "") != data.get("p"):
            raise Invalid("INVALID_CHECKOUT_TOKEN", _("결제 요청이 올바르지 않습니다."))
        if code:
            services.payment_return_fail(order_id=data["p"], code=code, message=message)
            params = {"payment": data["p"], "code": code[:100], "message": message[:300]}
            return HttpResponseRedirect(_with_query(data["f"], params))
        payment = services.payment_return_portone(payment_id=data["p"])
    except DomainError as err:
        params = {"payment": data.get("p", ""), "code": err.code, "message": err.message}
        return HttpResponseRedirect(_with_query(data["f"], params))
    return HttpResponseRedirect(_with_query(data["s"], {"payment": payment.public_id, "status": payment.status}))


@require_http_methods(["GET"])
def return_success(request):
    """Toss (or the simulated window) sends the browser here with paymentKey, orderId, amount."""
    try:
        data = services.checkout_token_load(request.GET.get("t", ""))
    except DomainError as err:
        return _error_page(request, err.message, err.status)
    order_id = request.GET.get("orderId", "")
    try:
        if order_id != data.get("p"):
            raise Invalid("INVALID_CHECKOUT_TOKEN", _("결제 요청이 올바르지 않습니다."))
        payment = services.payment_return_success(
            payment_key=request.GET.get("paymentKey", ""), order_id=order_id, amount=request.GET.get("amount")
        )
    except DomainError as err:
        params = {"payment": data.get("p", ""), "code": err.code, "message": err.message}
        return HttpResponseRedirect(_with_query(data["f"], params))
    return HttpResponseRedirect(_with_query(data["s"], {"payment": payment.public_id, "status": payment.status}))


@require_http_methods(["GET"])
def return_fail(request):
    """Toss's fail URL: code, message, orderId. The payment is aborted; the customer goes back."""
    try:
        data = services.checkout_token_load(request.GET.get("t", ""))
    except DomainError as err:
        return _error_page(request, err.message, err.status)
    code, message = request.GET.get("code", "PAY_PROCESS_CANCELED"), request.GET.get("message", "")
    try:
        services.payment_return_fail(order_id=data["p"], code=code, message=message)
    except DomainError as err:
        code, message = err.code, err.message
    params = {"payment": data["p"], "code": code[:100], "message": message[:300]}
    return HttpResponseRedirect(_with_query(data["f"], params))
