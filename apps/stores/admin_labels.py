"""Korean labels and won amounts for the owner's admin, without touching the models.

Many model fields carry no verbose name (`store`, `created_at`, `public_id`…), so the admin would
show "store", "created at" in Korean mode. Giving each model a verbose name would write an AlterField
migration in every app; the admin instead labels what it shows: form fields and read-only fields
(through the form's `Meta.labels`, which Django's admin also reads for read-only fields), change
list columns and filter titles. A field that already has a Korean verbose name keeps it.

Amounts (`total_amount`, `base_price`…) are shown as `12,300원` (`₩12,300` in English) through
`apps.core.money.format_won` — never a second formatter; names with an English twin (`name_en`) read
in the admin's language (`localized_name_column`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.contrib.admin import FieldListFilter
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.money import format_won
from apps.core.templatetags.names import localized_name

HANGUL = re.compile("[가-힣]")

DEFAULT_LABELS: dict[str, str] = {
    "id": _("번호"),
    "store": _("매장"),
    "owner": _("점주"),
    "user": _("사용자"),
    "created_at": _("만든 시각"),
    "updated_at": _("수정 시각"),
    "product": _("상품"),
    "category": _("카테고리"),
    "parent": _("상위 카테고리"),
    "sku": _("상품 코드(SKU)"),
    "thumbnail": _("썸네일"),
    "image_large": _("큰 이미지"),
    "discount": _("할인"),
    "coupon": _("쿠폰"),
    "order": _("주문"),
    "order_discounts": _("주문 할인"),
    "payment": _("결제"),
    "method": _("결제 수단"),
    "kind": _("종류"),
    "device": _("기기"),
    "staff": _("직원"),
    "member": _("직원"),
    "created_by": _("작성자"),
    "requested_by": _("요청한 사람"),
    "option": _("옵션"),
    "store_product": _("매장 상품"),
    "station": _("스테이션"),
    "round": _("차수"),
    "round_number": _("차수"),
    "table": _("테이블"),
    "area": _("구역"),
    "generation": _("QR 세대"),
    "public_id": _("결제 번호"),
    "business_date": _("영업일"),
    "cart_id": _("장바구니 번호"),
    "cart_version": _("장바구니 버전"),
    "failure_code": _("실패 코드"),
    "failure_message": _("실패 메시지"),
    "idempotency_key": _("중복 방지 키"),
    "cancel_idempotency_key": _("취소 중복 방지 키"),
    "lines": _("환불 품목"),
    "provider_transaction_key": _("결제사 거래 키"),
    "completed_at": _("완료 시각"),
    "issued_at": _("발급 시각"),
    "canceled_at": _("취소 시각"),
    "receipt_key": _("영수증 키"),
    "receipt_url": _("영수증 주소"),
    "replaces": _("대체한 영수증"),
    "identity_sealed": _("식별번호(봉인)"),
    "pairing_code_expires_at": _("연결 코드 만료 시각"),
    "provider": _("결제사"),
    "dedup_key": _("중복 방지 키"),
    "event_type": _("이벤트 종류"),
    "payload": _("내용"),
    "status": _("상태"),
    "attempts": _("시도 횟수"),
    "last_error": _("마지막 오류"),
    "received_at": _("받은 시각"),
    "processed_at": _("처리 시각"),
    "http_status": _("HTTP 상태"),
    "operation": _("작업"),
    "direction": _("방향"),
    "gross_amount": _("총액"),
    "net_amount": _("순매출"),
    "refunded_amount": _("환불액"),
    "refund_amount": _("환불액"),
    "fee_amount": _("수수료"),
    "net_payout": _("정산 금액"),
    "amount": _("금액"),
    "group": _("옵션 그룹"),
    "sort_order": _("정렬 순서"),
    "options": _("옵션"),
    "discounts": _("할인"),
    "tax_type": _("과세 구분"),
    "void_of": _("취소한 줄"),
    "note": _("메모"),
    "from_status": _("이전 상태"),
    "to_status": _("바뀐 상태"),
    "printer": _("프린터"),
    "terminal": _("카드 단말기"),
    "ticket": _("주방 티켓"),
    "cancels": _("취소 대상"),
    "sent_at": _("보낸 시각"),
    "finished_at": _("끝난 시각"),
}

MONEY_NAMES = frozenset({"amount", "price_override", "price_delta", "net_payout", "max_discount", "tendered", "change"})


def is_money(field: models.Field) -> bool:
    if not isinstance(field, models.IntegerField):
        return False
    name = field.name
    return name in MONEY_NAMES or name.endswith(("_amount", "_price", "_float", "_cash"))


def money_field_names(model: type[models.Model]) -> list[str]:
    return [field.name for field in model._meta.concrete_fields if is_money(field)]


def _field(model: type[models.Model], name) -> models.Field | None:
    if not isinstance(name, str):
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if getattr(field, "concrete", False) else None


def label_of(field: models.Field, overrides: dict[str, str]) -> str | None:
    """The label the admin should show, or None when the model's own verbose name will do."""
    if field.name in overrides:
        return overrides[field.name]
    if HANGUL.search(str(field.verbose_name)):
        return None
    return DEFAULT_LABELS.get(field.name)


