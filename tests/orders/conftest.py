import pytest

from tests.carts.factories import coffee_with_options, listed_product
from tests.factories import DeviceFactory


@pytest.fixture
def americano(store):
    return listed_product(store, "아메리카노", 4500)


@pytest.fixture
def latte(store):
    return coffee_with_options(store)


@pytest.fixture
def other_pos_device(store):
    return DeviceFactory(store=store, kind="POS")


@pytest.fixture
def cart_with():
    """cart_with(device, (menu, qty), ...) -> cart id with those lines."""
    from apps.carts import services as cart_services

    def make(device, *items, option_ids=()):
        cart = cart_services.cart_create(store=device.store, device=device)
        for menu, qty in items:
            cart_services.cart_line_add(
                cart.id, device=device, product_id=menu.product.pk, qty=qty, option_ids=list(option_ids)
            )
        return cart.id

    return make
