"""Webhooks: stored once by a dedup key, answered at once, applied by re-fetching the payment."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core import metrics
from apps.core.errors import DomainError, Invalid

from ..models import Payment, WebhookEvent
from ..providers import Outcome, get_provider
from ..providers.portone import WebhookRejected, verify_webhook
from ..state import IN_FLIGHT
from ._common import (
    S,
    _call_provider,
    _log,
)
from .confirm import payment_reconcile
from .refunds import _sync_external_cancels

# --- webhooks -------------------------------------------------------------------------------------


def webhook_dedup_key(payload: dict, headers: dict | None = None) -> str:
    headers = headers or {}
    transmission = headers.get("tosspayments-webhook-transmission-id")
    if transmission:
        return f"tx:{transmission}"[:200]
    event_type = str(payload.get("eventType", ""))
    data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
    if event_type == "PAYMENT_STATUS_CHANGED":
        parts = [data.get("paymentKey"), data.get("status"), data.get("lastTransactionKey"), data.get("balanceAmount")]
        return "psc:" + ":".join(str(p or "") for p in parts)[:190]
    if event_type == "DEPOSIT_CALLBACK" or "transactionKey" in payload:
        parts = [payload.get("orderId"), payload.get("transactionKey"), payload.get("status")]
        return "dep:" + ":".join(str(p or "") for p in parts)[:190]
    return "sha:" + hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def webhook_receive(payload: dict, *, headers: dict | None = None, provider: str = "toss") -> tuple[WebhookEvent, bool]:
    """Store a webhook once (by its dedup key) and queue it; a replay is recognised and ignored."""
    event_type = payload.get("eventType")
    if not event_type and "transactionKey" in payload and "orderId" in payload:
        event_type = "DEPOSIT_CALLBACK"  # DEPOSIT_CALLBACK bodies carry no eventType
    if not isinstance(event_type, str) or not event_type:
        raise Invalid("INVALID_WEBHOOK", _("eventType이 없습니다."))
    event, created = WebhookEvent.objects.get_or_create(
        provider=provider,
        dedup_key=webhook_dedup_key(payload, headers),
        defaults={"event_type": event_type[:50], "payload": payload},
    )
    metrics.record(metrics.WEBHOOK_RECEIVED, provider=provider, duplicate="0" if created else "1")
    if created:
        event_id = event.pk
        transaction.on_commit(lambda: _enqueue_webhook(event_id))
    return event, created


def _enqueue_webhook(event_id: int) -> None:
    from ..tasks import apply_webhook

    apply_webhook.delay(event_id)


class ProviderUnavailable(DomainError):
    status = 503


def webhook_apply(event_id: int) -> str:
    """Apply a stored webhook by re-fetching the payment from the provider (the body is never
    trusted) and moving its state forward only."""
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=event_id)
        if event.status in (WebhookEvent.Status.APPLIED, WebhookEvent.Status.IGNORED):
            return event.status
        event.attempts += 1
        event.save(update_fields=["attempts"])
    payload = event.payload
    data = payload.get("data") if isinstance(payload.get("data"), dict) else payload
    payment_key, order_id = str(data.get("paymentKey") or ""), str(data.get("orderId") or "")
    payment = None
    kinds = ["PORTONE"] if event.provider == PORTONE else ["TOSS", "SIMULATED"]
    if event.provider == PORTONE:
        order_id = str(data.get("paymentId") or "")  # PortOne's paymentId is our payment's public id
    if payment_key:
        payment = Payment.objects.filter(provider_ref=payment_key, kind__in=kinds).first()
    if payment is None and order_id:
        payment = Payment.objects.filter(public_id=order_id, kind__in=kinds).first()
    if payment is None:
        return _webhook_finish(event, WebhookEvent.Status.IGNORED, "no such payment")
    _log(payment.pk, "webhook", "RESPONSE", {"eventType": event.event_type, "payload": payload})
    if payment.status in IN_FLIGHT:
        payment_reconcile(payment.pk)
    elif payment.status in (S.DONE, S.PARTIAL_CANCELED):
        provider = get_provider(payment.kind)
        answer = _call_provider(payment, "fetch", lambda: provider.fetch(payment), reason="webhook")
        if answer.outcome is Outcome.UNKNOWN:
            _webhook_finish(event, WebhookEvent.Status.RECEIVED, answer.code or "provider unavailable")
            raise ProviderUnavailable("PROVIDER_UNAVAILABLE", _("결제사에 연결할 수 없습니다."))
        if answer.ok:
            _sync_external_cancels(payment.pk, answer.body)
    return _webhook_finish(event, WebhookEvent.Status.APPLIED, "")


def _webhook_finish(event: WebhookEvent, status: str, error: str) -> str:
    WebhookEvent.objects.filter(pk=event.pk).update(status=status, last_error=error, processed_at=timezone.now())
    return status


PORTONE = "portone"


def webhook_receive_portone(body: bytes, headers: dict) -> tuple[WebhookEvent, bool]:
    """A PortOne webhook: its Standard Webhooks signature checked with the whsec_ secret (a wrong
    or stale one is a 401 and nothing is stored), then stored once by its webhook-id — a replay of
    the same delivery is recognised — and applied by re-fetching the payment."""
    try:
        webhook_id = verify_webhook(getattr(settings, "PORTONE_WEBHOOK_SECRET", ""), body, headers)
    except WebhookRejected as exc:
        raise DomainError("INVALID_WEBHOOK_SIGNATURE", _("웹훅 서명이 올바르지 않습니다."), status=401) from exc
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        raise Invalid("INVALID_WEBHOOK", _("웹훅 본문이 올바르지 않습니다."))
    event, created = WebhookEvent.objects.get_or_create(
        provider=PORTONE,
        dedup_key=f"wh:{webhook_id}"[:200],
        defaults={"event_type": payload["type"][:50], "payload": payload},
    )
    metrics.record(metrics.WEBHOOK_RECEIVED, provider=PORTONE, duplicate="0" if created else "1")
    if created:
        event_id = event.pk
        transaction.on_commit(lambda: _enqueue_webhook(event_id))
    return event, created
