"""Stations, kitchen tickets and their lines (DESIGN.md "Kitchen").

A ticket holds copies of its order lines (name, quantity, options, memo): the kitchen reads only
its own rows, and a catalog change never rewrites a ticket already on the screen.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.catalog.models import Category, Product
from apps.core.models import TimeStampedModel
from apps.orders.models import Order, OrderLine, OrderRound
from apps.stores.models import Device, Store


class KitchenSettings(TimeStampedModel):
    """The owner's kitchen settings of one store (created with defaults on first use)."""

    OWNER_LOOKUP = "store__owner"

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="kitchen_settings")
    warn_after_minutes = models.PositiveSmallIntegerField(
        _("주의 표시(분)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    late_after_minutes = models.PositiveSmallIntegerField(
        _("지연 표시(분)"), default=20, validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    board_ready_minutes = models.PositiveSmallIntegerField(
        _("현황판 완료 표시 시간(분)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("카운터에서 전달하지 않아도 이 시간이 지나면 현황판의 완료 칸에서 사라집니다."),
    )
    make_before_payment_pos = models.BooleanField(
        _("POS 주문은 결제 전에 조리"),
        default=False,
        help_text=_("카운터에서 주문을 받고 나중에 결제하는 매장이면 켜세요. 주문하는 즉시 주방에 티켓이 갑니다."),
    )
    make_before_payment_kiosk = models.BooleanField(
        _("키오스크 주문은 결제 전에 조리"),
        default=False,
        help_text=_("키오스크에서 주문하고 카운터에서 결제하는 매장이면 켜세요."),
    )

    class Meta:
        verbose_name = _("주방 설정")
        verbose_name_plural = _("주방 설정")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(late_after_minutes__gte=models.F("warn_after_minutes")),
                name="kitchensettings_late_after_warn",
            ),
        ]

    def __str__(self) -> str:
        return str(self.store)

    def clean(self) -> None:
        if (self.late_after_minutes or 0) < (self.warn_after_minutes or 0):
            raise ValidationError({"late_after_minutes": _("지연 표시 시간은 주의 표시 시간보다 짧을 수 없습니다.")})


class Station(TimeStampedModel):
    """A screen in the kitchen and what it makes: its products, then its categories; anything no
    station claims goes to the store's default station."""

    OWNER_LOOKUP = "store__owner"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="stations")
    name = models.CharField(_("스테이션 이름"), max_length=50)
    is_default = models.BooleanField(_("기본 스테이션"), default=False)
    categories = models.ManyToManyField(Category, blank=True, related_name="+", verbose_name=_("카테고리"))
    products = models.ManyToManyField(Product, blank=True, related_name="+", verbose_name=_("상품"))
    sort_order = models.IntegerField(_("정렬 순서"), default=0)

    class Meta:
        verbose_name = _("주방 스테이션")
        verbose_name_plural = _("주방 스테이션")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "name"], name="station_unique_name_per_store"),
            models.UniqueConstraint(
                fields=["store"], condition=models.Q(is_default=True), name="station_one_default_per_store"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StationScreen(models.Model):
    """Which station a paired kitchen display shows (picked on the display itself)."""

    OWNER_LOOKUP = "device__store__owner"

    device = models.OneToOneField(Device, on_delete=models.CASCADE, related_name="station_screen")
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="screens")


# A bump can be undone for this long (services.ticket_undo; the display shows the button as long).
UNDO_WINDOW = timedelta(seconds=30)


class TicketStatus(models.TextChoices):
    NEW = "NEW", _("조리 중")
    READY = "READY", pgettext_lazy("status", "완료")
    DONE = "DONE", _("전달 완료")
    # The order was canceled or expired before it was made (a "make before payment" order).
    CANCELED = "CANCELED", _("주문 취소")


class Ticket(models.Model):
    """One station's share of an order (or of one table round)."""

    OWNER_LOOKUP = "store__owner"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="tickets")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="kitchen_tickets")
    round = models.ForeignKey(OrderRound, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # 0 for a counter or kiosk order; the round's number for a table tab (one ticket per station and round).
    round_number = models.PositiveIntegerField(default=0)
    status = models.CharField(_("상태"), max_length=10, choices=TicketStatus.choices, default=TicketStatus.NEW)
    created_at = models.DateTimeField(_("접수 시각"), auto_now_add=True, db_index=True)
    ready_at = models.DateTimeField(_("완료 시각"), null=True, blank=True)
    done_at = models.DateTimeField(_("전달 시각"), null=True, blank=True)

    class Meta:
        verbose_name = _("주방 티켓")
        verbose_name_plural = _("주방 티켓")
        ordering = ["created_at", "id"]
        constraints = [
            # The last guard behind the order-row lock: a ticket is never made twice for one station's work.
            models.UniqueConstraint(
                fields=["station", "order", "round_number"], name="ticket_unique_per_station_round"
            ),
        ]
        indexes = [
            models.Index(fields=["station", "status", "created_at"], name="ticket_station_feed"),
            # The operations gauge counts the open tickets of every store at each scrape; done ones pile up.
            models.Index(
                fields=["status", "created_at"],
                condition=models.Q(status__in=[TicketStatus.NEW, TicketStatus.READY]),
                name="ticket_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} #{self.order.order_number}"


class TicketLine(models.Model):
    OWNER_LOOKUP = "ticket__store__owner"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("상품명"), max_length=100)
    name_en = models.CharField(max_length=100, blank=True)
    quantity = models.PositiveIntegerField(_("수량"))
    options = models.JSONField(default=list, blank=True)  # option names as chosen
    note = models.CharField(_("메모"), max_length=200, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("티켓 상품")
        verbose_name_plural = _("티켓 상품")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"
