"""Read-only aggregates for the scrape-time gauges and the readiness probe. Each is one small
GROUP BY on an indexed column (or a table that stays small), cheap enough for a scrape every 15 s.
They read other apps' models without writing them; no domain selector answers these questions."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Min

from apps.kitchen.models import Ticket, TicketStatus
from apps.payments.models import Payment, PaymentStatus, Refund
from apps.settlement.models import RollupState
from apps.stores.business_day import business_day_bounds
from apps.stores.models import Store


def payments_unknown_by_provider() -> dict[str, int]:
    """Payments whose outcome is lost (UNKNOWN), waiting for reconciliation, by provider kind."""
    rows = Payment.objects.filter(status=PaymentStatus.UNKNOWN).values("kind").annotate(n=Count("id"))
    return {row["kind"]: row["n"] for row in rows.order_by()}


def refunds_unknown_by_provider() -> dict[str, int]:
    rows = (
        Refund.objects.filter(status=Refund.Status.UNKNOWN).values("payment__kind").annotate(n=Count("id")).order_by()
    )
    return {row["payment__kind"]: row["n"] for row in rows}


def kitchen_tickets_open(now: datetime) -> dict[str, tuple[int, float]]:
    """Open kitchen tickets by status (NEW, READY): how many, and the age in seconds of the oldest.
    A NEW ticket that keeps getting older means a station's screen is off or nobody is looking."""
    rows = (
        Ticket.objects.filter(status__in=[TicketStatus.NEW, TicketStatus.READY])
        .values("status")
        .annotate(n=Count("id"), oldest=Min("created_at"))
        .order_by()
    )
    return {row["status"]: (row["n"], max(0.0, (now - row["oldest"]).total_seconds())) for row in rows}


def close_age_by_store_group(now: datetime) -> dict[tuple[str, int], float]:
    """Per store group (stores sharing a timezone and cutoff hour, which the beat close treats
    alike): seconds since the end of the oldest business day closed in the group. A healthy close
    keeps it under 24 h 15 min (a day ends, the 15-minute beat closes it); more means a close was
    missed for at least one store of the group."""
    rows = (
        RollupState.objects.filter(last_closed_date__isnull=False)
        .values("store__timezone", "store__cutoff_hour")
        .annotate(oldest=Min("last_closed_date"))
        .order_by()
    )
    ages = {}
    for row in rows:
        group = Store(timezone=row["store__timezone"], cutoff_hour=row["store__cutoff_hour"])
        ended = business_day_bounds(group, row["oldest"])[1]
        ages[(group.timezone, group.cutoff_hour)] = max(0.0, (now - ended).total_seconds())
    return ages
