"""Fuzz suite set-up: hypothesis profiles and one realistic store to throw hostile input at.

Profiles (select with HYPOTHESIS_PROFILE): "fuzz" (default, 200 examples per endpoint, derandomized
so CI is deterministic) and "fuzz-deep" (2,000 examples, random seed, for a local hunt).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import pytest
from django.test import Client
from hypothesis import HealthCheck, settings

from apps.payments.models import Payment, PaymentMethod
from tests.carts.factories import Menu, coffee_with_options, listed_product
from tests.factories import DeviceFactory, OwnerFactory, StoreFactory
from tests.payments.factories import make_method, make_order

_COMMON = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
}
settings.register_profile("fuzz", max_examples=200, derandomize=True, **_COMMON)
settings.register_profile("fuzz-deep", max_examples=2000, derandomize=False, **_COMMON)
FUZZ_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "fuzz")
if FUZZ_PROFILE not in ("fuzz", "fuzz-deep"):
    FUZZ_PROFILE = "fuzz"


@dataclass
class World:
    owner_client: Client
    device_client: Client
    anon_client: Client
    store: object
    pos: object
    kiosk: object
    latte: Menu
    americano: Menu
    cash: PaymentMethod
    simulated: PaymentMethod
    toss: PaymentMethod
    order_public_id: str
    payment_key: str
    toss_payment: Payment

    def device_headers(self, device=None) -> dict:
        return {"HTTP_AUTHORIZATION": f"Device {(device or self.pos).raw_token}"}

    def new_cart(self) -> str:
        response = self.device_client.post("/api/carts", "{}", content_type="application/json", **self.device_headers())
        assert response.status_code == 201, response.content
        return response.json()["cartId"]

    def add_line(self, cart_id: str) -> str:
        body = {"productId": self.americano.product.pk, "qty": 1}
        response = self.device_client.post(
            f"/api/carts/{cart_id}/items", json.dumps(body), content_type="application/json", **self.device_headers()
        )
        assert response.status_code == 201, response.content
        return response.json()["lines"][-1]["lineId"]


@pytest.fixture
def world(db, toss_server) -> World:
    from apps.payments import services as payment_services

    owner = OwnerFactory()
    store = StoreFactory(owner=owner)
    pos = DeviceFactory(store=store, kind="POS")
    kiosk = DeviceFactory(store=store, kind="KIOSK")
    latte = coffee_with_options(store)
    americano = listed_product(store, "아메리카노", 4500)
    cash = make_method(store, PaymentMethod.Kind.CASH, channels=("POS",), name="현금")
    simulated = make_method(store, PaymentMethod.Kind.SIMULATED, channels=("POS", "KIOSK"), name="카드(시뮬레이션)")
    toss = make_method(store, PaymentMethod.Kind.TOSS, channels=("POS", "KIOSK"), name="카드")

    # a paid cash payment that has a provider reference, for the cancel endpoint
    paid_order = make_order(store, lines=(("아메리카노", 4500, 100),))
    paid = payment_services.payment_create(paid_order, cash, tendered=paid_order.total_amount)
    Payment.objects.filter(pk=paid.pk).update(provider_ref="tkey_fuzz")
    # a card payment waiting for its confirm
    waiting_order = make_order(store)
    toss_payment = payment_services.payment_create(waiting_order, toss)
    payment_key = toss_server.authorize(toss_payment.public_id, toss_payment.amount)
    # an order still to pay, for POST /payments
    due_order = make_order(store, lines=(("아메리카노", 4500, 1000),))

    owner_client = Client(enforce_csrf_checks=False)
    owner_client.force_login(owner)
    return World(
        owner_client=owner_client,
        device_client=Client(enforce_csrf_checks=False),
        anon_client=Client(enforce_csrf_checks=False),
        store=store,
        pos=pos,
        kiosk=kiosk,
        latte=latte,
        americano=americano,
        cash=cash,
        simulated=simulated,
        toss=toss,
        order_public_id=due_order.public_id,
        payment_key=payment_key,
        toss_payment=toss_payment,
    )
