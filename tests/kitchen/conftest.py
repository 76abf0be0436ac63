import pytest

from apps.catalog.models import Category
from apps.kitchen.models import KitchenSettings, Station
from tests.carts.factories import listed_product
from tests.payments.factories import make_method


@pytest.fixture
def drinks_category(store):
    return Category.objects.create(owner=store.owner, name="음료")


@pytest.fixture
def americano(store, drinks_category):
    menu = listed_product(store, "아메리카노", 4500)
    menu.product.categories.add(drinks_category)
    return menu


@pytest.fixture
def bagel(store):
    return listed_product(store, "베이글", 3500)


@pytest.fixture
def kitchen(store):
    return Station.objects.create(store=store, name="주방", is_default=True, sort_order=0)


@pytest.fixture
def bar(store, drinks_category):
    station = Station.objects.create(store=store, name="음료", sort_order=1)
    station.categories.add(drinks_category)
    return station


@pytest.fixture
def cash(store):
    return make_method(store, "CASH", channels=("POS", "KIOSK"))


@pytest.fixture
def kitchen_settings(store):
    return KitchenSettings.objects.create(store=store)


@pytest.fixture
def place_and_pay(cart_with, cash):
    """place_and_pay(device, (menu, qty), ...) -> the paid order."""
    from apps.orders import services as order_services
    from apps.payments import services as payment_services

    def run(device, *items):
        order, _ = order_services.order_place(cart_with(device, *items), device=device)
        payment_services.payment_create(order, cash, channel=device.kind)
        order.refresh_from_db()
        return order

    return run


@pytest.fixture
def cart_with():
    from apps.carts import services as cart_services

    def make(device, *items):
        cart = cart_services.cart_create(store=device.store, device=device)
        for menu, qty in items:
            cart_services.cart_line_add(cart.id, device=device, product_id=menu.product.pk, qty=qty)
        return cart.id

    return make
