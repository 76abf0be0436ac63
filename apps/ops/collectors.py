"""Figures computed when `/metrics` is scraped: Redis-kept counters, the Celery queue length and a
few database gauges. A failing part is reported as `cloudpos_scrape_error{part}` instead of failing
the whole scrape, so a database outage still shows the queue growing."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import lru_cache

import redis
from django.conf import settings
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from apps.kitchen.models import TicketStatus

from . import selectors, shared

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _broker(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


def queue_length() -> int | None:
    """Messages waiting in the default Celery queue (a Redis list named after the queue); None when
    the broker is not Redis (the embedded default runs tasks eagerly)."""
    url = settings.CELERY_BROKER_URL or ""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    return int(_broker(url).llen(settings.CELERY_TASK_DEFAULT_QUEUE))


def _queue() -> Iterator[Metric]:
    length = queue_length()
    if length is not None:
        family = GaugeMetricFamily(
            "cloudpos_celery_queue_length", "Messages waiting in a Celery queue", labels=["queue"]
        )
        family.add_metric([settings.CELERY_TASK_DEFAULT_QUEUE], length)
        yield family


def _database() -> Iterator[Metric]:
    payments = GaugeMetricFamily(
        "cloudpos_payments_unknown", "Payments in UNKNOWN waiting for reconciliation", labels=["provider"]
    )
    for provider, count in sorted(selectors.payments_unknown_by_provider().items()):
        payments.add_metric([provider], count)
    yield payments
    refunds = GaugeMetricFamily(
        "cloudpos_refunds_unknown", "Refunds whose provider answer was lost (UNKNOWN)", labels=["provider"]
    )
    for provider, count in sorted(selectors.refunds_unknown_by_provider().items()):
        refunds.add_metric([provider], count)
    yield refunds
    open_tickets = selectors.kitchen_tickets_open(timezone.now())
    tickets = GaugeMetricFamily(
        "cloudpos_kitchen_tickets_open", "Kitchen tickets not yet handed over, by status", labels=["status"]
    )
    oldest = GaugeMetricFamily(
        "cloudpos_kitchen_ticket_oldest_age_seconds", "Age of the oldest open kitchen ticket", labels=["status"]
    )
    for status in (TicketStatus.NEW, TicketStatus.READY):
        count, age = open_tickets.get(status, (0, 0.0))
        tickets.add_metric([status], count)
        oldest.add_metric([status], age)
    yield tickets
    yield oldest
    close = GaugeMetricFamily(
        "cloudpos_business_day_close_age_seconds",
        "Seconds since the end of the oldest business day closed, per store group (timezone, cutoff hour); "
        "above 26 h a close was missed",
        labels=["timezone", "cutoff_hour"],
    )
    for (tz, cutoff), age in sorted(selectors.close_age_by_store_group(timezone.now()).items()):
        close.add_metric([tz, str(cutoff)], age)
    yield close


PARTS = {"shared": shared.collect, "queue": _queue, "database": _database}


class ScrapeCollector:
    def collect(self) -> Iterator[Metric]:
        errors = GaugeMetricFamily("cloudpos_scrape_error", "1 when a part of the scrape failed", labels=["part"])
        for part, produce in PARTS.items():
            try:
                families = list(produce())
            except Exception as exc:  # one unreachable backend must not hide the other figures
                logger.warning("metrics part %s failed: %r", part, exc)
                errors.add_metric([part], 1)
                continue
            errors.add_metric([part], 0)
            yield from families
        yield errors
