"""Orders and their lines. Lines are snapshots: an order never changes when the catalog does."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.catalog.models import Product, TaxType
from apps.core.models import TimeStampedModel
from apps.discounts.models import Channel, Coupon
from apps.inventory.models import StoreProduct
from apps.stores.models import Device, Store, StoreMember
from apps.tables.models import Table


def new_public_id() -> str:
    # 22 url-safe characters: inside Toss's 6–64 `[A-Za-z0-9_-]` orderId rule, unguessable.
    return "ord_" + secrets.token_urlsafe(16)


class OrderStatus(models.TextChoices):
    # A label that is also a button's word ("취소" Cancel) carries the "status" context, so English can
    # say "Canceled" here and "Cancel" on the button; Korean reads the same.
    OPEN = "OPEN", _("진행 중(테이블)")
    PENDING_PAYMENT = "PENDING_PAYMENT", _("결제 대기")
    PAID = "PAID", _("결제 완료")
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED", _("부분 환불")
    REFUNDED = "REFUNDED", _("환불 완료")
    CANCELED = "CANCELED", pgettext_lazy("status", "취소")
    EXPIRED = "EXPIRED", _("만료")


class KitchenStatus(models.TextChoices):
    NEW = "NEW", _("접수")
    PREPARING = "PREPARING", _("준비 중")
    READY = "READY", _("준비 완료")
    DONE = "DONE", _("전달 완료")


class ServiceType(models.TextChoices):
    DINE_IN = "DINE_IN", _("매장")
    TAKEOUT = "TAKEOUT", _("포장")


class Order(TimeStampedModel):
    OWNER_LOOKUP = "store__owner"

    public_id = models.CharField(_("주문 ID"), max_length=64, unique=True, default=new_public_id, editable=False)
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="orders")
    device = models.ForeignKey(Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders")
    staff = models.ForeignKey(StoreMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders")
    channel = models.CharField(_("채널"), max_length=10, choices=Channel.choices)
    service_type = models.CharField(
        _("식사 방법"), max_length=10, choices=ServiceType.choices, default=ServiceType.TAKEOUT
    )
    status = models.CharField(
        _("상태"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT, db_index=True
    )
    kitchen_status = models.CharField(
        _("주방 상태"), max_length=10, choices=KitchenStatus.choices, default=KitchenStatus.NEW
    )
    business_date = models.DateField(_("영업일"), db_index=True)
    # NULL only inside the transaction that writes the order: its number is taken last, just before
    # the COMMIT (orders.services._take_number), so no other transaction ever sees it without one.
    order_number = models.PositiveIntegerField(_("주문 번호"), null=True)
    cart_id = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # The cart's version once this order moved it to CHECKOUT: the same cart at the same version is
    # the same order (a repeated start-payment), any other version is a changed cart.
    cart_version = models.PositiveIntegerField(default=0, editable=False)
    coupon = models.ForeignKey(Coupon, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders")
    # Totals as priced by discounts.pricing at placement; see apps/core/money.py for the rules.
    gross_amount = models.BigIntegerField(_("총액"), default=0)
    discount_amount = models.BigIntegerField(_("할인"), default=0)
    total_amount = models.BigIntegerField(_("결제 금액"), default=0)
    taxable_amount = models.BigIntegerField(_("과세 금액"), default=0)
    tax_free_amount = models.BigIntegerField(_("면세 금액"), default=0)
    supply_amount = models.BigIntegerField(_("공급가액"), default=0)
    vat_amount = models.BigIntegerField(_("부가세"), default=0)
    refunded_amount = models.BigIntegerField(_("환불액"), default=0)
    order_discounts = models.JSONField(default=list, blank=True, help_text="order-level discounts applied")
    note = models.CharField(_("메모"), max_length=200, blank=True)
    # Set on a table tab (an order that grows by rounds while OPEN); see apps/orders/tabs.py.
    table = models.ForeignKey(Table, on_delete=models.PROTECT, null=True, blank=True, related_name="tabs")
    guests = models.PositiveSmallIntegerField(_("인원"), default=0)
    placed_at = models.DateTimeField(_("주문 시각"), null=True, blank=True)
    paid_at = models.DateTimeField(_("결제 시각"), null=True, blank=True)
    canceled_at = models.DateTimeField(_("취소 시각"), null=True, blank=True)

    class Meta:
        verbose_name = _("주문")
        verbose_name_plural = _("주문")
        ordering = ["-created_at"]
        constraints = [
            # A canceled order may share its number with the order that replaced it (a cart sent
            # back to be changed keeps its number: order_place reuses it); every other order's
            # number is unique for the store's business day.
            models.UniqueConstraint(
                fields=["store", "business_date", "order_number"],
                condition=~models.Q(status="CANCELED"),
                name="order_unique_number_per_business_day",
            ),
            # At most one order waits for payment per cart: the last line of defence behind the
            # per-store counter lock in order_place against two start-payment calls racing.
            models.UniqueConstraint(
                fields=["cart_id"],
                condition=models.Q(status="PENDING_PAYMENT") & ~models.Q(cart_id=""),
                name="order_one_pending_per_cart",
            ),
            # One open tab per table, enforced by the database behind the table-row lock in tab_open.
            models.UniqueConstraint(
                fields=["table"],
                condition=models.Q(status="OPEN") & models.Q(table__isnull=False),
                name="order_one_open_tab_per_table",
            ),
            models.CheckConstraint(condition=models.Q(total_amount__gte=0), name="order_total_gte_0"),
            models.CheckConstraint(condition=models.Q(refunded_amount__gte=0), name="order_refunded_gte_0"),
            models.CheckConstraint(
                condition=models.Q(refunded_amount__lte=models.F("total_amount")), name="order_refund_lte_total"
            ),
        ]
        indexes = [models.Index(fields=["store", "business_date", "status"], name="order_store_day_status")]

    def __str__(self) -> str:
        return f"#{self.order_number} ({self.business_date})"


class OrderRound(models.Model):
    """A round (차수) of a table tab: the lines sent together from the POS or the table's tablet."""

    OWNER_LOOKUP = "order__store__owner"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveIntegerField(_("차수"))
    memo = models.CharField(_("메모"), max_length=200, blank=True)
    device = models.ForeignKey(Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    staff = models.ForeignKey(StoreMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("차수")
        verbose_name_plural = _("차수")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["order", "number"], name="orderround_unique_number")]

    def __str__(self) -> str:
        return f"{self.number}"


