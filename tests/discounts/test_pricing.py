"""The pricing engine, rule by rule (pure: no database)."""

import pytest

from apps.core.errors import Invalid
from apps.discounts.pricing import (
    COUPON_APPLIED,
    COUPON_MIN_ORDER_NOT_MET,
    COUPON_NOT_APPLICABLE,
    ManualDiscount,
    PricingContext,
    price_order,
)

from .helpers import line, rule

NO_DISCOUNTS = PricingContext()


def by_key(priced):
    return {p.key: p for p in priced.lines}


def test_gross_includes_options_and_quantity():
    # given a 4,500원 latte with a 500원 shot, two of them
    priced = price_order([line("latte", price=4_500, options=500, qty=2)], NO_DISCOUNTS)
    # then the unit price includes the option and VAT is split once over the order
    (p,) = priced.lines
    assert (p.unit_price, p.gross, p.net, p.discount) == (5_000, 10_000, 10_000, 0)
    assert (priced.gross, priced.total, priced.taxable, priced.supply, priced.vat) == (
        10_000,
        10_000,
        10_000,
        9_091,
        909,
    )


@pytest.mark.parametrize(
    ("lines", "taxable", "tax_free", "supply", "vat"),
    [
        ([line("a", price=15_000)], 15_000, 0, 13_636, 1_364),
        ([line("a", price=15_000), line("b", price=3_000, tax="TAX_FREE")], 15_000, 3_000, 13_636, 1_364),
        ([line("b", price=3_000, tax="TAX_FREE")], 0, 3_000, 0, 0),
        # VAT once over the taxable total, not per line (per line: 91 + 91 + 91 = 273, order: 273)
        ([line("a", price=1_000), line("b", price=1_000), line("c", price=1_000)], 3_000, 0, 2_727, 273),
        # per line would be 1+1 (= 2), per order 12/11 → 1: the order rule wins
        ([line("a", price=6), line("b", price=6)], 12, 0, 11, 1),
    ],
)
def test_mixed_taxable_and_tax_free_orders(lines, taxable, tax_free, supply, vat):
    priced = price_order(lines, NO_DISCOUNTS)
    assert (priced.taxable, priced.tax_free, priced.supply, priced.vat) == (taxable, tax_free, supply, vat)
    assert priced.total == taxable + tax_free
    assert priced.supply + priced.vat == priced.taxable


@pytest.mark.parametrize(
    ("price", "qty", "pct", "expected_discount"),
    [
        (10_000, 1, 10, 1_000),
        (999, 1, 10, 99),  # 99.9 → 99: percent rounds down
        (4_550, 3, 15, 2_047),  # 13,650 × 15% = 2,047.5 → 2,047 (of the line gross, not per unit)
        (1, 1, 50, 0),
        (3_333, 1, 100, 3_333),
    ],
)
def test_percent_line_discount_rounds_down(price, qty, pct, expected_discount):
    ctx = PricingContext(discounts=(rule(scope="PRODUCT", product_id=1, value=pct),))
    priced = price_order([line(price=price, qty=qty)], ctx)
    assert priced.lines[0].discount == expected_discount
    assert priced.total == price * qty - expected_discount


@pytest.mark.parametrize(
    ("kind", "value", "max_discount", "gross", "expected"),
    [
        ("PERCENT", 50, 3_000, 10_000, 3_000),  # capped
        ("PERCENT", 50, 3_000, 4_000, 2_000),  # under the cap
        ("AMOUNT", 5_000, None, 3_000, 3_000),  # never more than the line: nothing goes negative
        ("AMOUNT", 1_000, 1_500, 10_000, 1_000),
        ("PERCENT", 100, None, 7_777, 7_777),
    ],
)
def test_caps_and_never_negative(kind, value, max_discount, gross, expected):
    ctx = PricingContext(
        discounts=(rule(scope="PRODUCT", product_id=1, kind=kind, value=value, max_discount=max_discount),)
    )
    p = price_order([line(price=gross)], ctx).lines[0]
    assert p.discount == expected
    assert p.net == gross - expected >= 0


def test_amount_line_discount_is_per_unit():
    # given 1,000원 off each americano, three americanos
    ctx = PricingContext(discounts=(rule(scope="PRODUCT", product_id=1, kind="AMOUNT", value=1_000),))
    assert price_order([line(price=4_000, qty=3)], ctx).lines[0].discount == 3_000


def test_best_single_line_discount_no_stacking():
    # given a 10% product discount and a 1,500원 category discount on the same line
    ctx = PricingContext(
        discounts=(
            rule(1, scope="PRODUCT", product_id=1, value=10),
            rule(2, scope="CATEGORY", category_ids=frozenset({7}), kind="AMOUNT", value=1_500),
            rule(3, scope="CATEGORY", category_ids=frozenset({8}), kind="AMOUNT", value=9_000),  # other category
        )
    )
    p = price_order([line(price=10_000, categories={7})], ctx).lines[0]
    # then only the larger one applies
    assert [(d.discount_id, d.amount, d.source) for d in p.discounts] == [(2, 1_500, "AUTO")]


