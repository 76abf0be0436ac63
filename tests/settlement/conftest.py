from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import StoreFactory

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture
def other_owner_store(db):
    """A store of somebody else: every view must answer 404 for it."""
    return StoreFactory()


# Instants the reports must be right at, all in the default store timezone (Asia/Seoul, cutoff 04:00).
REPORT_INSTANTS = {
    "monday": datetime(2026, 12, 7, 10, 0, tzinfo=SEOUL),  # "this week" is today only
    "sunday-late": datetime(2026, 12, 6, 23, 30, tzinfo=SEOUL),  # the week's last day
    "first-of-month": datetime(2026, 12, 1, 12, 0, tzinfo=SEOUL),  # a Tuesday: "this month" is today only
    "leap-day": datetime(2028, 2, 29, 12, 0, tzinfo=SEOUL),
    "year-end": datetime(2027, 12, 31, 23, 59, tzinfo=SEOUL),
    # Monday 1 March by the calendar, but before the cutoff: business date Sunday 28 February.
    "before-cutoff": datetime(2027, 3, 1, 3, 59, tzinfo=SEOUL),
    # The cutoff itself: business date Monday 1 March, a new week and a new month at once.
    "at-cutoff": datetime(2027, 3, 1, 4, 0, tzinfo=SEOUL),
}


@pytest.fixture
def clock(request):
    """Freeze the clock (time-machine) at one of REPORT_INSTANTS, a Monday unless the test picks
    others with `@pytest.mark.parametrize("clock", [...], indirect=True)`. Put it first in a test's
    arguments, so that the logins and rows the other fixtures make happen at that instant too."""
    at = REPORT_INSTANTS[getattr(request, "param", "monday")]
    with time_machine.travel(at, tick=False):
        yield at
