"""PortOne V2 (포트원, the seeds' 아임포트) over its REST API with `requests`.

Why not the official `portone-server-sdk` (0.21.0 installs here, with httpx): it turns every answer
into typed objects and every error into a typed exception, so the raw JSON our append-only
PaymentEvent log keeps would be lost, and a timeout or a 5xx would surface as exceptions to map
anyway; it also sends no Idempotency-Key. The REST calls used are three: GET /payments/{paymentId},
POST /payments/{paymentId}/cancel ({amount, reason, currentCancellableAmount}: PortOne applies a
cancel only when the balance still is what we saw, which makes a resend harmless) — and the
webhook's Standard Webhooks signature, checked in `verify_webhook`.

Answers are normalised to the shape the services already read from Toss (status DONE /
PARTIAL_CANCELED / CANCELED, totalAmount, orderId, card, cancels[transactionKey, cancelAmount]),
the raw PortOne object kept under "raw". Our payment's public id is PortOne's `paymentId`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from urllib.parse import quote

import requests
from django.conf import settings

from .base import Answer, Outcome

STATUSES = {
    "PAID": "DONE",
    "PARTIAL_CANCELLED": "PARTIAL_CANCELED",
    "CANCELLED": "CANCELED",
    "FAILED": "ABORTED",
    "READY": "READY",
    "PAY_PENDING": "IN_PROGRESS",
    "VIRTUAL_ACCOUNT_ISSUED": "IN_PROGRESS",
}
NOT_FOUND_TYPES = frozenset({"PAYMENT_NOT_FOUND"})
WEBHOOK_TOLERANCE_SECONDS = 5 * 60


def _setting(name: str, default=""):
    return getattr(settings, name, default)


def portone_configured() -> bool:
    return bool(_setting("PORTONE_API_SECRET"))


def normalise(raw: dict) -> dict:
    """A PortOne payment object in the services' (Toss) vocabulary, raw kept."""
    amount = raw.get("amount") if isinstance(raw.get("amount"), dict) else {}
    method = raw.get("method") if isinstance(raw.get("method"), dict) else {}
    card = method.get("card") if isinstance(method.get("card"), dict) else {}
    # PaymentMethodCard.installment {month, isInterestFree}: absent for a payment of another method
    installment = method.get("installment") if isinstance(method.get("installment"), dict) else {}
    cancels = [
        {"transactionKey": c.get("id"), "cancelAmount": c.get("totalAmount"), "cancelReason": c.get("reason")}
        for c in raw.get("cancellations") or []
        if isinstance(c, dict) and c.get("status") == "SUCCEEDED"
    ]
    return {
        "status": STATUSES.get(str(raw.get("status")), str(raw.get("status") or "")),
        "orderId": raw.get("id"),
        "totalAmount": amount.get("total"),
        "balanceAmount": (amount.get("total") or 0) - (amount.get("cancelled") or 0),
        "approvedAt": raw.get("paidAt"),
        "requestedAt": raw.get("requestedAt"),
        "card": {
            "company": card.get("name") or card.get("issuer"),
            "number": card.get("number"),
            "approveNo": method.get("approvalNumber"),
            # Toss's name for it; its 0..36 check is the services' (`_installment_months`)
            "installmentPlanMonths": installment.get("month"),
        },
        "cancels": cancels,
        "lastTransactionKey": cancels[-1]["transactionKey"] if cancels else None,
        "raw": raw,
    }


