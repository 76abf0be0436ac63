"""The seed's JSON endpoints: an owner's stores ("inventories") and their listed products.

Owner session auth with CSRF enforced. Errors are always `{"error": {"code", "message"}}`:
401 without a session, 403 for a missing/wrong CSRF token or a user who is not an owner, 404 for
another owner's store.
"""

from __future__ import annotations

import functools

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from apps.catalog import services as catalog_services
from apps.catalog.models import TaxType
from apps.catalog.selectors import product_for_owner
from apps.core.api import api_methods, api_view, error_response, json_response, parse_json_body, parse_json_object
from apps.core.errors import Invalid
from apps.core.parsers import (
    parse_amount,
    parse_choice,
    parse_id,
    parse_id_list,
    parse_integer,
    parse_quantity,
    parse_text,
)
from apps.stores import selectors as store_selectors
from apps.stores import services as store_services
from apps.stores.decorators import owner_api_required
from apps.stores.models import Store

from . import selectors, services

TAX_TYPES = tuple(TaxType.values)


def owner_api(view):
    """Session-authenticated owner endpoint: JSON 401 / 403 (not an owner, CSRF) / 404 (Http404)
    instead of HTML."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return error_response("NOT_FOUND", _("매장을 찾을 수 없습니다."), 404)

    return api_view(owner_api_required(wrapper))


def _store(request, inventory_id):
    return store_selectors.store_for_owner(request.user, inventory_id)


def _listing_json(item: selectors.MenuItem) -> dict:
    listing = item.listing
    return {
        "productId": listing.product_id,
        "storeProductId": listing.store_product_id,
        "name": listing.name,
        "nameEn": listing.name_en,
        "description": item.description,
        "basePrice": item.base_price,
        "price": listing.unit_price,
        "taxType": listing.tax_type,
        "categoryIds": sorted(listing.category_ids),
        "available": listing.available,
        "unavailableReason": listing.unavailable_reason,
        "soldOut": item.is_sold_out,
        "soldOutUntil": item.sold_out_until.isoformat() if item.sold_out_until else None,
        "recommendedRank": item.recommended_rank,
        "trackStock": listing.track_stock,
        "stock": listing.stock,
        "thumbnailUrl": item.thumbnail_url,
        "imageUrl": item.image_url,
        "optionGroups": [
            {
                "id": group.id,
                "name": group.name,
                "minChoices": group.min_choices,
                "maxChoices": group.max_choices,
                "required": group.required,
                "options": [
                    {"id": o.id, "name": o.name, "priceDelta": o.price_delta, "available": o.available}
                    for o in group.options
                ],
            }
            for group in listing.option_groups
        ],
    }


@owner_api
@api_methods("POST")
def inventories(request):
    data = parse_json_body(request)

    def text(key: str, attr: str, *, required: bool) -> str:
        return parse_text(data.get(key), key, max_length=Store._meta.get_field(attr).max_length, required=required)

    fields = {
        "name": text("name", "name", required=True),
        "business_number": text("businessNumber", "business_number", required=True),
        "address": text("address", "address", required=False),
        "phone": text("phone", "phone", required=False),
    }
    if "timezone" in data:
        fields["timezone"] = text("timezone", "timezone", required=True)
    if "cutoffHour" in data:
        fields["cutoff_hour"] = parse_quantity(data["cutoffHour"], "cutoffHour", min=0, max=23, strict=True)
    try:
        store = store_services.store_create(owner=request.user, **fields)
    except ValidationError as err:
        raise Invalid(
            "INVALID_FIELD",
            " ".join(err.messages),
            details={"fields": {k: [str(m) for m in v] for k, v in getattr(err, "message_dict", {}).items()}},
        ) from None
    return json_response({"inventoryId": store.pk, "name": store.name}, status=201)


@owner_api
@api_methods("GET", "POST")
def inventory_products(request, inventory_id: int):
    store = _store(request, inventory_id)
    if request.method == "GET":
        menu = selectors.menu_for_store(store, channel="POS")
        return json_response(
            {"inventoryId": store.pk, "version": menu.version, "products": [_listing_json(i) for i in menu.items]}
        )
    return _create_product(request, store)


def _request_data(request) -> dict:
    if request.content_type == "application/json":
        return parse_json_body(request)
    raw = request.POST.get("data")
    if raw is None:
        raise Invalid("MISSING_DATA", _("multipart 'data' 필드(JSON)가 필요합니다."))
    return parse_json_object(raw)


def _create_product(request, store):
    data = _request_data(request)
    image = request.FILES.get("image")
    # Checked before the product is created, so bad listing input never leaves a half-made product.
    # Numbers are parsed here (JSON integers only); their business ranges are the services' to check.
    listing_fields = services.listing_clean(
        price_override=_optional(data, "storePrice", lambda v: parse_amount(v, "storePrice", strict=True)),
        track_stock=data.get("trackStock", False),  # a JSON boolean, checked by listing_clean
        stock_quantity=parse_integer(data.get("stock", 0), "stock", code="INVALID_QUANTITY", strict=True),
        recommended_rank=_optional(
            data, "recommendedRank", lambda v: parse_integer(v, "recommendedRank", code="INVALID_QUANTITY", strict=True)
        ),
        display_order=parse_integer(data.get("displayOrder", 0), "displayOrder", strict=True),
    )
    if data.get("productId") is not None:
        # Re-list an existing catalog product of this owner in the store.
        product = product_for_owner(store.owner, parse_id(data["productId"], "productId", strict=True))
        if image is not None:
            catalog_services.product_image_replace(product, image)
        created = False
    else:
        if "price" not in data:
            raise Invalid("INVALID_FIELD", _("price 값은 필수입니다."))
        product = catalog_services.product_create(
            store.owner,
            name=_text(data, "name", 100, required=True),
            name_en=_text(data, "nameEn", 100),
            description=_text(data, "description", 2000),
            base_price=parse_amount(data["price"], "price", strict=True),
            tax_type=parse_choice(
                data.get("taxType", "TAXABLE"),
                "taxType",
                TAX_TYPES,
                message=_("taxType 값은 TAXABLE 또는 TAX_FREE여야 합니다."),
            ),
            sku=_text(data, "sku", 64),
            barcode=_text(data, "barcode", 64),
            category_ids=_id_list(data.get("categoryIds", []), "categoryIds"),
            option_group_ids=_id_list(data.get("optionGroupIds", []), "optionGroupIds"),
            image=image,
        )
        created = True
    listing = services.listing_create(store, product, user=request.user, **listing_fields)
    item = selectors.menu_for_store(store, channel="POS").item(product.pk)
    body = _listing_json(item) if item else {"productId": product.pk, "storeProductId": listing.pk}
    body["imageStatus"] = product.image_status
    return json_response(body, status=201 if created else 200)


def _optional(data: dict, key: str, parse):
    value = data.get(key)
    return None if value is None else parse(value)


def _text(data: dict, key: str, max_length: int, *, required: bool = False) -> str:
    return parse_text(data.get(key), key, max_length=max_length, required=required)


def _id_list(value, field: str) -> list[int]:
    if not isinstance(value, list):  # null is not an empty list here: the field was sent wrong
        raise Invalid("INVALID_FIELD", _("%(field)s 값은 번호 목록이어야 합니다.") % {"field": field})
    return parse_id_list(value, field, strict=True)


@owner_api
@api_methods("DELETE")
def inventory_product(request, inventory_id: int, product_id: int):
    store = _store(request, inventory_id)
    listing = services.listing_unlist(store, product_id)
    return json_response({"productId": listing.product_id, "storeProductId": listing.pk, "listed": False})
