"""Daily rollups built from facts (orders, lines, payments, refunds), and monthly settlements.

Rollups are a cache of the facts: `services.rollups_build` replaces a store's days wholesale, so no
row here is ever edited by hand. Product and method ids are kept as plain integers next to a name
snapshot (no foreign key): a report must still read after a product or method is renamed or deleted,
and the benchmark loads facts with COPY without caring about rollup constraints.

The rollups' store foreign keys have no database constraint (Django still cascades a store's
deletion to them): PostgreSQL checks deferred constraints one row at a time at COMMIT, which cost a
month's build of 100 stores ~1.3 s for ~200k rows that were just selected from that store's facts.
Nor an index of their own: each table's (store, date…) index or unique constraint serves store lookups.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.stores.models import Store


def average_ticket(net_amount: int, order_count: int) -> int:
    """Net sales per order, rounded half up to the won (0 when there were no orders)."""
    if order_count <= 0:
        return 0
    return (2 * int(net_amount) + order_count) // (2 * order_count)


class RollupState(models.Model):
    """One row per store: the row lock that serialises builds of the store's rollups, and the last
    business date the beat task closed (so a missed run catches up instead of skipping days)."""

    OWNER_LOOKUP = "store__owner"

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="rollup_state")
    last_closed_date = models.DateField(null=True, blank=True)
    last_built_at = models.DateTimeField(null=True, blank=True)


class DailySummary(models.Model):
    """A business day's totals. Sales count on the order's business date, refunds on the business
    date they were completed (a later refund never rewrites an earlier day)."""

    OWNER_LOOKUP = "store__owner"

    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="daily_summaries"
    )
    business_date = models.DateField(_("영업일"))
    order_count = models.PositiveIntegerField(_("주문 수"), default=0)
    gross_amount = models.BigIntegerField(_("총매출"), default=0)
    discount_amount = models.BigIntegerField(_("할인"), default=0)
    net_amount = models.BigIntegerField(_("순매출"), default=0)
    refund_count = models.PositiveIntegerField(_("환불 건수"), default=0)
    refund_amount = models.BigIntegerField(_("환불액"), default=0)
    built_at = models.DateTimeField(_("집계 시각"), auto_now=True)

    class Meta:
        verbose_name = _("일별 매출")
        verbose_name_plural = _("일별 매출")
        ordering = ["-business_date"]
        constraints = [
            models.UniqueConstraint(fields=["store", "business_date"], name="dailysummary_unique_day"),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.business_date}"

    @property
    def average_ticket(self) -> int:
        return average_ticket(self.net_amount, self.order_count)

    @property
    def net_after_refunds(self) -> int:
        return self.net_amount - self.refund_amount


class ProductFigures(models.Model):
    """What a product sold over a period; the daily and monthly rollups share these columns."""

    product_id = models.BigIntegerField(null=True, blank=True)  # the catalog product, if it still existed
    name = models.CharField(max_length=100)  # the line's name snapshot
    quantity = models.BigIntegerField(default=0)
    gross_amount = models.BigIntegerField(default=0)
    discount_amount = models.BigIntegerField(default=0)
    net_amount = models.BigIntegerField(default=0)
    refunded_quantity = models.BigIntegerField(default=0)
    refunded_amount = models.BigIntegerField(default=0)

    FIELDS = (
        "product_id",
        "name",
        "quantity",
        "gross_amount",
        "discount_amount",
        "net_amount",
        "refunded_quantity",
        "refunded_amount",
    )

    class Meta:
        abstract = True


class ProductSalesDaily(ProductFigures):
    OWNER_LOOKUP = "store__owner"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+")
    business_date = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["store", "business_date"], name="psd_store_day")]


class ProductSalesMonthly(ProductFigures):
    """ProductSalesDaily summed by calendar month (`month` = its first day). Rewritten from the daily
    rows at the end of every build for the months the build touched, so it always equals the sum of
    that month's daily rows; monthly statistics read ~30× fewer rows from it."""

    OWNER_LOOKUP = "store__owner"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+")
    month = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["store", "month"], name="psm_store_month")]


class PaymentMethodDaily(models.Model):
    OWNER_LOOKUP = "store__owner"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+")
    business_date = models.DateField()
    method_id = models.BigIntegerField()
    method_name = models.CharField(max_length=50)
    kind = models.CharField(max_length=15)
    fee_rate_bp = models.PositiveIntegerField(default=0)  # the method's rate when the day was built
    payment_count = models.PositiveIntegerField(default=0)
    amount = models.BigIntegerField(default=0)
    refund_count = models.PositiveIntegerField(default=0)
    refund_amount = models.BigIntegerField(default=0)
    # See apps/settlement/fees.py for the rounding rule.
    fee_amount = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "business_date", "method_id"], name="pmd_unique_method_day"),
        ]


class HourlySales(models.Model):
    OWNER_LOOKUP = "store__owner"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+")
    business_date = models.DateField()
    hour = models.PositiveSmallIntegerField()  # 0–23, the store's local wall-clock hour of payment
    order_count = models.PositiveIntegerField(default=0)
    amount = models.BigIntegerField(default=0)  # net sales (order totals)
    # Kept so DailySummary is summed from these rows instead of scanning the orders a second time.
    gross_amount = models.BigIntegerField(default=0)
    discount_amount = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "business_date", "hour"], name="hourly_unique_hour"),
            models.CheckConstraint(condition=models.Q(hour__lte=23), name="hourly_hour_range"),
        ]


class Settlement(models.Model):
    """A store's settlement for one period (see services.settlement_period_for). DRAFT while the
    period is running (recomputed from rollups), CONFIRMED once its last business day has ended:
    a confirmed settlement is frozen."""

    OWNER_LOOKUP = "store__owner"

    class Status(models.TextChoices):
        DRAFT = "DRAFT", _("정산 예정")
        CONFIRMED = "CONFIRMED", _("정산 확정")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="settlements")
    period_start = models.DateField(_("정산 시작일"))
    period_end = models.DateField(_("정산일"))
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    payment_count = models.PositiveIntegerField(_("결제 건수"), default=0)
    gross_amount = models.BigIntegerField(_("결제 금액"), default=0)
    refund_count = models.PositiveIntegerField(_("환불 건수"), default=0)
    refund_amount = models.BigIntegerField(_("환불액"), default=0)
    fee_amount = models.BigIntegerField(_("수수료"), default=0)
    net_payout = models.BigIntegerField(_("정산 금액"), default=0)
    computed_at = models.DateTimeField(_("계산 시각"), auto_now=True)
    confirmed_at = models.DateTimeField(_("확정 시각"), null=True, blank=True)

    class Meta:
        verbose_name = _("정산")
        verbose_name_plural = _("정산")
        ordering = ["-period_end"]
        constraints = [
            models.UniqueConstraint(fields=["store", "period_end"], name="settlement_unique_period"),
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("period_end")), name="settlement_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_start} ~ {self.period_end}"


class SettlementLine(models.Model):
    OWNER_LOOKUP = "settlement__store__owner"

    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="lines")
    method_id = models.BigIntegerField()
    method_name = models.CharField(max_length=50)
    kind = models.CharField(max_length=15)
    payment_count = models.PositiveIntegerField(default=0)
    gross_amount = models.BigIntegerField(default=0)
    refund_count = models.PositiveIntegerField(default=0)
    refund_amount = models.BigIntegerField(default=0)
    fee_amount = models.BigIntegerField(default=0)
    net_payout = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["method_name", "method_id"]
