"""The quick "received" amounts on the cash screen."""

import pytest

from apps.pos.cash import quick_cash_amounts


@pytest.mark.parametrize(
    "due, amounts",
    [
        (12_300, [13_000, 15_000, 20_000, 50_000]),
        (7_200, [8_000, 10_000, 50_000]),
        (3_000, [5_000, 10_000, 50_000]),  # 3,000 itself is the "exact" button
        (10_000, [50_000]),
        (48_500, [49_000, 50_000]),
        (50_000, []),
        (120_000, [150_000]),
        (0, []),
    ],
)
def test_next_bill_amounts_are_computed_and_deduplicated(due, amounts):
    assert quick_cash_amounts(due) == amounts
