"""Small builders for pure pricing tests (no database)."""

from apps.discounts.pricing import DiscountRule, PricingLine


def line(key="a", *, price=10_000, options=0, qty=1, tax="TAXABLE", product=1, categories=(), name=""):
    return PricingLine(
        key=key,
        product_id=product,
        category_ids=frozenset(categories),
        unit_price=price,
        option_total=options,
        quantity=qty,
        tax_type=tax,
        name=name or key,
    )


def rule(id=1, *, scope="ORDER", kind="PERCENT", value=10, name=None, **kw):
    return DiscountRule(id=id, name=name or f"할인{id}", scope=scope, kind=kind, value=value, **kw)
