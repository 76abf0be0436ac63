from io import StringIO

import pytest
from django.core.management import call_command

from apps.stores.models import Store
from apps.tables import selectors

pytestmark = pytest.mark.django_db


def test_demo_store_gets_a_hall_with_tables_and_a_paired_ready_tablet_on_table_3():
    out = StringIO()
    call_command("seed_demo", "--once", stdout=out)
    store = Store.objects.get()
    tables = list(selectors.tables_for_store(store))
    assert [t.area.name for t in tables].count("홀") == 8 and len(tables) == 10
    table_3 = next(t for t in tables if t.name == "3")
    assert table_3.tablet is not None and table_3.tablet.kind == "TABLE"
    # the tablet's pairing code is printed like the POS's and the kiosk's
    assert "3번 테이블 태블릿 (TABLE): " in out.getvalue()
    # a second run keeps what is there
    call_command("seed_demo", "--once", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    assert selectors.tables_for_store(store).count() == 10
