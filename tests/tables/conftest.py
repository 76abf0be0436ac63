import pytest

from tests.carts.factories import listed_product
from tests.pos.conftest import login


@pytest.fixture
def pos_client(client, pos_device, cashier):
    return login(client, pos_device, "1234")


@pytest.fixture
def stew(store):
    return listed_product(store, "김치찌개", 9000, track_stock=True, stock=20)


@pytest.fixture
def soju(store):
    return listed_product(store, "소주", 5000)
