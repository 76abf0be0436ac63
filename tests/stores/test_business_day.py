from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from apps.stores.business_day import business_date_for, business_day_bounds, next_cutoff
from apps.stores.models import Store

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2026, 3, 10, 1, 30, tzinfo=SEOUL), date(2026, 3, 9)),
        (datetime(2026, 3, 10, 3, 59, tzinfo=SEOUL), date(2026, 3, 9)),
        (datetime(2026, 3, 10, 4, 0, tzinfo=SEOUL), date(2026, 3, 10)),
        (datetime(2026, 3, 10, 23, 59, tzinfo=SEOUL), date(2026, 3, 10)),
    ],
)
def test_sales_before_the_cutoff_belong_to_the_previous_business_day(local, expected):
    store = Store(timezone="Asia/Seoul", cutoff_hour=4)
    assert business_date_for(store, local) == expected


def test_business_day_follows_the_store_timezone_not_the_server_one():
    # 2026-03-10 18:30 UTC is 03:30 in Seoul (previous day) but 14:30 in New York.
    at = datetime(2026, 3, 10, 18, 30, tzinfo=ZoneInfo("UTC"))
    assert business_date_for(Store(timezone="Asia/Seoul", cutoff_hour=4), at) == date(2026, 3, 10)
    assert business_date_for(Store(timezone="America/New_York", cutoff_hour=4), at) == date(2026, 3, 10)
    at = datetime(2026, 3, 10, 20, 30, tzinfo=ZoneInfo("UTC"))  # 05:30 next day in Seoul
    assert business_date_for(Store(timezone="Asia/Seoul", cutoff_hour=4), at) == date(2026, 3, 11)


def test_bounds_and_next_cutoff():
    store = Store(timezone="Asia/Seoul", cutoff_hour=4)
    start, end = business_day_bounds(store, date(2026, 3, 9))
    assert start == datetime(2026, 3, 9, 4, tzinfo=SEOUL)
    assert end == datetime(2026, 3, 10, 4, tzinfo=SEOUL)
    assert next_cutoff(store, datetime(2026, 3, 10, 1, 30, tzinfo=SEOUL)) == end
