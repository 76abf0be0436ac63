"""GET /api/tables, GET /api/tables/{id}/tab, POST /api/tables/{id}/rounds, and their 4xx."""

import json

import pytest

from apps.orders import tabs
from apps.orders.models import Order
from apps.stores import services as store_services
from tests.factories import DeviceFactory, StoreFactory
from tests.tables.factories import make_table

pytestmark = pytest.mark.django_db


@pytest.fixture
def tablet(store):
    return DeviceFactory(store=store, kind="TABLE")


@pytest.fixture
def table(store, tablet):
    return make_table(store, "3", tablet=tablet)


def call(client, device, method, url, body=None):
    headers = {"HTTP_AUTHORIZATION": f"Device {device.raw_token}"}
    if method == "get":
        return client.get(url, **headers)
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", **headers)


def test_tablet_sends_rounds_and_reads_its_tab(client, tablet, table, stew):
    response = call(
        client,
        tablet,
        "post",
        f"/api/tables/{table.pk}/rounds",
        {"items": [{"productId": stew.product.pk, "qty": 2}], "guests": 4},
    )
    assert response.status_code == 201, response.content
    assert response.json()["round"] == 1 and response.json()["tab"]["guests"] == 4
    response = call(
        client,
        tablet,
        "post",
        f"/api/tables/{table.pk}/rounds",
        {"items": [{"productId": stew.product.pk, "qty": 1, "note": "덜 맵게"}]},
    )
    assert response.json()["round"] == 2
    tab = call(client, tablet, "get", f"/api/tables/{table.pk}/tab").json()
    assert [r["number"] for r in tab["rounds"]] == [1, 2]
    assert tab["totals"]["total"] == 27000 and tab["totals"]["vat"] == 2455
    listed = call(client, tablet, "get", "/api/tables").json()["tables"]
    assert listed == [
        {
            "id": table.pk,
            "name": "3",
            "area": "홀",
            "seats": 4,
            "position": {"x": 0, "y": 0},
            "state": "ORDERING",
            "guests": 4,
            "total": 27000,
            "firstRoundAt": listed[0]["firstRoundAt"],
        }
    ]


def test_pos_sees_every_table(client, store, table, pos_device):
    make_table(store, "4")
    names = [t["name"] for t in call(client, pos_device, "get", "/api/tables").json()["tables"]]
    assert names == ["3", "4"]


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"items": [{"productId": 1, "qty": 0}]}, 422, "INVALID_QUANTITY"),
        ({"items": []}, 422, "INVALID_ITEMS"),
        ({}, 422, "INVALID_ITEMS"),
        ({"items": [{"productId": -5, "qty": 1}]}, 422, "INVALID_ITEMS"),
        ({"items": [{"productId": "1", "qty": 1}]}, 422, "INVALID_ITEMS"),
        ({"items": [{"productId": 999999, "qty": 1}]}, 404, "PRODUCT_NOT_FOUND"),
        ({"items": [{"productId": 1, "qty": 1}], "guests": 0}, 422, "INVALID_GUESTS"),
        ({"items": [{"productId": 1, "qty": 1}], "memo": 5}, 422, "INVALID_MEMO"),
        ("not json", 400, "MALFORMED_JSON"),
        ("[1]", 400, "MALFORMED_JSON"),
    ],
)
def test_bad_round_bodies(client, tablet, table, body, status, code):
    response = call(client, tablet, "post", f"/api/tables/{table.pk}/rounds", body)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert not Order.objects.exists()


def test_clear_4xx_for_wrong_tables_and_devices(client, store, tablet, table, stew):
    foreign = make_table(StoreFactory(), "9")
    other_here = make_table(store, "4")
    # another store's table, and (for a tablet) another table of its own store: 404
    for target in (foreign, other_here):
        response = call(client, tablet, "get", f"/api/tables/{target.pk}/tab")
        assert (response.status_code, response.json()["error"]["code"]) == (404, "TABLE_NOT_FOUND")
    assert call(client, tablet, "get", "/api/tables/abc/tab").status_code == 404
    # a table without a tab
    response = call(client, tablet, "get", f"/api/tables/{table.pk}/tab")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "TAB_NOT_FOUND")
    # a frozen tab refuses rounds
    tab = tabs.tab_open(table, guests=2)
    tabs.tab_round_add(tab, [{"productId": stew.product.pk, "qty": 1}])
    tabs.tab_freeze_for_payment(tab)
    response = call(
        client, tablet, "post", f"/api/tables/{table.pk}/rounds", {"items": [{"productId": stew.product.pk, "qty": 1}]}
    )
    assert (response.status_code, response.json()["error"]["code"]) == (409, "TAB_FROZEN")
    # a kiosk may not use it; a revoked tablet is 401; a wrong method is 405
    kiosk = DeviceFactory(store=store, kind="KIOSK")
    assert call(client, kiosk, "get", "/api/tables").status_code == 403
    assert client.post("/api/tables", HTTP_AUTHORIZATION=f"Device {tablet.raw_token}").status_code == 405
    store_services.device_revoke(tablet)
    response = call(client, tablet, "get", "/api/tables")
    assert (response.status_code, response.json()["error"]["code"]) == (401, "DEVICE_UNAUTHORIZED")
