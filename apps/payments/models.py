"""Payments, their provider log, refunds, webhooks, inbound idempotency and cash-drawer shifts."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.models import TimeStampedModel
from apps.orders.models import Order
from apps.stores.models import Device, Store, StoreMember


class PaymentMethod(TimeStampedModel):
    OWNER_LOOKUP = "store__owner"

    class Kind(models.TextChoices):
        CASH = "CASH", _("현금")
        CARD_TERMINAL = "CARD_TERMINAL", _("카드 단말기")
        TOSS = "TOSS", _("토스페이먼츠")
        SIMULATED = "SIMULATED", _("카드(시뮬레이션)")
        PORTONE = "PORTONE", _("포트원")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="payment_methods")
    kind = models.CharField(_("종류"), max_length=15, choices=Kind.choices)
    name = models.CharField(_("표시 이름"), max_length=50)
    name_en = models.CharField(_("영문 이름"), max_length=50, blank=True)
    channels = models.JSONField(_("사용 채널"), default=list, help_text='["POS", "KIOSK", "TABLE"]')
    fee_rate_bp = models.PositiveIntegerField(_("수수료율(bp)"), default=0, help_text=_("1bp = 0.01%"))
    is_active = models.BooleanField(_("사용"), default=True)
    sort_order = models.IntegerField(_("정렬 순서"), default=0)

    class Meta:
        verbose_name = _("결제 수단")
        verbose_name_plural = _("결제 수단")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


def new_payment_key() -> str:
    return "pay_" + secrets.token_urlsafe(16)


class PaymentStatus(models.TextChoices):
    # "완료" and "취소" carry the "status" context: as buttons they are "Done" and "Cancel" (see OrderStatus).
    READY = "READY", _("준비")
    IN_PROGRESS = "IN_PROGRESS", _("승인 중")
    UNKNOWN = "UNKNOWN", _("확인 필요")
    DONE = "DONE", pgettext_lazy("status", "완료")
    FAILED = "FAILED", _("실패")
    ABORTED = "ABORTED", _("중단")
    EXPIRED = "EXPIRED", _("만료")
    PARTIAL_CANCELED = "PARTIAL_CANCELED", _("부분 취소")
    CANCELED = "CANCELED", pgettext_lazy("status", "취소")


class Payment(TimeStampedModel):
    OWNER_LOOKUP = "order__store__owner"

    public_id = models.CharField(max_length=64, unique=True, default=new_payment_key, editable=False)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    method = models.ForeignKey(PaymentMethod, on_delete=models.PROTECT, related_name="payments")
    # A copy of the order's business date (fixed when the order is placed; the method gives the
    # store), so settlement sums a store's payments of some days without joining each to its order.
    business_date = models.DateField()
    kind = models.CharField(max_length=15, choices=PaymentMethod.Kind.choices)
    amount = models.BigIntegerField(_("금액"))
    status = models.CharField(
        _("상태"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.READY, db_index=True
    )
    provider_ref = models.CharField(_("거래 키"), max_length=200, blank=True, db_index=True)
    # Saved before the first outbound call and reused on every retry of it.
    idempotency_key = models.CharField(max_length=64, unique=True, default=uuid.uuid4, editable=False)
    tendered = models.BigIntegerField(_("받은 금액"), null=True, blank=True)
    change = models.BigIntegerField(_("거스름돈"), null=True, blank=True)
    card_company = models.CharField(_("카드사"), max_length=50, blank=True)
    card_number_masked = models.CharField(_("카드 번호"), max_length=30, blank=True)
    approval_number = models.CharField(_("승인 번호"), max_length=30, blank=True)
    approved_at = models.DateTimeField(_("승인 시각"), null=True, blank=True)
    # A card's plan as its approval reported it: 0 = lump sum (일시불), N >= 2 = N months; NULL when
    # not a card or not known (never a guess: a value outside 0..36 is dropped where it is read).
    installment_months = models.PositiveSmallIntegerField(_("할부 개월"), null=True, blank=True)
    canceled_amount = models.BigIntegerField(_("취소 금액"), default=0)
    failure_code = models.CharField(max_length=100, blank=True)
    failure_message = models.CharField(max_length=500, blank=True)
    is_simulated = models.BooleanField(_("시뮬레이션"), default=False)
    staff = models.ForeignKey(StoreMember, on_delete=models.SET_NULL, null=True, blank=True)
    device = models.ForeignKey(Device, on_delete=models.SET_NULL, null=True, blank=True)
    # A table tab split by chosen lines: the ids of the tab's lines this payment paid for (empty for
    # any other payment). The amount stays the fact; this records whose items it covered.
    line_ids = models.JSONField(_("결제한 항목"), default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("결제")
        verbose_name_plural = _("결제")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["method", "business_date"], name="payment_method_day")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_gt_0"),
            models.CheckConstraint(condition=models.Q(canceled_amount__gte=0), name="payment_canceled_gte_0"),
            models.CheckConstraint(
                condition=models.Q(canceled_amount__lte=models.F("amount")), name="payment_canceled_lte_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def balance_amount(self) -> int:
        return self.amount - self.canceled_amount


class PaymentEvent(models.Model):
    """Append-only log of every provider request and answer, raw JSON kept."""

    OWNER_LOOKUP = "payment__order__store__owner"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="events")
    operation = models.CharField(max_length=30)  # confirm, cancel, fetch, webhook, cash, terminal
    direction = models.CharField(max_length=10)  # REQUEST, RESPONSE, ERROR
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Refund(TimeStampedModel):
    OWNER_LOOKUP = "payment__order__store__owner"

    class Status(models.TextChoices):
        REQUESTED = "REQUESTED", _("요청")
        DONE = "DONE", pgettext_lazy("status", "완료")
        FAILED = "FAILED", _("실패")
        UNKNOWN = "UNKNOWN", _("확인 필요")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.BigIntegerField(_("환불 금액"))
    reason = models.CharField(_("사유"), max_length=200)
    # [{"line_id", "quantity", "amount"}] when refunded by line; empty for an amount refund.
    lines = models.JSONField(default=list, blank=True)
    restock = models.BooleanField(_("재입고"), default=False)
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    provider_transaction_key = models.CharField(max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True, default=uuid.uuid4, editable=False)
    staff = models.ForeignKey(StoreMember, on_delete=models.SET_NULL, null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("환불")
        verbose_name_plural = _("환불")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_gt_0")]


class WebhookEvent(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "RECEIVED", _("수신")
        APPLIED = "APPLIED", _("반영")
        IGNORED = "IGNORED", _("무시")
        FAILED = "FAILED", _("실패")

    provider = models.CharField(max_length=20)
    dedup_key = models.CharField(max_length=200)
    event_type = models.CharField(max_length=50)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "dedup_key"], name="webhookevent_dedup")]


class IdempotencyRecord(models.Model):
    """Inbound `Idempotency-Key`: same key + same body → the first response; another body → 422;
    still running → 409. `scope` names the caller (a device or a user)."""

    scope = models.CharField(max_length=100)
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotencyrecord_unique")]


class Shift(TimeStampedModel):
    """A cash-drawer shift at one POS. Lives here rather than in `pos` because settlement's
    business-day close reads it, and settlement sits below the interface apps."""

    OWNER_LOOKUP = "store__owner"

    class Status(models.TextChoices):
        OPEN = "OPEN", _("영업 중")
        CLOSED = "CLOSED", _("마감")

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="shifts")
    device = models.ForeignKey(Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="shifts")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    business_date = models.DateField(_("영업일"))
    opened_by = models.ForeignKey(StoreMember, on_delete=models.PROTECT, related_name="+")
    closed_by = models.ForeignKey(StoreMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    opening_float = models.BigIntegerField(_("시재금"))
    expected_cash = models.BigIntegerField(_("예상 현금"), null=True, blank=True)
    counted_cash = models.BigIntegerField(_("실제 현금"), null=True, blank=True)
    denominations = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("근무(시재)")
        verbose_name_plural = _("근무(시재)")
        constraints = [
            models.UniqueConstraint(
                fields=["device"], condition=models.Q(status="OPEN"), name="shift_one_open_per_device"
            ),
            models.CheckConstraint(condition=models.Q(opening_float__gte=0), name="shift_opening_float_gte_0"),
        ]


class CashMovement(models.Model):
    OWNER_LOOKUP = "shift__store__owner"

    class Kind(models.TextChoices):
        IN = "IN", _("입금")
        OUT = "OUT", _("출금")

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="cash_movements")
    kind = models.CharField(max_length=3, choices=Kind.choices)
    amount = models.BigIntegerField(_("금액"))
    reason = models.CharField(_("사유"), max_length=200)
    staff = models.ForeignKey(StoreMember, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="cashmovement_amount_gt_0")]


class CashReceiptSettings(TimeStampedModel):
    """A store's cash-receipt (현금영수증) rules. Kept in payments, which issues the receipts."""

    OWNER_LOOKUP = "store__owner"

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="cash_receipt_settings")
    # 현금영수증 의무발행업종: a cash sale of 100,000원 or more gets a receipt even when the customer
    # declines one, issued to the national self-issue number.
    mandatory_issue = models.BooleanField(_("현금영수증 의무발행"), default=False)

    class Meta:
        verbose_name = _("현금영수증 설정")
        verbose_name_plural = _("현금영수증 설정")

    def __str__(self) -> str:
        return str(self.store)


