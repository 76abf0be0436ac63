"""The seed's cart API for paired terminals (JSON). Thin: parse, call one service, render the cart."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from apps.core.api import json_response, parse_json_body
from apps.core.parsers import MAX_ID, parse_id, parse_id_list, parse_quantity, parse_text
from apps.stores.decorators import current_device

from . import services
from .http import device_api
from .selectors import cart_listings, cart_priced


# JSON numbers only (strict): a terminal that sends "2" for a quantity has a bug worth reporting.
def _qty(value) -> int:
    return parse_quantity(value, "qty", max=services.MAX_QTY, code="INVALID_QUANTITY", strict=True)


def _note(value) -> str:
    return parse_text(value, "note", max_length=services.MAX_NOTE, required=False, code="INVALID_NOTE")


def _version(data: dict) -> int | None:
    value = data.get("version")
    return None if value is None else parse_quantity(value, "version", min=0, max=MAX_ID, strict=True)


def _cart_response(cart, device, status: int = 200, listings: dict | None = None) -> JsonResponse:
    # The device's store comes with the (cached) device: no second read of the Store.
    return json_response(cart_priced(cart, store=device.store, listings=listings).as_json(), status=status)


@device_api("POST")
def cart_create(request: HttpRequest) -> JsonResponse:
    data = parse_json_body(request)
    device = current_device(request)
    cart = services.cart_create(
        store=device.store,
        device=device,
        service_type=parse_text(
            data.get("serviceType"), "serviceType", max_length=32, required=False, code="INVALID_SERVICE_TYPE"
        ),
    )
    return _cart_response(cart, device, status=201)


@device_api("GET")
def cart_detail(request: HttpRequest, cart_id: str) -> JsonResponse:
    device = current_device(request)
    return _cart_response(services.cart_get(cart_id, device=device), device)


@device_api("POST")
def cart_items(request: HttpRequest, cart_id: str) -> JsonResponse:
    data = parse_json_body(request)
    device = current_device(request)
    # Look the cart up first: an unknown or foreign cart is a 404 whatever the body says.
    read = services.cart_get(cart_id, device=device)
    product_id = parse_id(data.get("productId"), "productId", code="INVALID_PRODUCT", strict=True)
    # One listings read for the request: the add and the priced answer share them (and a fresh
    # stock read, when a line tracks stock, is made once).
    listings = cart_listings(device.store, {line["productId"] for line in read.lines} | {product_id})
    cart = services.cart_line_add(
        cart_id,
        device=device,
        product_id=product_id,
        qty=_qty(data.get("qty", 1)),
        option_ids=parse_id_list(data.get("optionIds"), "optionIds", code="INVALID_OPTIONS", strict=True),
        note=_note(data.get("note")),
        expected_version=_version(data),
        listings=listings,
        read=read,
    )
    return _cart_response(cart, device, status=201, listings=listings)


@device_api("PATCH", "DELETE")
def cart_item(request: HttpRequest, cart_id: str, line_id: str) -> JsonResponse:
    device = current_device(request)
    if request.method == "DELETE":
        cart = services.cart_line_remove(cart_id, line_id, device=device)
        return _cart_response(cart, device)
    data = parse_json_body(request)
    services.cart_get(cart_id, device=device)
    cart = services.cart_line_update(
        cart_id,
        line_id,
        device=device,
        qty=_qty(data["qty"]) if "qty" in data else None,
        note=_note(data["note"]) if "note" in data else None,
        expected_version=_version(data),
    )
    return _cart_response(cart, device)