class OrderLine(models.Model):
    OWNER_LOOKUP = "order__store__owner"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    # Copies of the order's store and business date (both fixed when the order is placed), so sales
    # reports select a store's lines of some days without joining every line to its order.
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    business_date = models.DateField()
    store_product = models.ForeignKey(StoreProduct, on_delete=models.SET_NULL, null=True, blank=True)
    product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, blank=True)
    name = models.CharField(_("상품명"), max_length=100)
    name_en = models.CharField(max_length=100, blank=True)
    tax_type = models.CharField(max_length=10, choices=TaxType.choices)
    unit_price = models.BigIntegerField(_("단가(옵션 포함)"))
    # Negative only on a void line (a correction of a sent tab line; see `void_of`).
    quantity = models.IntegerField(_("수량"))
    gross_amount = models.BigIntegerField(_("금액"))
    discount_amount = models.BigIntegerField(_("할인"), default=0)
    net_amount = models.BigIntegerField(_("결제 금액"))
    # [{"id", "name", "price"}] as chosen; [{"name", "amount", "source"}] as applied (line and the
    # line's share of order-level discounts). Refunds by line are computed from these.
    options = models.JSONField(default=list, blank=True)
    discounts = models.JSONField(default=list, blank=True)
    note = models.CharField(_("메모"), max_length=200, blank=True)
    refunded_quantity = models.PositiveIntegerField(_("환불 수량"), default=0)
    round = models.ForeignKey(OrderRound, on_delete=models.SET_NULL, null=True, blank=True, related_name="lines")
    # A void line cancels (part of) the line it points at: negative quantity and amounts, a reason
    # and the manager who approved it. Sent tab lines themselves never change.
    void_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="voids")
    void_reason = models.CharField(_("취소 사유"), max_length=200, blank=True)
    void_staff = models.ForeignKey(StoreMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("주문 상품")
        verbose_name_plural = _("주문 상품")
        ordering = ["id"]
        indexes = [models.Index(fields=["store", "business_date"], name="orderline_store_day")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(net_amount__gte=0, quantity__gt=0) | models.Q(void_of__isnull=False),
                name="orderline_net_gte_0",
            ),
            models.CheckConstraint(
                condition=models.Q(refunded_quantity__lte=models.F("quantity")) | models.Q(void_of__isnull=False),
                name="orderline_refund_qty_lte_qty",
            ),
            models.CheckConstraint(
                condition=models.Q(void_of__isnull=True) | models.Q(quantity__lt=0, net_amount__lte=0),
                name="orderline_void_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"


class OrderEvent(models.Model):
    """Every status move of an order, for the audit trail and the admin."""

    OWNER_LOOKUP = "order__store__owner"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class OrderNumberCounter(models.Model):
    """The last order number handed out per store and business day (row-locked to stay gapless)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE)
    business_date = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "business_date"], name="ordernumbercounter_unique")]
