"""When a discount is in force: validity period, weekdays, a daily time window and the channel.

Pure functions over `DiscountRule` (no database), shared by `selectors.pricing_context`, the
admin's "in force now" column and the tests.

- `valid_from` / `valid_to` are instants: in force from `valid_from` (inclusive) until
  `valid_to` (exclusive).
- Weekdays and the time window are read on the store's wall clock (its timezone), not the
  server's: a 14:00–17:00 happy hour in Seoul is 14:00–17:00 in Seoul wherever the server runs.
- A window whose end is before its start runs across midnight (22:00–02:00). The early-morning
  part belongs to the weekday the window started on: with weekdays = {Fri}, Saturday 01:00 is
  inside (Friday night's window) and Friday 01:00 is not (that was Thursday night's).
- start == end is a full 24-hour window starting at that time (it still decides the weekday).
  Only a start: from the start until midnight. Only an end: from midnight until the end.
- Empty weekdays means every day. Channel "ALL" matches every channel.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from .pricing import DiscountRule

CHANNEL_ALL = "ALL"


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def window_weekday(rule: DiscountRule, local: datetime) -> int | None:
    """The ISO weekday of the window `local` falls in, or None when it falls in no window."""
    start, end, now = rule.time_start, rule.time_end, local.time()
    if start is None and end is None:
        return local.isoweekday()
    if end is None:
        return local.isoweekday() if now >= start else None
    if start is None:
        return local.isoweekday() if now < end else None
    if start < end:
        return local.isoweekday() if start <= now < end else None
    # Across midnight (or start == end: 24 hours): after the start it is today's window; before
    # the end it is the tail of yesterday's window.
    if now >= start:
        return local.isoweekday()
    if now < end or start == end:
        return (local - timedelta(days=1)).isoweekday()
    return None


def rule_in_force(rule: DiscountRule, *, at: datetime, tz: str | ZoneInfo, channel: str | None = None) -> bool:
    """Whether `rule` applies at the instant `at` (aware) in a store on `tz`, for `channel`.

    `channel=None` skips the channel check (the admin's "in force now" covers every channel).
    """
    if at.tzinfo is None:
        raise ValueError("`at` must be timezone-aware")
    if rule.valid_from is not None and at < rule.valid_from:
        return False
    if rule.valid_to is not None and at >= rule.valid_to:
        return False
    if channel is not None and rule.channel not in (CHANNEL_ALL, channel):
        return False
    weekday = window_weekday(rule, at.astimezone(_zone(tz)))
    if weekday is None:
        return False
    return not rule.weekdays or weekday in rule.weekdays
