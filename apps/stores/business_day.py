"""A store's business day: its own timezone and cutoff hour. With a 04:00 cutoff, a sale at 01:30
belongs to the previous business date; the business date D runs from D 04:00 to D+1 04:00 local."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .models import Store


def store_tz(store: Store) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(store.timezone)


def business_date_for(store: Store, at: datetime | None = None) -> date:
    local = timezone.localtime(at or timezone.now(), store_tz(store))
    if local.hour < store.cutoff_hour:
        return local.date() - timedelta(days=1)
    return local.date()


def business_day_bounds(store: Store, day: date) -> tuple[datetime, datetime]:
    """[start, end) of business date `day` as aware datetimes."""
    tz = store_tz(store)
    start = datetime.combine(day, time(store.cutoff_hour), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(store.cutoff_hour), tzinfo=tz)
    return start, end


def next_cutoff(store: Store, at: datetime | None = None) -> datetime:
    """The first cutoff strictly after `at`: when today's business day ends."""
    return business_day_bounds(store, business_date_for(store, at))[1]
