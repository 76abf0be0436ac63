"""Where the counters move: orders' signals, core's metrics facade, Celery's task signals. Connected
once in OpsConfig.ready (weak=False: the handlers are module functions, kept for the process)."""

from __future__ import annotations

import logging
import threading
import time

from celery import signals as celery_signals
from django.conf import settings
from prometheus_client import CollectorRegistry, Gauge, pushadd_to_gateway

from apps.core import metrics as core_metrics
from apps.orders import events as order_events
from apps.orders.models import OrderStatus

from . import registry as m
from .context import CELERY_HEADER, current_request_id, request_id_var, sane_request_id

logger = logging.getLogger(__name__)


# --- orders ----------------------------------------------------------------------------------


def on_order_placed(sender, order, **kwargs) -> None:
    m.CHECKOUTS_STARTED.inc(channel=order.channel)


def on_order_paid(sender, order, **kwargs) -> None:
    m.CHECKOUTS_PAID.inc(channel=order.channel)


def on_order_canceled(sender, order, **kwargs) -> None:
    counter = m.ORDERS_EXPIRED if order.status == OrderStatus.EXPIRED else m.ORDERS_CANCELED
    counter.inc(channel=order.channel)


# --- core's facade ----------------------------------------------------------------------------


def on_business_event(sender, event: str, labels: dict, **kwargs) -> None:
    if event == core_metrics.PAYMENT_OUTCOME:
        m.PAYMENT_OUTCOMES.inc(provider=labels["provider"], outcome=labels["outcome"])
    elif event == core_metrics.WEBHOOK_RECEIVED:
        m.WEBHOOKS_RECEIVED.inc(provider=labels["provider"])
        if labels.get("duplicate") == "1":
            m.WEBHOOKS_DEDUPLICATED.inc(provider=labels["provider"])


def on_batch_finished(sender, job: str, duration: float, rows: int, ok: bool, finished_at: float, **kwargs) -> None:
    gateway = settings.PROMETHEUS_PUSHGATEWAY
    if gateway:
        try:
            push_batch_run(gateway, job, duration=duration, rows=rows, ok=ok, finished_at=finished_at)
            return
        except Exception as exc:  # keep the figures visible in /metrics rather than lose them
            logger.warning("push of batch job %s to %s failed: %r", job, gateway, exc)
    m.BATCH_LAST_DURATION.set(duration, job=job)
    if ok:
        m.BATCH_LAST_SUCCESS.set(finished_at, job=job)
        m.BATCH_LAST_ROWS.set(rows, job=job)
    else:
        m.BATCH_LAST_FAILURE.set(finished_at, job=job)


def push_batch_run(gateway: str, job: str, *, duration: float, rows: int, ok: bool, finished_at: float) -> None:
    """Push one run as the seed's batch programs do. POST (pushadd) replaces only the metrics sent,
    so a failed run leaves the last success (and its rows) in the gateway."""
    registry = CollectorRegistry()

    def gauge(metric: m.SharedGauge, value: float) -> None:
        Gauge(metric.name, metric.documentation, registry=registry).set(value)

    gauge(m.BATCH_LAST_DURATION, duration)
    if ok:
        gauge(m.BATCH_LAST_SUCCESS, finished_at)
        gauge(m.BATCH_LAST_ROWS, rows)
    else:
        gauge(m.BATCH_LAST_FAILURE, finished_at)
    pushadd_to_gateway(gateway, job=job, registry=registry, timeout=5)


# --- Celery ------------------------------------------------------------------------------------

_running: dict[str, tuple[float, object]] = {}  # task id → (start, context var token)
_running_lock = threading.Lock()


def _task_name(task) -> str:
    return getattr(task, "name", None) or "unknown"


def on_before_task_publish(sender=None, headers=None, **kwargs) -> None:
    """A task queued while serving a request (or by a task) carries that request id."""
    request_id = current_request_id()
    if request_id and isinstance(headers, dict):
        headers.setdefault(CELERY_HEADER, request_id)


def on_task_prerun(sender=None, task_id=None, task=None, **kwargs) -> None:
    request_id = sane_request_id(getattr(task.request, CELERY_HEADER, None)) if task is not None else None
    # Eager tasks run inside the request and already have its id; a worker takes it from the headers.
    token = request_id_var.set(request_id) if request_id else None
    with _running_lock:
        _running[task_id] = (time.perf_counter(), token)
    m.CELERY_TASKS_STARTED.inc(task=_task_name(task))


def on_task_postrun(sender=None, task_id=None, task=None, state=None, **kwargs) -> None:
    with _running_lock:
        started, token = _running.pop(task_id, (None, None))
    name = _task_name(task)
    if started is not None:
        m.CELERY_TASK_RUNTIME.observe(time.perf_counter() - started, task=name)
    if state == "SUCCESS":
        m.CELERY_TASKS_SUCCEEDED.inc(task=name)
    if token is not None:
        try:
            request_id_var.reset(token)
        except ValueError:  # reset from another context (should not happen): leave it
            request_id_var.set(None)


def on_task_failure(sender=None, task_id=None, exception=None, **kwargs) -> None:
    m.CELERY_TASK_FAILURES.inc(task=_task_name(sender))


def on_task_retry(sender=None, request=None, reason=None, **kwargs) -> None:
    m.CELERY_TASK_RETRIES.inc(task=_task_name(sender))


def connect() -> None:
    order_events.order_placed.connect(on_order_placed, dispatch_uid="ops.order_placed")
    order_events.order_paid.connect(on_order_paid, dispatch_uid="ops.order_paid")
    order_events.order_canceled.connect(on_order_canceled, dispatch_uid="ops.order_canceled")
    core_metrics.business_event.connect(on_business_event, dispatch_uid="ops.business_event")
    core_metrics.batch_finished.connect(on_batch_finished, dispatch_uid="ops.batch_finished")
    celery_signals.before_task_publish.connect(on_before_task_publish, weak=False, dispatch_uid="ops.publish")
    celery_signals.task_prerun.connect(on_task_prerun, weak=False, dispatch_uid="ops.prerun")
    celery_signals.task_postrun.connect(on_task_postrun, weak=False, dispatch_uid="ops.postrun")
    celery_signals.task_failure.connect(on_task_failure, weak=False, dispatch_uid="ops.failure")
    celery_signals.task_retry.connect(on_task_retry, weak=False, dispatch_uid="ops.retry")