class CashReceipt(TimeStampedModel):
    """A cash receipt issued for a cash payment. The customer's identity number is stored masked;
    the full number is kept only sealed (encrypted with a key derived from SECRET_KEY) while a
    partial refund may still need a reissue, and wiped when the receipt is cancelled for good."""

    OWNER_LOOKUP = "payment__order__store__owner"

    class Purpose(models.TextChoices):
        INCOME_DEDUCTION = "INCOME_DEDUCTION", _("소득공제")
        EXPENSE_PROOF = "EXPENSE_PROOF", _("지출증빙")

    class Status(models.TextChoices):
        REQUESTED = "REQUESTED", _("요청")
        ISSUED = "ISSUED", pgettext_lazy("status", "발급")
        FAILED = "FAILED", _("실패")
        UNKNOWN = "UNKNOWN", _("확인 필요")
        CANCELED = "CANCELED", pgettext_lazy("status", "취소")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="cash_receipts")
    purpose = models.CharField(_("용도"), max_length=20, choices=Purpose.choices)
    identity_masked = models.CharField(_("발급 번호"), max_length=20)
    identity_sealed = models.TextField(blank=True, editable=False)
    self_issued = models.BooleanField(_("자진발급"), default=False)
    amount = models.BigIntegerField(_("금액"))
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    is_simulated = models.BooleanField(_("시뮬레이션"), default=False)
    # Who issued it (TOSS / PORTONE / SIMULATED): its cancel and reconciliation go back there even
    # if the store has changed its gateway since.
    issuer = models.CharField(_("발급처"), max_length=10, default="TOSS", editable=False)
    receipt_key = models.CharField(max_length=200, blank=True)
    issue_number = models.CharField(_("승인 번호"), max_length=50, blank=True)
    receipt_url = models.CharField(max_length=500, blank=True)
    # Saved before the first outbound call and reused on every retry of it.
    idempotency_key = models.CharField(max_length=64, unique=True, default=uuid.uuid4, editable=False)
    cancel_idempotency_key = models.CharField(max_length=64, unique=True, default=uuid.uuid4, editable=False)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by", editable=False
    )
    failure_code = models.CharField(max_length=100, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("현금영수증")
        verbose_name_plural = _("현금영수증")
        ordering = ["-created_at", "-id"]  # the latest first: the live one after a reissue
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="cashreceipt_amount_gt_0"),
            # One live receipt per payment: a second issue of the same sale is refused by the database.
            models.UniqueConstraint(
                fields=["payment"],
                condition=models.Q(status__in=["REQUESTED", "ISSUED", "UNKNOWN"]),
                name="cashreceipt_one_live_per_payment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.identity_masked} {self.amount}"
