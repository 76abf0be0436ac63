"""The server side of the store bridge (DESIGN.md "Store bridge"): the printers and card terminals an
owner attached to a paired BRIDGE device, and the jobs queued for them.

A job carries a snapshot of what to print (`payload`), taken when it was queued: a reprint is a new
job, and a job never changes when the order does. The ESC/POS bytes are rendered when the job is
handed to the bridge, with the printer's paper width and Korean encoding of that moment.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.models import TimeStampedModel
from apps.kitchen.models import Station, Ticket
from apps.orders.models import Order
from apps.payments.models import Payment
from apps.stores.models import Device, Store


class JobStatus(models.TextChoices):
    QUEUED = "QUEUED", _("대기")
    SENT = "SENT", _("전송됨")
    DONE = "DONE", pgettext_lazy("status", "완료")
    FAILED = "FAILED", _("실패")


class Printer(TimeStampedModel):
    OWNER_LOOKUP = "store__owner"

    class Role(models.TextChoices):
        RECEIPT = "RECEIPT", _("영수증(카운터)")
        KITCHEN = "KITCHEN", _("주방")

    class Transport(models.TextChoices):
        NETWORK = "NETWORK", _("네트워크 (TCP 9100)")
        USB = "USB", _("USB")
        SERIAL = "SERIAL", _("시리얼")

    class Encoding(models.TextChoices):
        # The printer's Korean double-byte mode: ESC R 13 (Korea), FS & (Kanji/Hangul mode on), then
        # KS X 1001 text as CP949 bytes. Most Korean thermal printers (Bixolon, Sewoo) speak this.
        KOREAN_FS = "KOREAN_FS", _("한글 2바이트 모드 (FS &, CP949)")
        # For printers that boot in Korean mode and print FS & as garbage: CP949 bytes only.
        CP949 = "CP949", _("CP949 (모드 명령 없음)")

    class Status(models.TextChoices):
        UNKNOWN = "UNKNOWN", _("알 수 없음")
        OK = "OK", _("정상")
        PAPER_OUT = "PAPER_OUT", _("용지 없음")
        OFFLINE = "OFFLINE", _("연결 끊김")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="printers")
    bridge = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="printers", verbose_name=_("브리지"))
    name = models.CharField(_("프린터 이름"), max_length=50)
    role = models.CharField(_("용도"), max_length=10, choices=Role.choices, default=Role.RECEIPT)
    station = models.ForeignKey(
        Station,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("주방 스테이션"),
        help_text=_("주방 프린터만: 비워 두면 모든 스테이션의 티켓을 인쇄합니다."),
    )
    transport = models.CharField(_("연결 방식"), max_length=10, choices=Transport.choices, default=Transport.NETWORK)
    address = models.CharField(
        _("주소"),
        max_length=100,
        help_text=_("네트워크: 192.168.0.50:9100 · USB: 04b8:0202 (공급사:제품 ID) · 시리얼: /dev/ttyUSB0"),
    )
    paper_width = models.PositiveSmallIntegerField(_("용지 폭(mm)"), choices=[(80, "80 mm"), (58, "58 mm")], default=80)
    encoding = models.CharField(_("한글 인코딩"), max_length=10, choices=Encoding.choices, default=Encoding.KOREAN_FS)
    has_drawer = models.BooleanField(_("돈통 연결"), default=False)
    is_active = models.BooleanField(_("사용"), default=True)
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.UNKNOWN, editable=False)
    status_at = models.DateTimeField(_("상태 보고 시각"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("프린터")
        verbose_name_plural = _("프린터")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.bridge_id
            and self.store_id
            and (self.bridge.store_id != self.store_id or self.bridge.kind != Device.Kind.BRIDGE)
        ):
            raise ValidationError({"bridge": _("이 매장의 브리지 기기를 고르세요.")})
        if self.station_id and self.station.store_id != self.store_id:
            raise ValidationError({"station": _("이 매장의 스테이션을 고르세요.")})


class Terminal(TimeStampedModel):
    OWNER_LOOKUP = "store__owner"

    class Driver(models.TextChoices):
        SIMULATED = "SIMULATED", _("시뮬레이션 단말기 (실제 결제 아님)")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="card_terminals")
    bridge = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="terminals", verbose_name=_("브리지"))
    name = models.CharField(_("단말기 이름"), max_length=50)
    driver = models.CharField(_("드라이버"), max_length=20, choices=Driver.choices, default=Driver.SIMULATED)
    address = models.CharField(_("주소"), max_length=100, help_text=_("시뮬레이션 단말기: 127.0.0.1:9200"))
    is_active = models.BooleanField(_("사용"), default=True)

    class Meta:
        verbose_name = _("카드 단말기")
        verbose_name_plural = _("카드 단말기")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.bridge_id
            and self.store_id
            and (self.bridge.store_id != self.store_id or self.bridge.kind != Device.Kind.BRIDGE)
        ):
            raise ValidationError({"bridge": _("이 매장의 브리지 기기를 고르세요.")})


class PrintJob(TimeStampedModel):
    OWNER_LOOKUP = "store__owner"

    class Kind(models.TextChoices):
        RECEIPT = "RECEIPT", _("영수증")
        KITCHEN = "KITCHEN", _("주방 티켓")
        BILL = "BILL", _("중간 계산서")
        Z_REPORT = "Z_REPORT", _("마감 보고서(Z)")
        DRAWER = "DRAWER", _("돈통 열기")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    printer = models.ForeignKey(Printer, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(_("종류"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("상태"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    payload = models.JSONField(default=dict, editable=False)
    order = models.ForeignKey(Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    open_drawer = models.BooleanField(_("돈통 열기"), default=False)
    attempts = models.PositiveSmallIntegerField(_("전송 횟수"), default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(_("오류"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("인쇄 작업")
        verbose_name_plural = _("인쇄 작업")
        ordering = ["id"]
        indexes = [models.Index(fields=["printer", "status", "id"], name="printjob_feed")]
        constraints = [
            # A kitchen ticket is printed automatically once per printer (a reprint has no ticket link).
            models.UniqueConstraint(
                fields=["printer", "ticket"], condition=models.Q(ticket__isnull=False), name="printjob_ticket_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class TerminalJobKind(models.TextChoices):
    APPROVE = "APPROVE", _("승인")
    NET_CANCEL = "NET_CANCEL", _("망취소")


class TerminalJob(TimeStampedModel):
    OWNER_LOOKUP = "store__owner"
    Kind = TerminalJobKind

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    terminal = models.ForeignKey(Terminal, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(_("종류"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("상태"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(_("금액"))
    # The approval a net-cancel undoes: the terminal finds the charge by this job's reference.
    cancels = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    attempts = models.PositiveSmallIntegerField(_("전송 횟수"), default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(_("결과"), max_length=20, blank=True)
    result = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("단말기 작업")
        verbose_name_plural = _("단말기 작업")
        ordering = ["id"]
        indexes = [models.Index(fields=["terminal", "status", "id"], name="terminaljob_feed")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="terminaljob_amount_non_negative"),
            # One approval per payment, ever: a payment is never sent to the terminal twice.
            models.UniqueConstraint(
                fields=["payment"],
                condition=models.Q(kind=TerminalJobKind.APPROVE),
                name="terminaljob_one_approval_per_payment",
            ),
        ]

    @property
    def reference(self) -> str:
        """What the terminal knows the charge by (the approval's job, for a net-cancel too)."""
        return f"T{self.cancels_id or self.pk}"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"
