"""Property tests: whatever lines and discounts come in, the engine's invariants hold."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.money import vat_split
from apps.discounts.pricing import DiscountRule, ManualDiscount, PricingContext, PricingLine, price_order

PRODUCTS = st.integers(1, 4)
CATEGORIES = st.frozensets(st.integers(1, 3), max_size=2)


@st.composite
def pricing_lines(draw):
    count = draw(st.integers(0, 8))
    lines = []
    for i in range(count):
        unit = draw(st.integers(0, 200_000))
        lines.append(
            PricingLine(
                key=f"k{i}",
                product_id=draw(PRODUCTS),
                category_ids=draw(CATEGORIES),
                unit_price=unit,
                option_total=draw(st.integers(-unit, 5_000)),
                quantity=draw(st.integers(1, 20)),
                tax_type=draw(st.sampled_from(["TAXABLE", "TAX_FREE"])),
            )
        )
    return lines


@st.composite
def rules(draw, *, rule_id, coupon=False):
    kind = draw(st.sampled_from(["PERCENT", "AMOUNT"]))
    scope = draw(st.sampled_from(["ORDER", "PRODUCT", "CATEGORY"]))
    return DiscountRule(
        id=rule_id,
        name=f"d{rule_id}",
        scope=scope,
        kind=kind,
        value=draw(st.integers(1, 100)) if kind == "PERCENT" else draw(st.integers(1, 300_000)),
        max_discount=draw(st.none() | st.integers(1, 100_000)),
        min_order_amount=draw(st.sampled_from([0, 0, 10_000, 50_000])),
        product_id=draw(PRODUCTS) if scope == "PRODUCT" else None,
        category_ids=frozenset({draw(st.integers(1, 3))}) if scope == "CATEGORY" else frozenset(),
        coupon_only=draw(st.booleans()) if not coupon else True,
        coupon_id=rule_id if coupon else None,
    )


@st.composite
def scenarios(draw):
    lines = draw(pricing_lines())
    n_rules = draw(st.integers(0, 5))
    discounts = tuple(draw(rules(rule_id=i + 1)) for i in range(n_rules))
    coupon = draw(st.none() | rules(rule_id=100, coupon=True))
    manual = []
    targets = draw(st.lists(st.sampled_from([None] + [line.key for line in lines]), unique=True, max_size=3))
    for target in targets:
        kind = draw(st.sampled_from(["PERCENT", "AMOUNT"]))
        value = draw(st.integers(1, 100)) if kind == "PERCENT" else draw(st.integers(1, 100_000))
        manual.append(ManualDiscount(kind, value, "test", line_key=target))
    return lines, PricingContext(discounts=discounts, coupon=coupon), manual


def summary(priced):
    """Everything in the result, keyed by line key (the lines' output order is the input order)."""
    return (
        {p.key: p for p in priced.lines},
        priced.order_discounts,
        (priced.gross, priced.discount, priced.total, priced.taxable, priced.tax_free, priced.supply, priced.vat),
        priced.coupon_status,
    )


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scenarios())
def test_engine_invariants(scenario):
    lines, context, manual = scenario
    priced = price_order(lines, context, manual)

    # line nets add up to the total, line discounts to the discount, gross to gross
    assert sum(p.net for p in priced.lines) == priced.total
    assert sum(p.discount for p in priced.lines) == priced.discount
    assert sum(p.gross for p in priced.lines) == priced.gross == priced.total + priced.discount
    # the discount never exceeds the gross, and nothing is negative
    assert 0 <= priced.discount <= priced.gross
    for p in priced.lines:
        assert p.gross == p.unit_price * p.quantity
        assert 0 <= p.net <= p.gross
        assert p.discount == p.gross - p.net
        # each line's applied discounts (own + shares of order-level ones) add up exactly
        assert sum(d.amount for d in p.discounts) == p.discount
        assert all(d.amount > 0 for d in p.discounts)
        # at most one line-level discount per line: nothing stacks silently
        assert sum(1 for d in p.discounts if not d.order_level) <= 1
    # every order-level discount is allocated exactly over the lines
    for od in priced.order_discounts:
        assert od.order_level and od.amount > 0
        shares = sum(
            d.amount
            for p in priced.lines
            for d in p.discounts
            if d.order_level and (d.source, d.discount_id, d.name) == (od.source, od.discount_id, od.name)
        )
        assert shares == od.amount
    # VAT: supply + VAT = taxable; taxable + tax-free = total; VAT is the order-level rule
    assert priced.supply + priced.vat == priced.taxable
    assert priced.taxable + priced.tax_free == priced.total
    assert (priced.supply, priced.vat) == vat_split(priced.taxable)
    assert priced.taxable == sum(p.net for p in priced.lines if p.tax_type == "TAXABLE")
    assert min(priced.supply, priced.vat, priced.tax_free) >= 0


@SETTINGS
@given(scenarios(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_line_order(scenario, rnd):
    lines, context, manual = scenario
    shuffled = list(lines)
    rnd.shuffle(shuffled)
    reordered_rules = PricingContext(discounts=tuple(reversed(context.discounts)), coupon=context.coupon)
    assert summary(price_order(shuffled, reordered_rules, list(reversed(manual)))) == summary(
        price_order(lines, context, manual)
    )
    # and the lines come back in the order they were given
    assert [p.key for p in price_order(shuffled, context, manual).lines] == [line.key for line in shuffled]


@SETTINGS
@given(scenarios())
def test_discounts_only_ever_lower_the_price(scenario):
    lines, context, manual = scenario
    bare = price_order(lines, PricingContext())
    priced = price_order(lines, context, manual)
    assert bare.discount == 0 and bare.total == bare.gross
    assert priced.total <= bare.total
