"""Thin Celery wrappers: load by id, call a service. Late acks so a worker that dies mid-task leaves
the message for another worker; every service here is safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services
from .models import PaymentStatus

TRANSIENT = (OperationalError, InterfaceError, services.ProviderUnavailable)


@shared_task(
    name="payments.confirm_payment",
    bind=True,
    acks_late=True,
    max_retries=5,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=600,
)
def confirm_payment(self, payment_id: int) -> str:
    status = services.payment_confirm(payment_id)
    if status == PaymentStatus.UNKNOWN and self.request.retries < self.max_retries:
        # The answer was lost or the provider failed: look again later (30 s, 60 s, 120 s …); the
        # retry fetches first and confirms again only with the same idempotency key.
        raise self.retry(countdown=int(services.RECONCILE_AFTER.total_seconds()) * 2**self.request.retries)
    return status


@shared_task(name="payments.reconcile_payments", acks_late=True)
def reconcile_payments() -> int:
    # The same beat entry (every 30 s) settles refunds whose cancel answer was lost, and cash
    # receipts whose issue answer was.
    return services.payments_reconcile_due() + services.refunds_reconcile_due() + services.cash_receipts_reconcile_due()


@shared_task(name="payments.reconcile_refunds", acks_late=True)
def reconcile_refunds() -> int:
    return services.refunds_reconcile_due()


@shared_task(
    name="payments.apply_webhook",
    bind=True,
    acks_late=True,
    max_retries=8,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    retry_backoff_max=3600,
)
def apply_webhook(self, event_id: int) -> str:
    return services.webhook_apply(event_id)
