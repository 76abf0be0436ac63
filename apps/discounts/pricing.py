"""The one pricing engine: carts, orders, the POS, the kiosk and refunds all price through
`price_order`. It is a pure function (no database, no clock): the caller passes the lines, the
discounts in force (`discounts.selectors.pricing_context`) and any manual discounts.

How a price is made (every rule below is tested in tests/discounts/test_pricing.py):

1. Line gross = (unit price + option total) × quantity.
2. Line discounts. Per line, the single best candidate wins; nothing stacks on a line:
   - automatic PRODUCT / CATEGORY discounts matching the line (a CATEGORY rule matches when the line
     shares a category with the rule's category set, which the selector fills with the category and
     its sub-categories);
   - a manual line discount (`ManualDiscount(line_key=...)`).
   A manual line discount replaces the automatic one only when it is larger; otherwise the
   automatic one stays and the manual one is reported in `PricedOrder.ignored_manual` (never
   dropped silently). Equal amounts keep the automatic one (no manual reason needed). Ties between
   automatic rules go to the lower discount id.
   PERCENT is taken of the line gross and rounds down; an automatic AMOUNT rule is per unit
   (1,000원 off a coffee → 2,000원 off two); a manual AMOUNT is for the whole line. `max_discount`
   caps the amount per line. A line discount is never more than the line gross.
3. Order-level discounts, in this fixed sequence, each on what is left after the previous step:
   the best single automatic ORDER-scope discount, then the coupon, then the manual order discount.
   A coupon whose discount is PRODUCT/CATEGORY-scoped acts once per order on the matching lines'
   remaining net (an AMOUNT coupon is not per unit). PERCENT rounds down; `max_discount` caps;
   nothing goes below zero. Each amount is spread over the lines it covers by largest remainder
   over their current nets (lines sorted by key first), so line nets always add up to the total.
4. `min_order_amount`: line-level (automatic) rules compare it with the order gross; order-level
   discounts (ORDER scope, coupon) compare it with the subtotal after line discounts — the same
   number for each of them, so their sequence does not change who qualifies.
5. VAT once per order: `taxable` is the sum of TAXABLE line nets, `vat_split(taxable)`; tax-free
   lines are left out of the VAT base.

The result depends only on the set of lines (keyed by `PricedLine.key`), never on their order;
lines come back in the order given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time

from django.utils.translation import gettext as _

from apps.core.errors import Invalid
from apps.core.money import allocate, percent_of, vat_split

PERCENT = "PERCENT"
AMOUNT = "AMOUNT"
KINDS = (PERCENT, AMOUNT)

SCOPE_ORDER = "ORDER"
SCOPE_PRODUCT = "PRODUCT"
SCOPE_CATEGORY = "CATEGORY"
SCOPES = (SCOPE_ORDER, SCOPE_PRODUCT, SCOPE_CATEGORY)

TAXABLE = "TAXABLE"
TAX_FREE = "TAX_FREE"
TAX_TYPES = (TAXABLE, TAX_FREE)

SOURCE_AUTO = "AUTO"
SOURCE_COUPON = "COUPON"
SOURCE_MANUAL = "MANUAL"

# PricedOrder.coupon_status
COUPON_NONE = ""
COUPON_APPLIED = "APPLIED"
COUPON_MIN_ORDER_NOT_MET = "MIN_ORDER_NOT_MET"
COUPON_NOT_APPLICABLE = "NOT_APPLICABLE"  # no line matches the coupon's product/category, or nothing left


@dataclass(frozen=True)
class DiscountRule:
    """Everything the engine and the time rules need about one discount, as plain data.

    The schedule fields (valid_from … time_end, channel) are evaluated by
    `discounts.rules.rule_in_force` before a rule reaches the engine; the engine trusts its input.
    """

    id: int | None
    name: str
    scope: str
    kind: str
    value: int
    max_discount: int | None = None
    min_order_amount: int = 0
    product_id: int | None = None
    # The rule's category and all of its sub-categories (filled by the selector).
    category_ids: frozenset[int] = frozenset()
    channel: str = "ALL"
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    weekdays: frozenset[int] = frozenset()  # ISO 1 (Mon) … 7 (Sun); empty = every day
    time_start: time | None = None
    time_end: time | None = None
    coupon_only: bool = False
    # Set when this rule arrives as PricingContext.coupon (orders redeem it by id).
    coupon_id: int | None = None
    coupon_code: str = ""

    def matches(self, line: PricingLine) -> bool:
        if self.scope == SCOPE_ORDER:
            return True
        if self.scope == SCOPE_PRODUCT:
            return self.product_id is not None and line.product_id == self.product_id
        if self.scope == SCOPE_CATEGORY:
            return bool(self.category_ids & line.category_ids)
        return False


@dataclass(frozen=True)
class PricingLine:
    key: str
    product_id: int
    category_ids: frozenset[int]
    unit_price: int
    option_total: int
    quantity: int
    tax_type: str
    name: str = ""


@dataclass(frozen=True)
class ManualDiscount:
    kind: str  # "PERCENT" | "AMOUNT"
    value: int
    reason: str
    line_key: str | None = None  # None: on the whole order


@dataclass(frozen=True)
class PricingContext:
    discounts: tuple[DiscountRule, ...] = ()
    coupon: DiscountRule | None = None


@dataclass(frozen=True)
class AppliedDiscount:
    name: str
    amount: int
    source: str  # "AUTO" | "COUPON" | "MANUAL"
    discount_id: int | None
    reason: str = ""
    # True on a line's share of an order-level discount (and on PricedOrder.order_discounts).
    order_level: bool = False


@dataclass(frozen=True)
class PricedLine:
    key: str
    unit_price: int  # including options
    quantity: int
    gross: int
    # The line's own discount and its shares of order-level discounts; amounts add up to `discount`.
    discounts: tuple[AppliedDiscount, ...]
    discount: int
    net: int
    tax_type: str
    product_id: int = 0
    name: str = ""


@dataclass(frozen=True)
class PricedOrder:
    lines: tuple[PricedLine, ...]
    order_discounts: tuple[AppliedDiscount, ...]
    gross: int
    discount: int
    total: int
    taxable: int
    tax_free: int
    supply: int
    vat: int
    coupon_status: str = COUPON_NONE
    # Manual discounts that lost to a larger automatic line discount (shown to the cashier).
    ignored_manual: tuple[ManualDiscount, ...] = field(default=())


# --- input checks -----------------------------------------------------------------------------


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_lines(lines: Sequence[PricingLine]) -> None:
    seen: set[str] = set()
    for line in lines:
        if line.key in seen:
            raise Invalid("PRICING_INVALID_LINE", _("주문 항목 키가 중복되었습니다: %(key)s") % {"key": line.key})
        seen.add(line.key)
        if not all(_is_int(v) for v in (line.unit_price, line.option_total, line.quantity)):
            raise Invalid("PRICING_INVALID_LINE", _("금액과 수량은 정수여야 합니다."))
        if line.quantity < 1:
            raise Invalid("PRICING_INVALID_LINE", _("수량은 1개 이상이어야 합니다."))
        if line.unit_price < 0 or line.unit_price + line.option_total < 0:
            raise Invalid("PRICING_INVALID_LINE", _("가격은 0원 이상이어야 합니다."))
        if line.tax_type not in TAX_TYPES:
            raise Invalid("PRICING_INVALID_LINE", _("알 수 없는 과세 구분입니다."))


def _check_value(kind: str, value: int, code: str) -> None:
    if kind not in KINDS or not _is_int(value) or value <= 0 or (kind == PERCENT and value > 100):
        raise Invalid(code, _("할인 값이 올바르지 않습니다 (정률은 1~100%, 정액은 1원 이상)."))


def _check_manual(manual: Sequence[ManualDiscount], keys: set[str]) -> None:
    targets: set[str | None] = set()
    for item in manual:
        _check_value(item.kind, item.value, "MANUAL_DISCOUNT_INVALID")
        if item.line_key is not None and item.line_key not in keys:
            raise Invalid("MANUAL_DISCOUNT_INVALID", _("할인할 주문 항목을 찾을 수 없습니다."))
        # One manual discount per line and one on the order: a second one would stack silently.
        if item.line_key in targets:
            raise Invalid("MANUAL_DISCOUNT_INVALID", _("같은 대상에 수동 할인을 두 번 줄 수 없습니다."))
        targets.add(item.line_key)


# --- amounts ----------------------------------------------------------------------------------


def _capped(amount: int, base: int, max_discount: int | None) -> int:
    if max_discount is not None:
        amount = min(amount, max_discount)
    return max(0, min(amount, base))


def _rule_amount(rule: DiscountRule, base: int, *, units: int = 1) -> int:
    if rule.kind == PERCENT:
        amount = percent_of(base, rule.value)
    else:
        amount = rule.value * units
    return _capped(amount, base, rule.max_discount)


def _manual_amount(item: ManualDiscount, base: int) -> int:
    amount = percent_of(base, item.value) if item.kind == PERCENT else item.value
    return _capped(amount, base, None)


def _manual_name(item: ManualDiscount) -> str:
    if item.kind == PERCENT:
        return _("수동 할인 %(value)s%%") % {"value": item.value}
    return _("수동 할인")


def _rule_sort_id(rule: DiscountRule) -> tuple[int, int, str]:
    return (0, rule.id, rule.name) if rule.id is not None else (1, 0, rule.name)


def _valid_rule(rule: DiscountRule) -> bool:
    # A malformed rule (e.g. hand-built in a caller) is skipped rather than priced wrongly.
    return rule.scope in SCOPES and rule.kind in KINDS and _is_int(rule.value) and rule.value > 0


# --- the engine -------------------------------------------------------------------------------


def price_order(
    lines: Iterable[PricingLine], context: PricingContext, manual: Iterable[ManualDiscount] = ()
) -> PricedOrder:
    lines = tuple(lines)
    manual = tuple(manual)
    _check_lines(lines)
    _check_manual(manual, {line.key for line in lines})

    coupon = context.coupon if context.coupon is not None and _valid_rule(context.coupon) else None
    automatic = [
        rule
        for rule in context.discounts
        if _valid_rule(rule)
        and not rule.coupon_only
        # The coupon's own discount is applied once, through the coupon.
        and not (coupon is not None and rule.id is not None and rule.id == coupon.id)
    ]
    line_rules = sorted((r for r in automatic if r.scope != SCOPE_ORDER), key=_rule_sort_id)
    order_rules = sorted((r for r in automatic if r.scope == SCOPE_ORDER), key=_rule_sort_id)
    manual_by_line = {m.line_key: m for m in manual}

    gross = {line.key: (line.unit_price + line.option_total) * line.quantity for line in lines}
    order_gross = sum(gross.values())

    applied: dict[str, list[AppliedDiscount]] = {line.key: [] for line in lines}
    net = dict(gross)
    ignored: list[ManualDiscount] = []

    # Step 2: the single best line discount.
    for line in lines:
        best: tuple[int, int, AppliedDiscount] | None = None  # (amount, rank: auto before manual, …)
        for rule in line_rules:
            if order_gross < rule.min_order_amount or not rule.matches(line):
                continue
            amount = _rule_amount(rule, gross[line.key], units=line.quantity)
            if amount > 0 and (best is None or amount > best[0]):
                best = (amount, 0, AppliedDiscount(rule.name, amount, SOURCE_AUTO, rule.id))
        item = manual_by_line.get(line.key)
        if item is not None:
            amount = _manual_amount(item, gross[line.key])
            if amount > 0 and (best is None or amount > best[0]):
                best = (amount, 1, AppliedDiscount(_manual_name(item), amount, SOURCE_MANUAL, None, item.reason))
            else:
                ignored.append(item)
        if best is not None:
            applied[line.key].append(best[2])
            net[line.key] -= best[0]

    subtotal = sum(net.values())
    # Allocation walks lines by key so the result never depends on the order lines came in.
    keys_sorted = sorted(net)
    order_applied: list[AppliedDiscount] = []

    def apply_order_level(discount: AppliedDiscount, covered: list[str]) -> None:
        shares = allocate(discount.amount, [net[k] for k in covered])
        for key, share in zip(covered, shares, strict=True):
            if share:
                applied[key].append(replace(discount, amount=share))
                net[key] -= share
        order_applied.append(discount)

    # Step 3a: the best single automatic order discount.
    best_order: tuple[int, DiscountRule] | None = None
    for rule in order_rules:
        if subtotal < rule.min_order_amount:
            continue
        amount = _rule_amount(rule, subtotal)
        if amount > 0 and (best_order is None or amount > best_order[0]):
            best_order = (amount, rule)
    if best_order is not None:
        amount, rule = best_order
        apply_order_level(AppliedDiscount(rule.name, amount, SOURCE_AUTO, rule.id, order_level=True), keys_sorted)

    # Step 3b: the coupon.
    coupon_status = COUPON_NONE
    if coupon is not None:
        by_key = {line.key: line for line in lines}
        covered = [k for k in keys_sorted if coupon.matches(by_key[k])]
        base = sum(net[k] for k in covered)
        if subtotal < coupon.min_order_amount:
            coupon_status = COUPON_MIN_ORDER_NOT_MET
        else:
            amount = _rule_amount(coupon, base)
            if amount > 0:
                apply_order_level(
                    AppliedDiscount(coupon.name, amount, SOURCE_COUPON, coupon.id, order_level=True), covered
                )
                coupon_status = COUPON_APPLIED
            else:
                coupon_status = COUPON_NOT_APPLICABLE

    # Step 3c: the manual order discount.
    item = manual_by_line.get(None)
    if item is not None:
        amount = _manual_amount(item, sum(net.values()))
        if amount > 0:
            apply_order_level(
                AppliedDiscount(_manual_name(item), amount, SOURCE_MANUAL, None, item.reason, order_level=True),
                keys_sorted,
            )

    priced = tuple(
        PricedLine(
            key=line.key,
            unit_price=line.unit_price + line.option_total,
            quantity=line.quantity,
            gross=gross[line.key],
            discounts=tuple(applied[line.key]),
            discount=gross[line.key] - net[line.key],
            net=net[line.key],
            tax_type=line.tax_type,
            product_id=line.product_id,
            name=line.name,
        )
        for line in lines
    )
    taxable = sum(p.net for p in priced if p.tax_type == TAXABLE)
    tax_free = sum(p.net for p in priced if p.tax_type == TAX_FREE)
    supply, vat = vat_split(taxable)
    return PricedOrder(
        lines=priced,
        order_discounts=tuple(order_applied),
        gross=order_gross,
        discount=sum(p.discount for p in priced),
        total=taxable + tax_free,
        taxable=taxable,
        tax_free=tax_free,
        supply=supply,
        vat=vat,
        coupon_status=coupon_status,
        ignored_manual=tuple(ignored),
    )
