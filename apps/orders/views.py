"""The seed's start-payment endpoint (JSON, paired POS/kiosk)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from apps.carts.http import device_api
from apps.core.api import json_response
from apps.stores.decorators import current_device

from . import services
from .models import Order


def order_payload(order: Order) -> dict:
    return {
        "orderId": order.public_id,
        "orderNumber": order.order_number,
        "businessDate": order.business_date.isoformat(),
        "status": order.status,
        "amount": order.total_amount,
        "supply": order.supply_amount,
        "vat": order.vat_amount,
        "taxFree": order.tax_free_amount,
        "discount": order.discount_amount,
        "cartId": order.cart_id,
    }


@device_api("POST")
def start_payment(request: HttpRequest, cart_id: str) -> JsonResponse:
    device = current_device(request)
    order, created = services.order_place(cart_id, device=device)
    return json_response(order_payload(order), status=201 if created else 200)
