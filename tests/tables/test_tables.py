"""Tables: store scoping, the signed QR token with its generation, the admin scoped to the owner."""

import pytest
from django.core.exceptions import ValidationError

from apps.core.errors import DomainError, NotFound
from apps.tables import selectors, services
from apps.tables.models import Area
from apps.tables.versions import floor_touch, floor_version
from tests.factories import DeviceFactory, StoreFactory
from tests.tables.factories import make_table

pytestmark = pytest.mark.django_db


def test_another_stores_table_is_a_404_like_a_missing_one(store):
    # given a table in another owner's store
    foreign = make_table(StoreFactory(), "1")
    # when this store asks for it, or for a missing / malformed id
    for table_id in (foreign.pk, 999_999, "abc", None, 2**70):
        with pytest.raises(NotFound) as err:
            selectors.table_for_store(store, table_id)
        # then it is the same 404 every time
        assert err.value.code == "TABLE_NOT_FOUND"


def test_inactive_tables_are_not_on_the_floor(store):
    make_table(store, "1")
    make_table(store, "2", is_active=False)
    assert [t.name for t in selectors.tables_for_store(store)] == ["1"]


def test_a_token_stops_working_when_the_generation_moves_on(store):
    # given the QR token of table 3
    table = make_table(store, "3")
    token = selectors.table_token(table)
    assert selectors.table_for_token(token) == table
    # when a tab on it is paid (the generation advances)
    services.table_generation_advance(table.pk)
    # then the old photo of the code is refused with 410, the new code works
    with pytest.raises(DomainError) as err:
        selectors.table_for_token(token)
    assert err.value.status == 410 and err.value.code == "TABLE_TOKEN_OUTDATED"
    table.refresh_from_db()
    assert selectors.table_for_token(selectors.table_token(table)) == table


@pytest.mark.parametrize("token", ["", "garbage", "a:b:c", "x" * 5000])
def test_forged_tokens_are_a_404(store, token):
    make_table(store, "1")
    with pytest.raises(NotFound):
        selectors.table_for_token(token)


def test_tablet_must_be_assigned_to_a_table(store):
    tablet = DeviceFactory(store=store, kind="TABLE")
    with pytest.raises(DomainError) as err:
        selectors.table_for_tablet(tablet)
    assert err.value.code == "TABLET_NOT_ASSIGNED"
    table = make_table(store, "5", tablet=tablet)
    assert selectors.table_for_tablet(tablet) == table


def test_a_table_takes_an_area_and_a_tablet_of_its_own_store(store):
    other = StoreFactory(owner=store.owner)
    foreign_area = Area.objects.create(store=other, name="테라스")
    foreign_tablet = DeviceFactory(store=other, kind="TABLE")
    table = make_table(store, "1")
    table.area = foreign_area
    with pytest.raises(ValidationError):
        table.full_clean()
    table.refresh_from_db()
    table.tablet = foreign_tablet
    with pytest.raises(ValidationError):
        table.full_clean()


def test_floor_version_changes_after_the_touching_transaction_commits(store, django_capture_on_commit_callbacks):
    before = floor_version(store.pk)
    with django_capture_on_commit_callbacks(execute=True):
        floor_touch(store.pk)
        # not before the commit: a poll in between must not see the new version with the old tab
        assert floor_version(store.pk) == before
    assert floor_version(store.pk) != before


def test_table_admin_lists_only_the_owners_tables(client, owner, store):
    # given a table of this owner and one of another owner
    mine = make_table(store, "7번")
    foreign = make_table(StoreFactory(name="남의 가게"), "8번")
    client.force_login(owner)
    # when the owner opens the tables admin
    listing = client.get("/admin/tables/table/")
    # then only their own table is there; the other one is a 404
    assert listing.status_code == 200
    assert "7번" in listing.content.decode() and "8번" not in listing.content.decode()
    assert client.get(f"/admin/tables/table/{mine.pk}/change/").status_code == 200
    assert client.get(f"/admin/tables/table/{foreign.pk}/change/").status_code == 404


def test_owner_adds_an_area_with_tables_in_the_admin(client, owner, store):
    client.force_login(owner)
    response = client.post(
        "/admin/tables/area/add/",
        {
            "store": store.pk,
            "name": "테라스",
            "sort_order": 1,
            "tables-TOTAL_FORMS": 1,
            "tables-INITIAL_FORMS": 0,
            "tables-0-name": "T1",
            "tables-0-seats": 2,
            "tables-0-grid_x": 1,
            "tables-0-grid_y": 0,
            "tables-0-is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    table = selectors.tables_for_store(store).get(name="T1")
    assert table.area.name == "테라스" and table.store == store and table.seats == 2
