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