def test_equal_automatic_discounts_tie_break_on_lower_id():
    ctx = PricingContext(
        discounts=(
            rule(9, scope="PRODUCT", product_id=1, kind="AMOUNT", value=1_000),
            rule(4, scope="CATEGORY", category_ids=frozenset({7}), kind="PERCENT", value=10),
        )
    )
    assert price_order([line(price=10_000, categories={7})], ctx).lines[0].discounts[0].discount_id == 4


@pytest.mark.parametrize(
    ("manual", "winner_source", "amount", "ignored"),
    [
        (ManualDiscount("AMOUNT", 2_000, "단골"), "MANUAL", 2_000, 0),  # larger manual replaces automatic
        (ManualDiscount("AMOUNT", 500, "단골"), "AUTO", 1_000, 1),  # smaller manual loses, reported
        (ManualDiscount("PERCENT", 10, "단골"), "AUTO", 1_000, 1),  # equal: automatic stays
    ],
)
def test_manual_line_discount_replaces_automatic_only_if_larger(manual, winner_source, amount, ignored):
    ctx = PricingContext(discounts=(rule(scope="PRODUCT", product_id=1, value=10),))
    manual = ManualDiscount(manual.kind, manual.value, manual.reason, line_key="a")
    priced = price_order([line("a", price=10_000)], ctx, [manual])
    (applied,) = priced.lines[0].discounts
    assert (applied.source, applied.amount) == (winner_source, amount)
    assert len(priced.ignored_manual) == ignored
    if winner_source == "MANUAL":
        assert applied.reason == "단골"


def test_manual_line_amount_is_for_the_whole_line_and_capped():
    m = ManualDiscount("AMOUNT", 50_000, "파손", line_key="a")
    p = price_order([line("a", price=3_000, qty=2)], NO_DISCOUNTS, [m]).lines[0]
    assert (p.discount, p.net) == (6_000, 0)


def test_order_discounts_apply_after_line_discounts_in_fixed_sequence():
    # given lines 10,000 + 5,000, a 10% product discount on the first, an automatic 10% order
    # discount, a 1,000원 coupon and a manual 10% order discount
    ctx = PricingContext(
        discounts=(rule(1, scope="PRODUCT", product_id=1, value=10), rule(2, scope="ORDER", value=10)),
        coupon=rule(3, scope="ORDER", kind="AMOUNT", value=1_000, coupon_id=30, coupon_code="WELCOME"),
    )
    manual = [ManualDiscount("PERCENT", 10, "사장님 지인")]
    priced = price_order([line("a", price=10_000), line("b", price=5_000, product=2)], ctx, manual)
    # then: line 1,000 → subtotal 14,000; auto order 1,400 → 12,600; coupon 1,000 → 11,600; manual 1,160
    assert [(d.source, d.amount) for d in priced.order_discounts] == [
        ("AUTO", 1_400),
        ("COUPON", 1_000),
        ("MANUAL", 1_160),
    ]
    assert priced.total == 10_440
    assert priced.discount == 15_000 - 10_440
    assert sum(p.net for p in priced.lines) == priced.total
    for p in priced.lines:
        assert sum(d.amount for d in p.discounts) == p.discount
    assert priced.coupon_status == COUPON_APPLIED


def test_order_discount_spread_by_largest_remainder_over_line_nets():
    # given three 1,000원 lines and a 100원 order discount: 33.3 each → one line gets the extra won
    ctx = PricingContext(discounts=(rule(scope="ORDER", kind="AMOUNT", value=100),))
    lines = [line("c", price=1_000, product=3), line("a", price=1_000), line("b", price=1_000, product=2)]
    nets = {p.key: p.net for p in price_order(lines, ctx).lines}
    # then the extra won goes to the first key in key order, whatever order the lines came in
    assert nets == {"a": 966, "b": 967, "c": 967}


def test_best_single_automatic_order_discount():
    ctx = PricingContext(
        discounts=(
            rule(1, scope="ORDER", kind="AMOUNT", value=1_000),
            rule(2, scope="ORDER", value=20, max_discount=1_500),
        )
    )
    priced = price_order([line(price=20_000)], ctx)
    assert [(d.discount_id, d.amount) for d in priced.order_discounts] == [(2, 1_500)]


