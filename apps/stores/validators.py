import re
import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def normalize_business_number(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    if len(digits) != 10:
        return value
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def business_number_is_valid(value: str) -> bool:
    """사업자등록번호 check digit (국세청 rule): weights 1,3,7,1,3,7,1,3,5 over the first nine digits,
    plus floor(d9 * 5 / 10); the check digit is (10 - sum % 10) % 10."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) != 10 or not re.fullmatch(r"\d{3}-?\d{2}-?\d{5}", value.strip()):
        return False
    nums = [int(c) for c in digits]
    total = sum(n * w for n, w in zip(nums[:9], _BRN_WEIGHTS, strict=True))
    total += (nums[8] * 5) // 10
    return (10 - total % 10) % 10 == nums[9]


def validate_business_number(value: str) -> None:
    if not business_number_is_valid(value):
        raise ValidationError(_("올바른 사업자등록번호가 아닙니다 (예: 123-45-67891)."), code="invalid_business_number")


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("알 수 없는 시간대입니다: %(tz)s"), params={"tz": value}, code="invalid_timezone")
