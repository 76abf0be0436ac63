"""Reads of discounts and coupons. Tenancy: every row is reached through its store."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.cache import cache
from django.db.models import Case, DateTimeField, F, QuerySet, Value, When
from django.utils.translation import gettext as _

from apps.catalog.models import Category
from apps.catalog.selectors import catalog_version_key
from apps.core.errors import Invalid
from apps.core.localcache import WorkerMemo
from apps.core.redis import get_redis
from apps.stores.models import Store

from .models import Coupon, Discount
from .pricing import SCOPE_CATEGORY, DiscountRule, PricingContext
from .rules import rule_in_force
from .versions import discounts_version_ensure, discounts_version_key


def discounts_for_store(store: Store) -> QuerySet[Discount]:
    return Discount.objects.filter(store=store)


# A period bound stored before dates were range-checked can lie outside what Python's datetime
# holds: "0001-01-01T00:00:00" read in +09:00 is a BC instant to PostgreSQL, and psycopg raises
# DataError ("timestamp too small") as soon as such a row is loaded — every cart of the store then
# failed. Rows are therefore read with their bounds clamped in SQL to a range Python can hold; a
# bound before 1900 or after 2200 means "open" for any sale this system will ever price.
_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def _clamped(field: str) -> Case:
    return Case(
        When(**{f"{field}__lt": _EARLIEST}, then=Value(_EARLIEST)),
        When(**{f"{field}__gt": _LATEST}, then=Value(_LATEST)),
        default=F(field),
        output_field=DateTimeField(),
    )


def with_safe_period(queryset: QuerySet, prefix: str = "") -> QuerySet:
    """`queryset` with valid_from / valid_to (of `prefix`, e.g. "discount__") read clamped as
    safe_valid_from / safe_valid_to and the raw columns deferred, so loading never raises."""
    tag = prefix.replace("__", "_")
    return queryset.annotate(
        **{
            f"{tag}safe_valid_from": _clamped(f"{prefix}valid_from"),
            f"{tag}safe_valid_to": _clamped(f"{prefix}valid_to"),
        }
    ).defer(f"{prefix}valid_from", f"{prefix}valid_to")


def _period(obj) -> tuple[datetime | None, datetime | None]:
    """(valid_from, valid_to) of a Discount or Coupon, from the clamped annotations when loaded
    through `with_safe_period` (the raw columns are deferred there: touching them would reload)."""
    if hasattr(obj, "safe_valid_from"):
        return obj.safe_valid_from, obj.safe_valid_to
    return obj.valid_from, obj.valid_to


def coupons_for_store(store: Store) -> QuerySet[Coupon]:
    return Coupon.objects.filter(store=store)


def category_descendants(owner_id: int) -> dict[int, frozenset[int]]:
    """Every category of the owner mapped to itself plus all its sub-categories (one query)."""
    children: dict[int, list[int]] = {}
    ids: list[int] = []
    for pk, parent_id in Category.objects.filter(owner_id=owner_id).values_list("id", "parent_id"):
        ids.append(pk)
        if parent_id is not None:
            children.setdefault(parent_id, []).append(pk)
    result: dict[int, frozenset[int]] = {}
    for root in ids:
        seen = {root}
        stack = [root]
        while stack:  # iterative, and `seen` guards against a (corrupt) cycle
            for child in children.get(stack.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        result[root] = frozenset(seen)
    return result


# No ISO weekday: a rule whose stored weekdays are all unreadable is in force on none of them.
_NO_WEEKDAY = frozenset({0})
# ints, and the digit strings an older form may have stored ("1" … "7")
_WEEKDAY_VALUES = frozenset([*range(1, 8), *(str(d) for d in range(1, 8))])


def _weekdays(stored) -> frozenset[int]:
    """ISO weekdays 1-7 from the JSON column; never raises on what an older version or a hand
    edit left there. Entries that are not weekdays are dropped; if none is left of a non-empty
    list the rule applies on no day (an empty list would mean every day)."""
    if not stored:
        return frozenset()
    if not isinstance(stored, list):
        return _NO_WEEKDAY
    days = frozenset(
        int(d) for d in stored if isinstance(d, int | str) and not isinstance(d, bool) and d in _WEEKDAY_VALUES
    )
    return days or _NO_WEEKDAY


def rule_from_discount(
    discount: Discount, *, categories: dict[int, frozenset[int]] | None = None, coupon: Coupon | None = None
) -> DiscountRule:
    """The engine's plain-data view of a Discount (and of the coupon granting it, if any)."""
    category_ids: frozenset[int] = frozenset()
    valid_from, valid_to = _period(discount)
    if discount.category_id is not None:
        category_ids = (categories or {}).get(discount.category_id, frozenset({discount.category_id}))
    return DiscountRule(
        id=discount.pk,
        name=discount.name,
        scope=discount.scope,
        kind=discount.kind,
        value=int(discount.value),
        max_discount=None if discount.max_discount is None else int(discount.max_discount),
        min_order_amount=int(discount.min_order_amount),
        product_id=discount.product_id,
        category_ids=category_ids,
        channel=discount.channel,
        valid_from=valid_from,
        valid_to=valid_to,
        weekdays=_weekdays(discount.weekdays),
        time_start=discount.time_start,
        time_end=discount.time_end,
        coupon_only=discount.coupon_only,
        coupon_id=coupon.pk if coupon is not None else None,
        coupon_code=coupon.code if coupon is not None else "",
    )


