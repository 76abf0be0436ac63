from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel

from .validators import validate_business_number, validate_timezone


class Store(TimeStampedModel):
    OWNER_LOOKUP = "owner"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stores")
    name = models.CharField(_("매장명"), max_length=100)
    business_number = models.CharField(
        _("사업자등록번호"), max_length=12, validators=[validate_business_number], help_text="123-45-67890"
    )
    address = models.CharField(_("주소"), max_length=255, blank=True)
    phone = models.CharField(_("전화번호"), max_length=20, blank=True)
    timezone = models.CharField(_("시간대"), max_length=64, default="Asia/Seoul", validators=[validate_timezone])
    cutoff_hour = models.PositiveSmallIntegerField(
        _("영업일 마감 시각"),
        default=4,
        validators=[MaxValueValidator(23)],
        help_text=_("이 시각 이전의 판매는 전날 영업일에 속합니다."),
    )
    settlement_day = models.PositiveSmallIntegerField(
        _("월 정산일"), default=1, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    receipt_footer = models.TextField(_("영수증 하단 문구"), blank=True)
    manual_discount_limit_percent = models.PositiveSmallIntegerField(
        _("매니저 승인 없이 가능한 할인율(%)"), default=10, validators=[MaxValueValidator(100)]
    )
    manual_discount_limit_amount = models.PositiveIntegerField(_("매니저 승인 없이 가능한 할인액(원)"), default=5000)
    pos_opens_on_floor = models.BooleanField(
        _("POS를 테이블 화면으로 시작"),
        default=False,
        help_text=_("식당처럼 테이블에서 주문을 받는 매장이면 켜세요. 직원 로그인 후 테이블 화면이 먼저 열립니다."),
    )

    class Meta:
        verbose_name = _("매장")
        verbose_name_plural = _("매장")
        constraints = [
            models.CheckConstraint(condition=models.Q(cutoff_hour__lte=23), name="store_cutoff_hour_range"),
            models.CheckConstraint(
                condition=models.Q(settlement_day__gte=1, settlement_day__lte=28), name="store_settlement_day_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StoreMember(TimeStampedModel):
    OWNER_LOOKUP = "store__owner"

    class Role(models.TextChoices):
        MANAGER = "MANAGER", _("매니저")
        CASHIER = "CASHIER", _("캐셔")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="members")
    display_name = models.CharField(_("표시 이름"), max_length=50)
    role = models.CharField(_("역할"), max_length=10, choices=Role.choices, default=Role.CASHIER)
    # A keyed hash of (store, PIN): a PIN alone identifies the member at the counter, so it must be
    # unique within the store and findable without trying every member's slow password hash.
    pin_digest = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(_("활성"), default=True)

    class Meta:
        verbose_name = _("직원")
        verbose_name_plural = _("직원")
        constraints = [
            models.UniqueConstraint(fields=["store", "pin_digest"], name="storemember_unique_pin_per_store"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()})"

    @property
    def is_manager(self) -> bool:
        return self.role == self.Role.MANAGER


class Device(TimeStampedModel):
    OWNER_LOOKUP = "store__owner"

    class Kind(models.TextChoices):
        POS = "POS", _("POS")
        KIOSK = "KIOSK", _("키오스크")
        KITCHEN = "KITCHEN", _("주방 화면")
        TABLE = "TABLE", _("테이블 태블릿")
        BOARD = "BOARD", _("주문 현황판")
        BRIDGE = "BRIDGE", _("매장 브리지(프린터·단말기)")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="devices")
    kind = models.CharField(_("종류"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("기기 이름"), max_length=50)
    pairing_code_digest = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    pairing_code_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    token_digest = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    paired_at = models.DateTimeField(_("연결 시각"), null=True, blank=True, editable=False)
    last_seen_at = models.DateTimeField(_("마지막 접속"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("해제 시각"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("기기")
        verbose_name_plural = _("기기")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def is_paired(self) -> bool:
        return bool(self.token_digest) and self.revoked_at is None
