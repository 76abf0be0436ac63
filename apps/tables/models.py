"""Areas and tables of a store (DESIGN.md "Tables and tabs"). A tab (an open order) points at a
table from the orders app, which sits above this one."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel
from apps.stores.models import Device, Store


class Area(TimeStampedModel):
    OWNER_LOOKUP = "store__owner"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="areas")
    name = models.CharField(_("구역 이름"), max_length=50, help_text=_("예: 홀, 테라스, 룸"))
    sort_order = models.IntegerField(_("정렬 순서"), default=0)

    class Meta:
        verbose_name = _("구역")
        verbose_name_plural = _("구역")
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="area_unique_name_per_store")]

    def __str__(self) -> str:
        return self.name


class Table(TimeStampedModel):
    OWNER_LOOKUP = "store__owner"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="tables")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="tables")
    name = models.CharField(_("테이블 이름"), max_length=30, help_text=_("번호 또는 이름"))
    seats = models.PositiveSmallIntegerField(_("좌석 수"), default=4)
    grid_x = models.PositiveSmallIntegerField(_("가로 위치"), default=0)
    grid_y = models.PositiveSmallIntegerField(_("세로 위치"), default=0)
    is_active = models.BooleanField(_("사용"), default=True)
    # The table's tablet (a TABLE device). One device serves one table.
    tablet = models.OneToOneField(
        Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="table", verbose_name=_("테이블 태블릿")
    )
    # Goes up each time a tab on this table is paid: the signed QR token carries it, so a photo of
    # an old code stops working for the next guests.
    generation = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("테이블")
        verbose_name_plural = _("테이블")
        ordering = ["area__sort_order", "grid_y", "grid_x", "id"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="table_unique_name_per_store")]

    def __str__(self) -> str:
        return f"{self.area.name} {self.name}" if self.area_id else self.name

    def clean(self):
        if self.area_id and self.store_id and self.area.store_id != self.store_id:
            raise ValidationError({"area": _("같은 매장의 구역을 고르세요.")})
        if self.tablet_id and (self.tablet.store_id != self.store_id or self.tablet.kind != Device.Kind.TABLE):
            raise ValidationError({"tablet": _("이 매장의 테이블 태블릿을 고르세요.")})


class TableOrderSettings(TimeStampedModel):
    """How a store takes orders from guests' phones (the table QR codes). A store without a row
    uses the defaults: QR ordering on, at most 20 items in one round, no staff confirmation, pay later."""

    OWNER_LOOKUP = "store__owner"
    DEFAULT_MAX_ITEMS_PER_ROUND = 20

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="table_order_settings")
    qr_ordering = models.BooleanField(
        _("QR 주문 받기"), default=True, help_text=_("끄면 손님 휴대폰으로는 메뉴만 보고 주문할 수 없습니다.")
    )
    max_items_per_round = models.PositiveSmallIntegerField(
        _("한 번에 주문할 수 있는 최대 수량"),
        default=DEFAULT_MAX_ITEMS_PER_ROUND,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("휴대폰 한 대가 한 번에 보내는 메뉴 수량의 합계 (1~99)"),
    )
    confirm_first_round = models.BooleanField(
        _("첫 주문은 직원 확인 후 접수"),
        default=False,
        help_text=_("빈 테이블에서 휴대폰으로 들어온 첫 주문을 POS에서 확인해야 주방으로 보냅니다 (장난 주문 방지)."),
    )

    pay_first = models.BooleanField(
        _("선결제 (휴대폰에서 결제 후 주문)"),
        default=False,
        help_text=_("켜면 손님이 휴대폰에서 카드로 먼저 결제해야 주문이 주방으로 들어갑니다. 끄면 식사 후 계산합니다."),
    )

    class Meta:
        verbose_name = _("테이블 QR 주문 설정")
        verbose_name_plural = _("테이블 QR 주문 설정")

    def __str__(self) -> str:
        return str(self.store)