def discount_in_force(discount: Discount, *, at: datetime, channel: str | None = None) -> bool:
    """Active and inside its schedule at `at` on the store's clock (the admin's "in force now")."""
    if not discount.is_active:
        return False
    return rule_in_force(rule_from_discount(discount), at=at, tz=discount.store.timezone, channel=channel)


def coupon_in_force(coupon: Coupon, *, at: datetime) -> bool:
    return _coupon_problem(coupon, at=at, channel=None) is None


def _coupon_problem(coupon: Coupon, *, at: datetime, channel: str | None) -> str | None:
    if not coupon.is_active or not coupon.discount.is_active:
        return _("사용할 수 없는 쿠폰입니다.")
    valid_from, valid_to = _period(coupon)
    if valid_from is not None and at < valid_from:
        return _("아직 사용 기간이 아닌 쿠폰입니다.")
    if valid_to is not None and at >= valid_to:
        return _("사용 기간이 지난 쿠폰입니다.")
    if coupon.usage_limit is not None and coupon.used_count >= coupon.usage_limit:
        return _("사용 한도가 모두 소진된 쿠폰입니다.")
    if not rule_in_force(rule_from_discount(coupon.discount), at=at, tz=coupon.store.timezone, channel=channel):
        return _("지금은 사용할 수 없는 쿠폰입니다.")
    return None


def coupon_by_code(store: Store, code: str) -> Coupon | None:
    code = (code or "").strip()
    if not code:
        return None
    # Codes are unique per store case-insensitively (a functional unique index on LOWER(code)).
    queryset = coupons_for_store(store).select_related("discount", "store").filter(code__iexact=code)
    coupon = with_safe_period(with_safe_period(queryset), "discount__").first()
    if coupon is not None:
        coupon.discount.safe_valid_from = coupon.discount_safe_valid_from
        coupon.discount.safe_valid_to = coupon.discount_safe_valid_to
    return coupon


# The store's automatic discounts as engine rules, cached in the Django cache (Redis) under the
# store's discounts version and its owner's catalog version (category trees expand CATEGORY rules),
# so pricing a cart reads no discount from PostgreSQL while nothing changes. Coupons are not cached:
# their use count moves with every order.
RULES_CACHE_KEY = "discounts:rules:{store_id}:{discounts}:{catalog}"
# Short lives bound what a lost on-commit bump could leave cached under the pre-commit token.
RULES_CACHE_SECONDS = 10 * 60
LOCAL_RULES_SECONDS = 60
# Each worker keeps the last few stores' rules in memory under the same versioned key: the versions
# are still read from Redis on every pricing, the rules only when they changed.
_LOCAL_RULES = WorkerMemo(size=32, seconds=LOCAL_RULES_SECONDS)


def _automatic_rules_cached(store: Store) -> list[DiscountRule]:
    """Every active, not coupon-only discount of `store` (any channel, any period) as rules."""
    discounts, catalog = get_redis().mget([discounts_version_key(store.pk), catalog_version_key(store.owner_id)])
    if discounts is None:
        # Never bumped (no discount yet, or a flushed Redis): start a version, so the rules can be
        # cached under a token that no other state of them ever had.
        discounts = discounts_version_ensure(store.pk)
    key = RULES_CACHE_KEY.format(store_id=store.pk, discounts=discounts.decode(), catalog=(catalog or b"0").decode())
    local = _LOCAL_RULES.get(key)
    if local is not None:
        return local
    rules = cache.get(key)
    if rules is None:
        rows = list(
            with_safe_period(discounts_for_store(store)).filter(is_active=True, coupon_only=False).order_by("id")
        )
        categories = category_descendants(store.owner_id) if any(d.scope == SCOPE_CATEGORY for d in rows) else {}
        rules = [rule_from_discount(d, categories=categories) for d in rows]
        cache.set(key, rules, RULES_CACHE_SECONDS)
    _LOCAL_RULES.put(key, rules)
    return rules


def pricing_context(store: Store, *, channel: str, at: datetime, coupon_code: str | None = None) -> PricingContext:
    """The discounts in force for `store` on `channel` at `at`, and the coupon for `coupon_code`.

    422 COUPON_INVALID for an unknown, inactive, expired, out-of-schedule or used-up code. The
    used-up check here is advisory (it spares the customer a failed payment); the limit itself is
    enforced when the order is paid, by `services.coupon_redeem`.
    """
    if at.tzinfo is None:
        raise ValueError("`at` must be timezone-aware")
    automatic = _automatic_rules_cached(store)
    coupon = None
    if coupon_code is not None and coupon_code.strip():
        coupon = coupon_by_code(store, coupon_code)
        if coupon is None:
            raise Invalid("COUPON_INVALID", _("존재하지 않는 쿠폰입니다."), details={"couponCode": coupon_code})
        problem = _coupon_problem(coupon, at=at, channel=channel)
        if problem is not None:
            raise Invalid("COUPON_INVALID", problem, details={"couponCode": coupon_code})

    needs_categories = coupon is not None and coupon.discount.scope == SCOPE_CATEGORY
    categories = category_descendants(store.owner_id) if needs_categories else {}

    # rule_in_force checks the period and the channel as well as the weekday and the time window:
    # the cached rules (every active automatic discount of the store) narrow to those in force.
    rules = tuple(rule for rule in automatic if rule_in_force(rule, at=at, tz=store.timezone, channel=channel))
    coupon_rule = rule_from_discount(coupon.discount, categories=categories, coupon=coupon) if coupon else None
    return PricingContext(discounts=rules, coupon=coupon_rule)
