"""When a discount is in force: period, weekdays, time windows (across midnight), timezone, channel."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from apps.discounts.rules import rule_in_force

from .helpers import rule

SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")
MON, TUE, WED, THU, FRI, SAT, SUN = range(1, 8)


def seoul(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SEOUL)


# 2024-03-01 is a Friday.
HAPPY_HOUR = rule(time_start=time(14), time_end=time(17), weekdays=frozenset({MON, TUE, WED, THU, FRI}))
LATE_NIGHT_FRI = rule(time_start=time(22), time_end=time(2), weekdays=frozenset({FRI}))


@pytest.mark.parametrize(
    ("the_rule", "at", "expected"),
    [
        (HAPPY_HOUR, seoul(2024, 3, 1, 14, 0), True),  # start is inclusive
        (HAPPY_HOUR, seoul(2024, 3, 1, 16, 59), True),
        (HAPPY_HOUR, seoul(2024, 3, 1, 17, 0), False),  # end is exclusive
        (HAPPY_HOUR, seoul(2024, 3, 1, 13, 59), False),
        (HAPPY_HOUR, seoul(2024, 3, 2, 15, 0), False),  # Saturday
        # across midnight: the early-morning part belongs to the weekday the window started on
        (LATE_NIGHT_FRI, seoul(2024, 3, 1, 22, 0), True),  # Friday 22:00
        (LATE_NIGHT_FRI, seoul(2024, 3, 1, 23, 59), True),
        (LATE_NIGHT_FRI, seoul(2024, 3, 2, 1, 30), True),  # Saturday 01:30 = Friday night
        (LATE_NIGHT_FRI, seoul(2024, 3, 2, 2, 0), False),
        (LATE_NIGHT_FRI, seoul(2024, 3, 1, 1, 30), False),  # Friday 01:30 = Thursday night
        (LATE_NIGHT_FRI, seoul(2024, 3, 2, 22, 30), False),  # Saturday night
        (LATE_NIGHT_FRI, seoul(2024, 3, 1, 12, 0), False),
        (rule(time_start=time(22), time_end=time(2)), seoul(2024, 3, 5, 0, 30), True),  # every day
        # start == end: a 24-hour window from 04:00, weekday decided by its start
        (rule(time_start=time(4), time_end=time(4), weekdays=frozenset({FRI})), seoul(2024, 3, 2, 3, 59), True),
        (rule(time_start=time(4), time_end=time(4), weekdays=frozenset({FRI})), seoul(2024, 3, 2, 4, 0), False),
        (rule(time_start=time(18)), seoul(2024, 3, 1, 23, 0), True),  # only a start: until midnight
        (rule(time_start=time(18)), seoul(2024, 3, 2, 0, 30), False),
        (rule(time_end=time(11)), seoul(2024, 3, 1, 10, 59), True),  # only an end: from midnight
        (rule(time_end=time(11)), seoul(2024, 3, 1, 11, 0), False),
        (rule(weekdays=frozenset({SUN})), seoul(2024, 3, 3, 23, 59), True),
        (rule(weekdays=frozenset({SUN})), seoul(2024, 3, 4, 0, 0), False),
    ],
)
def test_time_windows_and_weekdays(the_rule, at, expected):
    assert rule_in_force(the_rule, at=at, tz=SEOUL) is expected


@pytest.mark.parametrize(
    ("at_utc", "tz", "expected"),
    [
        # 05:30 UTC = 14:30 in Seoul (happy hour) but 00:30 in New York (not)
        (datetime(2024, 3, 1, 5, 30, tzinfo=UTC), SEOUL, True),
        (datetime(2024, 3, 1, 5, 30, tzinfo=UTC), NEW_YORK, False),
        # 19:30 UTC Friday = 14:30 Friday in New York, but 04:30 Saturday in Seoul
        (datetime(2024, 3, 1, 19, 30, tzinfo=UTC), NEW_YORK, True),
        (datetime(2024, 3, 1, 19, 30, tzinfo=UTC), SEOUL, False),
        # the store's timezone given by name works the same
        (datetime(2024, 3, 1, 19, 30, tzinfo=UTC), "America/New_York", True),
    ],
)
def test_evaluated_on_the_store_clock(at_utc, tz, expected):
    assert rule_in_force(HAPPY_HOUR, at=at_utc, tz=tz) is expected


def test_across_midnight_in_another_timezone():
    # Friday 22:00–02:00 in New York; 2024-03-02 06:30 UTC = Saturday 01:30 in New York (Friday night)
    assert rule_in_force(LATE_NIGHT_FRI, at=datetime(2024, 3, 2, 6, 30, tzinfo=UTC), tz=NEW_YORK)
    # … the same instant in Seoul is Saturday 15:30: not in the window
    assert not rule_in_force(LATE_NIGHT_FRI, at=datetime(2024, 3, 2, 6, 30, tzinfo=UTC), tz=SEOUL)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (seoul(2024, 3, 1, 9), True),  # valid_from inclusive
        (seoul(2024, 3, 1, 8, 59), False),
        (seoul(2024, 3, 31, 23, 59), True),
        (seoul(2024, 4, 1, 0, 0), False),  # valid_to exclusive
    ],
)
def test_validity_period(at, expected):
    the_rule = rule(valid_from=seoul(2024, 3, 1, 9), valid_to=seoul(2024, 4, 1, 0))
    assert rule_in_force(the_rule, at=at, tz=SEOUL) is expected


@pytest.mark.parametrize(
    ("rule_channel", "channel", "expected"),
    [
        ("ALL", "POS", True),
        ("ALL", "KIOSK", True),
        ("KIOSK", "KIOSK", True),
        ("KIOSK", "POS", False),
        ("TABLE", None, True),
    ],
)
def test_channel(rule_channel, channel, expected):
    assert rule_in_force(rule(channel=rule_channel), at=seoul(2024, 3, 1, 12), tz=SEOUL, channel=channel) is expected


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError):
        rule_in_force(rule(), at=datetime(2024, 3, 1, 12), tz=SEOUL)
