"""Per-store listings of catalog products (the seed's "inventory") and the stock ledger."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import Option, Product
from apps.core.models import TimeStampedModel
from apps.stores.models import Store, StoreMember


class StoreProduct(TimeStampedModel):
    OWNER_LOOKUP = "store__owner"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="listings")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="listings")
    is_listed = models.BooleanField(_("진열"), default=True)
    price_override = models.BigIntegerField(_("매장 가격(원)"), null=True, blank=True)
    is_sold_out = models.BooleanField(_("품절"), default=False)
    sold_out_until = models.DateTimeField(_("오늘만 품절 (해제 시각)"), null=True, blank=True)
    recommended_rank = models.PositiveSmallIntegerField(_("추천 순위"), null=True, blank=True)
    display_order = models.IntegerField(_("진열 순서"), default=0)
    track_stock = models.BooleanField(_("재고 관리"), default=False)
    stock_quantity = models.IntegerField(_("재고"), default=0)
    low_stock_threshold = models.IntegerField(_("재고 부족 기준"), default=0)

    class Meta:
        verbose_name = _("매장 상품")
        verbose_name_plural = _("매장 상품")
        ordering = ["display_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "product"], name="storeproduct_unique_per_store"),
            models.CheckConstraint(condition=models.Q(stock_quantity__gte=0), name="storeproduct_stock_gte_0"),
            models.CheckConstraint(
                condition=models.Q(price_override__isnull=True) | models.Q(price_override__gte=0),
                name="storeproduct_price_override_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.store} · {self.product}"


class StoreOptionStatus(models.Model):
    """An option sold out in one store only (the catalog's Option.is_sold_out applies everywhere)."""

    OWNER_LOOKUP = "store__owner"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="option_statuses")
    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="store_statuses")
    is_sold_out = models.BooleanField(_("품절"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("매장 옵션 품절")
        verbose_name_plural = _("매장 옵션 품절")
        constraints = [models.UniqueConstraint(fields=["store", "option"], name="storeoptionstatus_unique")]

    def __str__(self) -> str:
        return f"{self.store} · {self.option}"


class StockMovement(models.Model):
    """Append-only ledger: every change of a tracked listing's stock, with what caused it."""

    OWNER_LOOKUP = "store_product__store__owner"

    class Reason(models.TextChoices):
        SALE = "SALE", _("판매")
        CANCEL = "CANCEL", _("주문 취소")
        REFUND = "REFUND", _("환불")
        ADJUST = "ADJUST", _("조정")
        RECEIVE = "RECEIVE", _("입고")

    store_product = models.ForeignKey(StoreProduct, on_delete=models.PROTECT, related_name="movements")
    reason = models.CharField(_("사유"), max_length=10, choices=Reason.choices)
    quantity = models.IntegerField(_("수량 변화"))
    quantity_after = models.IntegerField(_("변경 후 재고"))
    reference = models.CharField(_("참조"), max_length=100, blank=True, help_text=_("주문 번호 등"))
    note = models.CharField(_("메모"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    member = models.ForeignKey(StoreMember, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("재고 이동")
        verbose_name_plural = _("재고 이동")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.store_product} {self.quantity:+d}"
