"""JSON API of the discounts app (owner side)."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from apps.catalog.selectors import categories_for_owner, products_for_owner
from apps.core.api import api_methods, api_view, json_response, parse_json_body
from apps.core.errors import Invalid, NotFound
from apps.core.parsers import parse_choice, parse_datetime, parse_id, parse_integer, parse_text
from apps.stores.decorators import owner_api_required
from apps.stores.selectors import store_for_owner

from . import services
from .models import Discount

KINDS = tuple(Discount.Kind.values)


# JSON numbers only (strict): "3" or 3.5 is a client bug worth telling about, not something to coerce.
def _required(data: dict, key: str):
    if data.get(key) is None:
        raise Invalid("INVALID_INPUT", _("%(field)s 값이 필요합니다.") % {"field": key}, details={"field": key})
    return data[key]


def _optional_id(data: dict, key: str) -> int | None:
    value = data.get(key)
    return None if value is None else parse_id(value, key, code="INVALID_INPUT", strict=True)


def _optional_datetime(data: dict, key: str, tz: str) -> datetime | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    # A wall-clock time without offset is the store's wall clock, not the server's.
    return parse_datetime(value, key, tz, code="INVALID_INPUT")


@api_view
@api_methods("POST")
@owner_api_required
def owner_create(request: HttpRequest) -> JsonResponse:
    """POST /api/discounts/owner/create — an owner seeds a discount for one of their stores."""
    data = parse_json_body(request)
    store_id = parse_id(_required(data, "storeId"), "storeId", code="INVALID_INPUT", strict=True)
    try:
        store = store_for_owner(request.user, store_id)
    except Http404:
        raise NotFound("STORE_NOT_FOUND", _("매장을 찾을 수 없습니다.")) from None

    product_id = _optional_id(data, "productId")
    category_id = _optional_id(data, "categoryId")
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

    name = parse_text(data.get("name"), "name", max_length=services.NAME_MAX, code="INVALID_NAME")
    kind = data.get("kind")
    kind = parse_choice(kind.upper() if isinstance(kind, str) else kind, "kind", KINDS, code="INVALID_KIND")
    discount = services.discount_create(
        store,
        name=name,
        kind=kind,
        value=parse_integer(_required(data, "value"), "value", code="INVALID_INPUT", strict=True),
        product=product,
        category=category,
        starts_at=_optional_datetime(data, "startsAt", store.timezone),
        ends_at=_optional_datetime(data, "endsAt", store.timezone),
    )
    return json_response({"discountId": discount.pk}, status=201)
