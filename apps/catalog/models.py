"""The owner's catalog, shared by all of the owner's stores. Per-store price, sold-out and stock
live in inventory.StoreProduct."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.models import TimeStampedModel


class TaxType(models.TextChoices):
    TAXABLE = "TAXABLE", _("과세")
    TAX_FREE = "TAX_FREE", _("면세")


class Category(TimeStampedModel):
    OWNER_LOOKUP = "owner"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="categories")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    name = models.CharField(_("이름"), max_length=50)
    name_en = models.CharField(_("영문 이름"), max_length=50, blank=True)
    sort_order = models.IntegerField(_("정렬 순서"), default=0)

    class Meta:
        verbose_name = _("카테고리")
        verbose_name_plural = _("카테고리")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class OptionGroup(TimeStampedModel):
    """A reusable group of choices ("Size", "Extra shot", "Ice") attached to many products."""

    OWNER_LOOKUP = "owner"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="option_groups")
    name = models.CharField(_("이름"), max_length=50)
    name_en = models.CharField(_("영문 이름"), max_length=50, blank=True)
    min_choices = models.PositiveSmallIntegerField(_("최소 선택"), default=0)
    max_choices = models.PositiveSmallIntegerField(_("최대 선택"), default=1)
    required = models.BooleanField(_("필수"), default=False)

    class Meta:
        verbose_name = _("옵션 그룹")
        verbose_name_plural = _("옵션 그룹")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_choices__gte=models.F("min_choices")), name="optiongroup_max_gte_min"
            ),
            models.CheckConstraint(condition=models.Q(max_choices__gte=1), name="optiongroup_max_gte_1"),
        ]

    def __str__(self) -> str:
        return self.name


class Option(TimeStampedModel):
    OWNER_LOOKUP = "group__owner"

    group = models.ForeignKey(OptionGroup, on_delete=models.CASCADE, related_name="options")
    name = models.CharField(_("이름"), max_length=50)
    name_en = models.CharField(_("영문 이름"), max_length=50, blank=True)
    price_delta = models.IntegerField(_("추가 금액(원)"), default=0)
    is_sold_out = models.BooleanField(_("품절"), default=False)
    sort_order = models.IntegerField(_("정렬 순서"), default=0)

    class Meta:
        verbose_name = _("옵션")
        verbose_name_plural = _("옵션")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class ImageStatus(models.TextChoices):
    NONE = "NONE", _("없음")
    PENDING = "PENDING", _("처리 중")
    READY = "READY", pgettext_lazy("status", "완료")
    FAILED = "FAILED", _("실패")


class Product(TimeStampedModel):
    OWNER_LOOKUP = "owner"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="products")
    name = models.CharField(_("상품명"), max_length=100)
    name_en = models.CharField(_("영문 상품명"), max_length=100, blank=True)
    description = models.TextField(_("설명"), blank=True)
    base_price = models.BigIntegerField(_("기본 가격(원)"))
    tax_type = models.CharField(_("과세 구분"), max_length=10, choices=TaxType.choices, default=TaxType.TAXABLE)
    sku = models.CharField(_("SKU"), max_length=64, blank=True)
    barcode = models.CharField(_("바코드"), max_length=64, blank=True)
    image = models.ImageField(_("이미지"), upload_to="products/original/", blank=True)
    thumbnail = models.ImageField(upload_to="products/thumb/", blank=True, editable=False)
    image_large = models.ImageField(upload_to="products/large/", blank=True, editable=False)
    # The thumbnails are made by a Celery task after the upload commits; screens show the original
    # (or nothing) until then, and the admin shows why a broken upload has no thumbnail.
    image_status = models.CharField(
        _("이미지 처리 상태"), max_length=10, choices=ImageStatus.choices, default=ImageStatus.NONE, editable=False
    )
    image_error = models.CharField(_("이미지 처리 오류"), max_length=200, blank=True, editable=False)
    is_active = models.BooleanField(_("판매 중"), default=True, help_text=_("끄면 보관(archived) 상태가 됩니다."))
    categories = models.ManyToManyField(Category, blank=True, related_name="products", verbose_name=_("카테고리"))
    option_groups = models.ManyToManyField(
        OptionGroup, through="ProductOptionGroup", blank=True, related_name="products", verbose_name=_("옵션 그룹")
    )

    class Meta:
        verbose_name = _("상품")
        verbose_name_plural = _("상품")
        constraints = [
            models.CheckConstraint(condition=models.Q(base_price__gte=0), name="product_base_price_gte_0"),
            models.UniqueConstraint(
                fields=["owner", "sku"], condition=~models.Q(sku=""), name="product_unique_sku_per_owner"
            ),
            models.UniqueConstraint(
                fields=["owner", "barcode"], condition=~models.Q(barcode=""), name="product_unique_barcode_per_owner"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProductOptionGroup(models.Model):
    OWNER_LOOKUP = "product__owner"

    product = models.ForeignKey(Product, on_delete=models.CASCADE)
    group = models.ForeignKey(OptionGroup, on_delete=models.CASCADE)
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["product", "group"], name="productoptiongroup_unique")]

    def __str__(self) -> str:
        # The admin's inline row shows this, not "ProductOptionGroup object (46)".
        return self.group.name
