"""The owner's A4 sheet of table QR codes (tables admin) and the QR ordering settings."""

import pytest

from apps.tables.models import TableOrderSettings
from apps.tables.selectors import table_sticker_token
from tests.factories import StoreFactory
from tests.tables.factories import make_table

pytestmark = pytest.mark.django_db


def _codes(response) -> list[dict]:
    return [card for page in response.context["pages"] for card in page]


def test_the_sheet_prints_every_active_table_of_the_owner_with_its_name(client, owner, store):
    tables = [make_table(store, str(n)) for n in range(1, 15)]
    make_table(store, "창고석", is_active=False)
    make_table(StoreFactory(name="남의 가게"), "남의석")
    client.force_login(owner)
    # when the owner opens the sheet from the tables list
    assert 'data-testid="qr-sheet-link"' in client.get("/admin/tables/table/").content.decode()
    sheet = client.get("/admin/tables/table/qr-sheet/")
    # then 14 codes over two A4 pages (12 a page), each with its table's name, none of another owner
    assert sheet.status_code == 200
    body = sheet.content.decode()
    assert len(sheet.context["pages"]) == 2 and body.count('data-testid="qr-code"') == 14
    assert "홀 14" in body and "창고석" not in body and "남의" not in body and "<svg" in body
    # each code is the table's printed sticker URL, which leads a phone to the table's menu
    card = next(card for card in _codes(sheet) if card["table"] == tables[2])
    assert card["url"] == f"http://testserver/q/{table_sticker_token(tables[2])}/"
    phone = client.get(card["url"].removeprefix("http://testserver"))
    assert phone.status_code == 302 and phone.url.startswith("/t/")


def test_one_store_or_the_selected_tables_only(client, owner, store):
    other_store = StoreFactory(owner=owner, name="2호점")
    first, second = make_table(store, "1"), make_table(store, "2")
    make_table(other_store, "A")
    client.force_login(owner)
    one_store = client.get(f"/admin/tables/table/qr-sheet/?store={store.pk}")
    assert {card["table"] for card in _codes(one_store)} == {first, second}
    assert _codes(client.get("/admin/tables/table/qr-sheet/?store=%C2%B2")) == []
    selected = client.post(
        "/admin/tables/table/", {"action": "print_qr_codes", "_selected_action": [second.pk], "index": 0}
    )
    assert selected.status_code == 200 and [card["table"] for card in _codes(selected)] == [second]


def test_another_owner_cannot_print_this_owners_codes(client, store):
    from tests.factories import OwnerFactory

    make_table(store, "1")
    client.force_login(OwnerFactory())
    sheet = client.get(f"/admin/tables/table/qr-sheet/?store={store.pk}")
    assert sheet.status_code in (200, 403) and (sheet.status_code == 403 or _codes(sheet) == [])


def test_owner_sets_the_maximum_per_round(client, owner, store):
    client.force_login(owner)
    response = client.post(
        "/admin/tables/tableordersettings/add/", {"store": store.pk, "qr_ordering": "on", "max_items_per_round": 8}
    )
    assert response.status_code == 302
    assert TableOrderSettings.objects.get(store=store).max_items_per_round == 8
    refused = client.post(
        "/admin/tables/tableordersettings/add/", {"store": store.pk, "qr_ordering": "on", "max_items_per_round": 0}
    )
    assert refused.status_code == 200  # the form shows the error again


@pytest.mark.parametrize("path", ["/admin/tables/table/", "/admin/tables/area/", "/admin/tables/tableordersettings/"])
@pytest.mark.parametrize("action", ["print_qr_codes", "delete_selected"])
def test_a_hostile_selection_runs_no_action(client, owner, store, path, action):
    # before: a NUL among the selected ids was a 500 (ValueError while Django built the filter)
    table = make_table(store, "1")
    client.force_login(owner)
    for selected in (["\x00"], [str(table.pk), "abc"], ["²"]):
        response = client.post(path, {"action": action, "_selected_action": selected, "index": "0"})
        assert response.status_code == 302
    assert store.tables.count() == 1


def test_the_demo_prints_where_a_phone_orders():
    from io import StringIO

    from django.core.management import call_command

    from apps.stores.models import Store

    out = StringIO()
    call_command("seed_demo", "--once", stdout=out)
    table = Store.objects.get().tables.get(name="1")
    assert f"/q/{table_sticker_token(table)}/" in out.getvalue()
