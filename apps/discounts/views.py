"""JSON API of the discounts app (owner side)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from apps.catalog.selectors import categories_for_owner, products_for_owner
from apps.core.api import api_methods, api_view, error_response, json_response, parse_json_body
from apps.core.errors import Invalid, NotFound
from apps.stores.selectors import store_for_owner

from . import services


def _int_field(data: dict, key: str, *, required: bool) -> int | None:
    value = data.get(key)
    if value is None:
        if required:
            raise Invalid("INVALID_INPUT", _("%(field)s 값이 필요합니다.") % {"field": key}, details={"field": key})
        return None
    # JSON numbers only: "3" or 3.5 is a client bug worth telling about, not something to coerce.
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid("INVALID_INPUT", _("%(field)s 값은 정수여야 합니다.") % {"field": key}, details={"field": key})
    return value


def _datetime_field(data: dict, key: str, tz: str) -> datetime | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise Invalid(
            "INVALID_INPUT", _("%(field)s 값은 ISO 8601 일시여야 합니다.") % {"field": key}, details={"field": key}
        )
    if timezone.is_naive(parsed):
        # A wall-clock time without offset is the store's wall clock, not the server's.
        parsed = parsed.replace(tzinfo=ZoneInfo(tz))
    return parsed


@api_view
@api_methods("POST")
def owner_create(request: HttpRequest) -> JsonResponse:
    """POST /api/discounts/owner/create — an owner seeds a discount for one of their stores."""
    if not request.user.is_authenticated:
        return error_response("AUTH_REQUIRED", _("로그인이 필요합니다."), 401)
    data = parse_json_body(request)
    store_id = _int_field(data, "storeId", required=True)
    try:
        store = store_for_owner(request.user, store_id)
    except Http404:
        raise NotFound("STORE_NOT_FOUND", _("매장을 찾을 수 없습니다.")) from None

    product_id = _int_field(data, "productId", required=False)
    category_id = _int_field(data, "categoryId", required=False)
    # The catalog is the owner's: another owner's product or category looks exactly like a missing one.
    product = category = None
    if product_id is not None:
        product = products_for_owner(store.owner).filter(pk=product_id).first()
        if product is None:
            raise NotFound("PRODUCT_NOT_FOUND", _("상품을 찾을 수 없습니다."))
    if category_id is not None:
        category = categories_for_owner(store.owner).filter(pk=category_id).first()
        if category is None:
            raise NotFound("CATEGORY_NOT_FOUND", _("카테고리를 찾을 수 없습니다."))

    name = data.get("name")
    kind = data.get("kind")
    if not isinstance(name, str):
        raise Invalid("INVALID_NAME", _("할인명을 입력하세요."), details={"field": "name"})
    if not isinstance(kind, str):
        raise Invalid("INVALID_KIND", _("종류는 PERCENT 또는 AMOUNT여야 합니다."), details={"field": "kind"})
    discount = services.discount_create(
        store,
        name=name,
        kind=kind.upper(),
        value=_int_field(data, "value", required=True),
        product=product,
        category=category,
        starts_at=_datetime_field(data, "startsAt", store.timezone),
        ends_at=_datetime_field(data, "endsAt", store.timezone),
    )
    return json_response({"discountId": discount.pk}, status=201)