class PortOneProvider:
    kind = "PORTONE"
    redirect_flow = True

    def __init__(self, *, secret: str | None = None, base_url: str | None = None, timeout: float | None = None):
        self.secret = secret if secret is not None else _setting("PORTONE_API_SECRET")
        self.base_url = (base_url or _setting("PORTONE_API_BASE", "https://api.portone.io")).rstrip("/")
        self.timeout = timeout if timeout is not None else _setting("PORTONE_TIMEOUT_SECONDS", 10.0)

    def confirm(self, payment) -> Answer:
        # PortOne's browser checkout charges by itself: confirming is fetching the payment and
        # checking it (the service compares amount and paymentId with ours).
        answer = self.fetch(payment)
        return Answer(
            answer.outcome, "confirm", answer.request, answer.body, answer.http_status, answer.code, answer.message
        )

    def fetch(self, payment) -> Answer:
        return self._call("fetch", "GET", f"/payments/{quote(payment.public_id, safe='')}", None, None)

    def cancel(self, payment, *, amount: int, reason: str, idempotency_key: str) -> Answer:
        body = {"amount": amount, "reason": reason, "currentCancellableAmount": payment.balance_amount}
        path = f"/payments/{quote(payment.public_id, safe='')}/cancel"
        answer = self._call("cancel", "POST", path, body, idempotency_key)
        if not answer.ok:
            return answer
        cancellation = answer.body.get("raw", {}).get("cancellation") or {}
        key = cancellation.get("id")
        body = {"lastTransactionKey": key, "cancels": [], "raw": answer.body.get("raw")}
        return Answer(answer.outcome, "cancel", answer.request, body, answer.http_status)

    def _call(self, operation: str, method: str, path: str, body: dict | None, idempotency_key: str | None) -> Answer:
        headers = {"Authorization": f"PortOne {self.secret}", "Content-Type": "application/json"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        logged = {"method": method, "path": path, "body": body or {}, "idempotencyKey": idempotency_key}
        try:
            response = requests.request(method, self.base_url + path, json=body, headers=headers, timeout=self.timeout)
        except requests.Timeout as exc:
            return Answer(Outcome.UNKNOWN, operation, logged, {"exception": repr(exc)}, None, "TIMEOUT", str(exc))
        except requests.RequestException as exc:
            return Answer(Outcome.UNKNOWN, operation, logged, {"exception": repr(exc)}, None, "NETWORK_ERROR", str(exc))
        try:
            data = response.json()
            data = data if isinstance(data, dict) else {"raw": data}
        except ValueError:
            data = {"raw": response.text[:2000]}
        status = response.status_code
        if 200 <= status < 300:
            return Answer(
                Outcome.OK, operation, logged, normalise(data) if operation == "fetch" else {"raw": data}, status
            )
        code, message = str(data.get("type") or ""), str(data.get("message") or "")
        if status >= 500:
            outcome = Outcome.UNKNOWN
        elif status == 404 or code in NOT_FOUND_TYPES:
            outcome = Outcome.NOT_FOUND
        else:
            outcome = Outcome.DECLINED
        return Answer(outcome, operation, logged, {"raw": data}, status, code, message)


# --- webhooks: Standard Webhooks ------------------------------------------------------------------


class WebhookRejected(Exception):
    pass


def verify_webhook(secret: str, body: bytes, headers: dict, *, now: float | None = None) -> str:
    """Check a Standard Webhooks signature (webhook-id, webhook-timestamp, webhook-signature: space-
    separated "v1,<base64 HMAC-SHA256 of 'id.timestamp.body'>" keyed by the whsec_ secret) and the
    timestamp's freshness; return the webhook id (the dedup key) or raise WebhookRejected."""
    webhook_id = headers.get("webhook-id") or ""
    timestamp = headers.get("webhook-timestamp") or ""
    signatures = headers.get("webhook-signature") or ""
    if not (webhook_id and timestamp and signatures and secret):
        raise WebhookRejected("missing headers")
    try:
        sent_at = int(timestamp)
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except (ValueError, binascii.Error):
        raise WebhookRejected("malformed") from None
    if abs((now if now is not None else time.time()) - sent_at) > WEBHOOK_TOLERANCE_SECONDS:
        raise WebhookRejected("stale")
    signed = webhook_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for candidate in signatures.split(" "):
        version, _sep, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return webhook_id
    raise WebhookRejected("bad signature")