@pytest.mark.parametrize(
    ("min_order", "applies"),
    [(15_000, True), (15_001, False), (0, True)],
)
def test_minimum_order_for_order_discount_is_on_net_after_line_discounts(min_order, applies):
    # given gross 16,000 with a 1,000원 line discount → subtotal 15,000
    ctx = PricingContext(
        discounts=(
            rule(1, scope="PRODUCT", product_id=1, kind="AMOUNT", value=1_000),
            rule(2, scope="ORDER", kind="AMOUNT", value=2_000, min_order_amount=min_order),
        )
    )
    priced = price_order([line(price=16_000)], ctx)
    assert bool(priced.order_discounts) is applies


@pytest.mark.parametrize(("min_order", "applies"), [(20_000, True), (20_001, False)])
def test_minimum_order_for_line_discount_is_on_order_gross(min_order, applies):
    ctx = PricingContext(discounts=(rule(1, scope="PRODUCT", product_id=1, value=10, min_order_amount=min_order),))
    priced = price_order([line("a", price=10_000), line("b", price=10_000, product=2)], ctx)
    assert (by_key(priced)["a"].discount == 1_000) is applies


def test_coupon_below_minimum_is_reported_not_applied():
    ctx = PricingContext(coupon=rule(5, kind="AMOUNT", value=3_000, min_order_amount=20_000, coupon_id=1))
    priced = price_order([line(price=19_999)], ctx)
    assert priced.coupon_status == COUPON_MIN_ORDER_NOT_MET
    assert priced.total == 19_999


def test_product_scoped_coupon_covers_only_matching_lines_once_per_order():
    coupon = rule(5, scope="PRODUCT", product_id=2, kind="AMOUNT", value=1_000, coupon_id=1)
    priced = price_order(
        [line("a", price=5_000), line("b", price=3_000, product=2, qty=2)], PricingContext(coupon=coupon)
    )
    assert (by_key(priced)["a"].discount, by_key(priced)["b"].discount) == (0, 1_000)
    none_match = price_order([line("a", price=5_000)], PricingContext(coupon=coupon))
    assert none_match.coupon_status == COUPON_NOT_APPLICABLE


def test_coupon_only_discount_never_applies_automatically_and_coupon_discount_not_doubled():
    coupon_rule = rule(5, scope="ORDER", kind="AMOUNT", value=1_000, coupon_only=True)
    assert price_order([line(price=5_000)], PricingContext(discounts=(coupon_rule,))).total == 5_000
    ctx = PricingContext(discounts=(coupon_rule,), coupon=coupon_rule)
    assert price_order([line(price=5_000)], ctx).total == 4_000


def test_order_discount_larger_than_order_stops_at_zero():
    ctx = PricingContext(
        discounts=(rule(1, scope="ORDER", kind="AMOUNT", value=50_000),),
        coupon=rule(2, kind="AMOUNT", value=1_000, coupon_id=1),
    )
    priced = price_order([line("a", price=3_000), line("b", price=2_000, tax="TAX_FREE", product=2)], ctx)
    assert (priced.total, priced.discount, priced.vat) == (0, 5_000, 0)
    assert all(p.net == 0 for p in priced.lines)


def test_discount_changes_vat_base_and_tax_free_share():
    # given a taxable 11,000 and a tax-free 11,000 line with 2,000 off the order
    ctx = PricingContext(discounts=(rule(scope="ORDER", kind="AMOUNT", value=2_000),))
    priced = price_order([line("a", price=11_000), line("b", price=11_000, tax="TAX_FREE", product=2)], ctx)
    # then the discount is split 1,000/1,000 and VAT is on the taxable 10,000 only
    assert (priced.taxable, priced.tax_free, priced.supply, priced.vat) == (10_000, 10_000, 9_091, 909)


def test_empty_order():
    priced = price_order([], PricingContext(coupon=rule(kind="AMOUNT", value=1_000, coupon_id=1)))
    assert (priced.total, priced.vat, priced.lines) == (0, 0, ())


@pytest.mark.parametrize(
    ("lines", "manual"),
    [
        ([line("a"), line("a")], []),  # duplicate keys
        ([line("a", qty=0)], []),
        ([line("a", price=-1)], []),
        ([line("a", price=1_000, options=-1_001)], []),
        ([line("a", tax="VAT?")], []),
        ([line("a")], [ManualDiscount("PERCENT", 101, "x")]),
        ([line("a")], [ManualDiscount("AMOUNT", 0, "x")]),
        ([line("a")], [ManualDiscount("BOGUS", 10, "x")]),
        ([line("a")], [ManualDiscount("AMOUNT", 10, "x", line_key="zz")]),
        ([line("a")], [ManualDiscount("AMOUNT", 10, "x"), ManualDiscount("AMOUNT", 20, "y")]),  # no stacking
    ],
)
def test_bad_input_is_a_clear_422(lines, manual):
    with pytest.raises(Invalid):
        price_order(lines, NO_DISCOUNTS, manual)
