"""The business-day close lists the tables whose tabs are still open."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from apps.orders import tabs
from apps.settlement import selectors as settlement_selectors
from tests.tables.factories import make_table

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 23, 0, tzinfo=ZoneInfo("Asia/Seoul"))


def test_close_lists_tabs_still_open(client, owner, store, stew):
    with time_machine.travel(NOW, tick=False):
        tab = tabs.tab_open(make_table(store, "3"), guests=4)
        tabs.tab_round_add(tab, [{"productId": stew.product.pk, "qty": 2}])
        tabs.tab_open(make_table(store, "5"), guests=1)
        report = settlement_selectors.business_day_close(store, NOW.date())
        assert [(t.table.name, t.total_amount) for t in report.open_tabs] == [("3", 18000), ("5", 0)]
        client.force_login(owner)
        page = client.get(reverse("admin:settlement_close", args=[store.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="close-open-tabs"' in body and "홀 3" in body and "18,000원" in body
