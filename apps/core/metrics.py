"""Operational events that domain services report where no domain signal exists.

apps.ops (Prometheus metrics, Pushgateway) sits on top of every app, so domain code may not import
it. Orders already send `order_placed` / `order_paid` / `order_canceled`, and ops listens to those
directly; payments and the settlement batch jobs have no signal for what an operator needs (a
payment's outcome, a webhook replay, a batch run's duration), so they call this small facade in
core, which every app may import, and ops subscribes to `business_event` / `batch_finished`.

Events are sent after the surrounding transaction commits (a rolled-back payment move must not be
counted) and robustly: a broken metrics receiver never fails a checkout.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

business_event = Signal()  # event=, labels= (dict of str → str)
batch_finished = Signal()  # job=, duration=, rows=, ok=, finished_at=

# Event names (label keys in brackets).
PAYMENT_OUTCOME = "payment_outcome"  # [provider, outcome]: a payment moved to a status
WEBHOOK_RECEIVED = "webhook_received"  # [provider, duplicate]: "1" for a replay recognised by its dedup key

# Batch jobs (the `job` label of the batch metrics and the Pushgateway job name).
JOB_BUSINESS_DAY_CLOSE = "business_day_close"
JOB_REBUILD_ROLLUPS = "rebuild_rollups"


def _send_robust(signal: Signal, **kwargs) -> None:
    for receiver, result in signal.send_robust(sender=None, **kwargs):
        if isinstance(result, Exception):
            logger.warning("metrics receiver %r failed: %r", receiver, result)


def record(event: str, **labels: str) -> None:
    """Report one business event, after the current transaction commits (at once outside one)."""
    labels = {key: str(value) for key, value in labels.items()}
    transaction.on_commit(lambda: _send_robust(business_event, event=event, labels=labels))


@dataclass
class BatchRun:
    job: str
    rows: int = 0


@contextmanager
def batch_job(job: str) -> Iterator[BatchRun]:
    """Time a batch job: `with batch_job(JOB_…) as run: run.rows = build()`. A run that raises is
    reported as failed (its last success stays as it was) and the exception propagates."""
    run = BatchRun(job)
    started = time.monotonic()
    ok = False
    try:
        yield run
        ok = True
    finally:
        _send_robust(
            batch_finished,
            job=job,
            duration=time.monotonic() - started,
            rows=run.rows,
            ok=ok,
            finished_at=time.time(),
        )