def labels_for(model: type[models.Model], overrides: dict[str, str]) -> dict[str, str]:
    """`Meta.labels` for the admin's forms: every concrete field that lacks a Korean label."""
    labels = {}
    for field in model._meta.concrete_fields:
        label = label_of(field, overrides)
        if label is not None:
            labels[field.name] = label
    return labels


_WON_COLUMNS: dict[tuple, Callable] = {}


def won_column(name: str, label) -> Callable:
    """One callable per field and label: the admin compares read-only fields by identity."""
    key = (name, label)
    if key not in _WON_COLUMNS:

        def column(obj):
            return format_won(getattr(obj, name))

        column.__name__ = name
        column.short_description = label
        column.admin_order_field = name
        column.won_field = name
        _WON_COLUMNS[key] = column
    return _WON_COLUMNS[key]


_NAME_COLUMNS: dict[tuple, Callable] = {}


def localized_name_column(model: type[models.Model], item, overrides: dict[str, str]) -> Callable | None:
    """The `name` column of a model that also has `name_en` (products, options, categories, payment
    methods): the name in the admin's language, Korean when there is no English name. None for any
    other column. One callable per model and label, so list_display_links can name the same one."""
    field = _field(model, item)
    if item != "name" or field is None or _field(model, "name_en") is None:
        return None
    label = label_of(field, overrides) or field.verbose_name
    key = (model, label)
    if key not in _NAME_COLUMNS:

        def column(obj):
            return localized_name(obj)

        column.__name__ = "name"
        column.short_description = label
        column.admin_order_field = "name"
        _NAME_COLUMNS[key] = column
    return _NAME_COLUMNS[key]


def won_field_names(readonly_fields) -> list[str]:
    """The model fields shown read-only as won callables (to leave out of the form)."""
    return [item.won_field for item in readonly_fields if callable(item) and hasattr(item, "won_field")]


def labelled_column(model: type[models.Model], item, overrides: dict[str, str]):
    """A change-list column: the item itself, or a callable with a Korean header (and amounts in won)."""
    field = _field(model, item)
    if field is None:
        return item
    label = label_of(field, overrides)
    if is_money(field):
        return won_column(field.name, label or field.verbose_name)
    if label is None:
        return item

    def column(obj):
        if field.choices:
            return getattr(obj, f"get_{field.name}_display")()
        return getattr(obj, field.name)

    column.__name__ = field.name
    column.short_description = label
    column.admin_order_field = field.name
    column.boolean = isinstance(field, models.BooleanField)
    return column


def labelled_filter(model: type[models.Model], item, overrides: dict[str, str]):
    """A list filter whose title is the Korean label when the field has none of its own."""
    path, make = item if isinstance(item, tuple | list) else (item, FieldListFilter.create)
    if not isinstance(path, str):
        return item
    field = _field(model, path.split("__")[0]) if "__" not in path else None
    label = label_of(field, overrides) if field is not None else None
    if label is None:
        return item

    def titled(*args, **kwargs):
        spec = make(*args, **kwargs)
        spec.title = label
        return spec

    return (path, titled)


def readonly_fields_for(model: type[models.Model], names: list[str], overrides: dict[str, str] | None = None) -> list:
    """Read-only detail fields: amounts become won callables (labelled), the rest stay names."""
    result = []
    for name in names:
        field = _field(model, name)
        if field is not None and is_money(field):
            result.append(won_column(name, label_of(field, overrides or {}) or field.verbose_name))
        else:
            result.append(name)
    return result
