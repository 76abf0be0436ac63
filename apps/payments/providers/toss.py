"""Toss Payments core API v1 over `requests`.

Basic auth is the secret key followed by a colon (no password). Every POST carries an
`Idempotency-Key`: the payment's (or refund's) key saved in the database before the first call, so a
retry after a lost answer can never charge or refund twice. Answers are classified, never raised.
"""

from __future__ import annotations

import base64
from urllib.parse import quote

import requests
from django.conf import settings

from .base import Answer, Outcome

# Errors after which the payment may or may not have gone through: only a later fetch can tell.
UNCERTAIN_CODES = frozenset(
    {
        "PROVIDER_ERROR",
        "FAILED_INTERNAL_SYSTEM_PROCESSING",
        "FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING",
        "FAILED_CARD_COMPANY_RESPONSE",
        "ALREADY_PROCESSED_PAYMENT",
        "IDEMPOTENT_REQUEST_PROCESSING",
    }
)
NOT_FOUND_CODES = frozenset({"NOT_FOUND_PAYMENT", "NOT_FOUND_PAYMENT_SESSION", "NOT_FOUND"})


def _auth_header(secret_key: str) -> str:
    return "Basic " + base64.b64encode(f"{secret_key}:".encode()).decode()


class TossProvider:
    kind = "TOSS"
    redirect_flow = True

    def __init__(self, *, secret_key: str | None = None, base_url: str | None = None, timeout: float | None = None):
        self.secret_key = secret_key if secret_key is not None else settings.TOSS_SECRET_KEY
        self.base_url = (base_url or settings.TOSS_API_BASE).rstrip("/")
        self.timeout = timeout if timeout is not None else settings.TOSS_TIMEOUT_SECONDS

    # --- the three operations ------------------------------------------------------------------

    def confirm(self, payment) -> Answer:
        body = {"paymentKey": payment.provider_ref, "orderId": payment.public_id, "amount": payment.amount}
        return self._call("confirm", "POST", "/v1/payments/confirm", body, str(payment.idempotency_key))

    def cancel(self, payment, *, amount: int, reason: str, idempotency_key: str) -> Answer:
        body = {"cancelReason": reason, "cancelAmount": amount}
        path = f"/v1/payments/{quote(payment.provider_ref, safe='')}/cancel"
        return self._call("cancel", "POST", path, body, idempotency_key)

    def fetch(self, payment) -> Answer:
        if payment.provider_ref:
            path = f"/v1/payments/{quote(payment.provider_ref, safe='')}"
        else:
            path = f"/v1/payments/orders/{quote(payment.public_id, safe='')}"
        return self._call("fetch", "GET", path, None, None)

    # --- wire ------------------------------------------------------------------------------------

    def _call(self, operation: str, method: str, path: str, body: dict | None, idempotency_key: str | None) -> Answer:
        headers = {"Authorization": _auth_header(self.secret_key), "Content-Type": "application/json"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        logged_request = {"method": method, "path": path, "body": body or {}, "idempotencyKey": idempotency_key}
        try:
            response = requests.request(method, self.base_url + path, json=body, headers=headers, timeout=self.timeout)
        except requests.Timeout as exc:
            return Answer(
                Outcome.UNKNOWN, operation, logged_request, {"exception": repr(exc)}, None, "TIMEOUT", str(exc)
            )
        except requests.RequestException as exc:
            # The connection dropped after sending: the provider may have applied it.
            return Answer(
                Outcome.UNKNOWN, operation, logged_request, {"exception": repr(exc)}, None, "NETWORK_ERROR", str(exc)
            )
        try:
            data = response.json()
            if not isinstance(data, dict):
                data = {"raw": data}
        except ValueError:
            data = {"raw": response.text[:2000]}
        return Answer(
            classify(response.status_code, data),
            operation,
            logged_request,
            data,
            response.status_code,
            str(data.get("code", "")) if response.status_code >= 400 else "",
            str(data.get("message", "")) if response.status_code >= 400 else "",
        )


def classify(http_status: int, data: dict) -> Outcome:
    if 200 <= http_status < 300:
        return Outcome.OK
    code = str(data.get("code", ""))
    if http_status >= 500 or http_status == 409 or code in UNCERTAIN_CODES:
        return Outcome.UNKNOWN
    if http_status == 404 or code in NOT_FOUND_CODES:
        return Outcome.NOT_FOUND
    return Outcome.DECLINED
