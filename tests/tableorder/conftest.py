import pytest

from apps.payments import shifts as shift_services
from apps.tables.selectors import table_sticker_token, table_token
from tests.carts.factories import listed_product
from tests.factories import DeviceFactory
from tests.tables.factories import make_table


@pytest.fixture
def open_shift(store, cashier):
    pos = DeviceFactory(store=store, kind="POS", name="카운터")
    return shift_services.shift_open(store=store, device=pos, member=cashier, opening_float=100_000)


@pytest.fixture
def table(store):
    return make_table(store, "3")


@pytest.fixture
def stew(store):
    return listed_product(store, "김치찌개", 9000, track_stock=True, stock=50)


@pytest.fixture
def soju(store):
    return listed_product(store, "소주", 5000)


def phone_url(table, rest: str = "") -> str:
    """The URL a phone is on after scanning the table's code (the current generation's token)."""
    table.refresh_from_db()
    return f"/t/{table_token(table)}/{rest}"


def sticker_url(table) -> str:
    return f"/q/{table_sticker_token(table)}/"
