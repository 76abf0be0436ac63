"""Money helpers: integer-only rounding, VAT split, percent rounding and exact allocation."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.core.money import allocate, format_won, percent_of, round_half_up, vat_split


@pytest.mark.parametrize(
    ("taxable", "supply", "vat"),
    [
        (15_000, 13_636, 1_364),
        (30_000, 27_273, 2_727),
        (1_000, 909, 91),
        (0, 0, 0),
        (11, 10, 1),
        (5, 5, 0),  # 5/11 = 0.4545… rounds down
        (6, 5, 1),  # 0.545 → 1
        (4_500, 4_091, 409),
        (110, 100, 10),
        (1_100_000, 1_000_000, 100_000),
        (-15_000, -13_636, -1_364),  # a refund is the mirror image of the sale
    ],
)
def test_vat_split_table(taxable, supply, vat):
    # given a VAT-inclusive total / when it is split / then supply + VAT add back up exactly
    assert vat_split(taxable) == (supply, vat)
    assert supply + vat == taxable


@pytest.mark.parametrize(
    ("value", "divisor", "expected"),
    [
        (15, 10, 2),  # 1.5 → 2 (half up)
        (25, 10, 3),
        (14, 10, 1),
        (-15, 10, -2),  # halves go away from zero
        (Fraction(1, 2), 1, 1),
        (Decimal("2.5"), 1, 3),
        (Decimal("2.4999"), 1, 2),
        (7, 1, 7),
    ],
)
def test_round_half_up(value, divisor, expected):
    assert round_half_up(value, divisor) == expected


@pytest.mark.parametrize("bad", [1.5, 0.1, True])
def test_floats_are_refused(bad):
    with pytest.raises(TypeError):
        round_half_up(bad)
    with pytest.raises(TypeError):
        vat_split(bad)
    with pytest.raises(TypeError):
        percent_of(1000, bad) if not isinstance(bad, bool) else percent_of(bad, 10)
    with pytest.raises(TypeError):
        allocate(100, [bad, 1])


@pytest.mark.parametrize(
    ("amount", "pct", "expected"),
    [
        (10_000, 10, 1_000),
        (9_900, 15, 1_485),
        (999, 10, 99),  # 99.9 rounds down
        (4_500, 33, 1_485),
        (1, 50, 0),  # half a won is no won
        (3_333, 100, 3_333),
        (0, 30, 0),
        (1_000, Decimal("12.5"), 125),
    ],
)
def test_percent_of_rounds_down(amount, pct, expected):
    assert percent_of(amount, pct) == expected


@pytest.mark.parametrize(
    ("amount", "weights", "expected"),
    [
        (100, [1, 1, 1], [34, 33, 33]),  # tie on remainder and weight: earlier position wins
        (1_000, [3_000, 7_000], [300, 700]),
        (10, [1, 2], [3, 7]),  # 3.33/6.67 → the larger remainder gets the extra won
        (5, [0, 10, 0], [0, 5, 0]),
        (0, [0, 0], [0, 0]),
        (0, [], []),
        (-100, [1, 1, 1], [-34, -33, -33]),
        (7, [5, 5, 2], [3, 3, 1]),
    ],
)
def test_allocate_table(amount, weights, expected):
    assert allocate(amount, weights) == expected
    assert sum(allocate(amount, weights)) == amount


def test_allocate_rejects_impossible_inputs():
    with pytest.raises(ValueError):
        allocate(5, [0, 0])
    with pytest.raises(ValueError):
        allocate(5, [])
    with pytest.raises(ValueError):
        allocate(5, [3, -1])


@given(amount=st.integers(0, 10**9), weights=st.lists(st.integers(0, 10**7), min_size=1, max_size=30))
def test_allocate_properties(amount, weights):
    if sum(weights) == 0:
        return
    parts = allocate(amount, weights)
    # then the parts add up exactly, follow the weights to within one won, and a zero weight gets nothing
    assert sum(parts) == amount
    total = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert part * total <= amount * weight + total
        assert part * total >= amount * weight - total
        if weight == 0:
            assert part == 0
        if amount <= total:
            assert part <= weight


@given(st.integers(-(10**12), 10**12))
def test_vat_split_properties(total):
    supply, vat = vat_split(total)
    assert supply + vat == total
    # VAT is within half a won of total/11
    assert abs(vat * 11 - total) * 2 <= 11


def test_format_won():
    assert format_won(12_300) == "12,300원"
    assert format_won(-500) == "-500원"
    assert format_won(0) == "0원"
    assert format_won(None) == ""
