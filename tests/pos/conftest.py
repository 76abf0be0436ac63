"""POS test fixtures: a logged-in POS terminal, an open shift, a small menu, payment methods."""

import pytest
from django.urls import reverse

from apps.payments import shifts as shift_services
from apps.payments.models import PaymentMethod
from tests.catalog.factories import CategoryFactory, OptionFactory, OptionGroupFactory, ProductFactory
from tests.factories import DeviceFactory, StoreFactory, StoreMemberFactory, device_client
from tests.inventory.factories import StoreProductFactory


def login(client, device, pin: str):
    device_client(client, device)
    response = client.post(reverse("pos:login"), {"pin": pin})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


@pytest.fixture
def pos_client(client, pos_device, cashier):
    """A Django test client on the store's POS, logged in as the cashier (PIN 1234)."""
    return login(client, pos_device, "1234")


@pytest.fixture
def htmx_headers():
    return {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def shift(store, pos_device, cashier):
    return shift_services.shift_open(store=store, device=pos_device, member=cashier, opening_float=100_000)


@pytest.fixture
def menu(store):
    """Coffee (two sizes, size required), a plain cookie, a sold-out cake, a tax-free water."""
    owner = store.owner
    drinks = CategoryFactory(owner=owner, name="커피", sort_order=1)
    food = CategoryFactory(owner=owner, name="디저트", sort_order=2)
    size = OptionGroupFactory(owner=owner, name="사이즈", min_choices=1, max_choices=1, required=True)
    regular = OptionFactory(group=size, name="레귤러", price_delta=0)
    large = OptionFactory(group=size, name="라지", price_delta=500)
    shots = OptionGroupFactory(owner=owner, name="샷 추가", min_choices=0, max_choices=2)
    shot1 = OptionFactory(group=shots, name="샷1", price_delta=500)
    shot2 = OptionFactory(group=shots, name="샷2", price_delta=500)
    shot3 = OptionFactory(group=shots, name="샷3", price_delta=500)
    coffee = ProductFactory(owner=owner, name="아메리카노", base_price=4500, option_groups=[size, shots])
    coffee.categories.add(drinks)
    cookie = ProductFactory(owner=owner, name="쿠키", base_price=2200, barcode="8801234567890")
    cookie.categories.add(food)
    cake = ProductFactory(owner=owner, name="치즈케이크", base_price=6000)
    cake.categories.add(food)
    water = ProductFactory(owner=owner, name="생수", base_price=1000, tax_type="TAX_FREE")
    water.categories.add(drinks)
    StoreProductFactory(store=store, product=coffee, recommended_rank=1)
    StoreProductFactory(store=store, product=cookie)
    StoreProductFactory(store=store, product=cake, is_sold_out=True)
    StoreProductFactory(store=store, product=water)
    return {
        "coffee": coffee,
        "cookie": cookie,
        "cake": cake,
        "water": water,
        "size": size,
        "regular": regular,
        "large": large,
        "shots": shots,
        "shot1": shot1,
        "shot2": shot2,
        "shot3": shot3,
        "drinks": drinks,
        "food": food,
    }


@pytest.fixture
def methods(store):
    def make(kind, name, order):
        return PaymentMethod.objects.create(store=store, kind=kind, name=name, channels=["POS"], sort_order=order)

    return {
        "cash": make(PaymentMethod.Kind.CASH, "현금", 1),
        "card": make(PaymentMethod.Kind.CARD_TERMINAL, "카드 단말기", 2),
        "sim": make(PaymentMethod.Kind.SIMULATED, "카드(시뮬레이션)", 3),
    }


@pytest.fixture
def other_store_pos(db):
    """Another owner's store with its own POS and cashier (PIN 1234 there too)."""
    other = StoreFactory()
    device = DeviceFactory(store=other, kind="POS")
    member = StoreMemberFactory(store=other, pin="1234")
    return other, device, member
