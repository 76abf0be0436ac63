"""Settlement periods around the settlement day and month ends, DRAFT → CONFIRMED, fees."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from apps.payments.models import PaymentMethod
from apps.settlement.fees import fee_for
from apps.settlement.models import Settlement
from apps.settlement.services import rollups_build, settlement_period_for, settlement_refresh
from tests.factories import StoreFactory

from . import factories as fx

SEOUL = ZoneInfo("Asia/Seoul")


class _S:
    def __init__(self, day):
        self.settlement_day = day


@pytest.mark.parametrize(
    ("settlement_day", "day", "start", "end"),
    [
        (28, date(2025, 2, 28), date(2025, 1, 29), date(2025, 2, 28)),  # day 28 in February
        (28, date(2025, 3, 1), date(2025, 3, 1), date(2025, 3, 28)),  # the day after
        (28, date(2024, 2, 29), date(2024, 2, 29), date(2024, 3, 28)),  # leap day opens March's period
        (28, date(2025, 1, 29), date(2025, 1, 29), date(2025, 2, 28)),
        (28, date(2025, 12, 31), date(2025, 12, 29), date(2026, 1, 28)),  # across the year end
        (1, date(2025, 3, 1), date(2025, 2, 2), date(2025, 3, 1)),  # the settlement day closes its period
        (1, date(2025, 3, 2), date(2025, 3, 2), date(2025, 4, 1)),
        (15, date(2025, 1, 15), date(2024, 12, 16), date(2025, 1, 15)),
        (15, date(2025, 1, 16), date(2025, 1, 16), date(2025, 2, 15)),
    ],
)
def test_period_runs_from_the_day_after_the_previous_settlement_day(settlement_day, day, start, end):
    assert settlement_period_for(_S(settlement_day), day) == (start, end)


def test_periods_tile_the_calendar_without_gaps_or_overlaps():
    for settlement_day in (1, 14, 28):
        store = _S(settlement_day)
        day = date(2023, 12, 1)
        while day < date(2025, 3, 1):
            start, end = settlement_period_for(store, day)
            assert start <= day <= end and end.day == settlement_day
            assert settlement_period_for(store, end + timedelta(days=1))[0] == end + timedelta(days=1)
            day += timedelta(days=1)


@pytest.mark.parametrize(("base", "bp", "fee"), [(10_000, 180, 180), (1_250, 200, 25), (1_249, 4, 0), (1_250, 4, 1),
                                                 (-1_250, 4, -1), (0, 300, 0), (33_333, 333, 1110)])  # fmt: skip
def test_fee_rounds_half_away_from_zero_to_the_won(base, bp, fee):
    assert fee_for(base, bp) == fee


@pytest.mark.django_db
def test_settlement_is_draft_until_the_period_is_over_then_confirmed_and_frozen(owner):
    # given a store settling on the 28th with card sales late on Feb 28 (before the 04:00 cutoff on Mar 1)
    store = StoreFactory(owner=owner, settlement_day=28, cutoff_hour=4)
    card = fx.method(store, PaymentMethod.Kind.CARD_TERMINAL, 250, "카드")
    cash = fx.method(store, PaymentMethod.Kind.CASH, 0, "현금")
    coffee = fx.product(store)
    fx.sale(store, datetime(2025, 1, 29, 10, tzinfo=SEOUL), [(coffee, 2, 4500, 0)], [(card, None)])
    fx.sale(store, datetime(2025, 3, 1, 3, 30, tzinfo=SEOUL), [(coffee, 1, 10_000, 0)], [(cash, 4000), (card, None)])
    fx.sale(store, datetime(2025, 3, 1, 4, 0, tzinfo=SEOUL), [(coffee, 1, 7_000, 0)], [(card, None)])  # next period
    rollups_build(store, date(2025, 1, 28), date(2025, 3, 2))

    # when the period ending Feb 28 is refreshed during its last business day (Mar 1, 03:59)
    draft = settlement_refresh(store, date(2025, 2, 28), now=datetime(2025, 3, 1, 3, 59, tzinfo=SEOUL))

    # then it is a DRAFT with gross by method, fees per day and the net payout
    assert draft.status == Settlement.Status.DRAFT
    assert (draft.period_start, draft.period_end) == (date(2025, 1, 29), date(2025, 2, 28))
    lines = {line.method_name: line for line in draft.lines.all()}
    assert lines["카드"].gross_amount == 9000 + 6000 and lines["현금"].gross_amount == 4000
    assert lines["카드"].fee_amount == fee_for(9000, 250) + fee_for(6000, 250)
    assert draft.gross_amount == 19_000
    assert draft.net_payout == 19_000 - draft.fee_amount

    # when refreshed after the cutoff it is CONFIRMED; a later rebuild does not change it
    confirmed = settlement_refresh(store, date(2025, 2, 28), now=datetime(2025, 3, 1, 4, 0, tzinfo=SEOUL))
    assert confirmed.status == Settlement.Status.CONFIRMED and confirmed.confirmed_at
    fx.sale(store, datetime(2025, 2, 10, 12, tzinfo=SEOUL), [(coffee, 1, 50_000, 0)], [(card, None)])
    rollups_build(store, date(2025, 2, 10))
    again = settlement_refresh(store, date(2025, 2, 28))
    assert again.gross_amount == 19_000 and again.status == Settlement.Status.CONFIRMED


@pytest.mark.django_db
def test_refresh_rejects_a_date_that_is_not_a_settlement_day(store):
    from apps.core.errors import Invalid

    with pytest.raises(Invalid):
        settlement_refresh(store, date(2025, 2, 27))
