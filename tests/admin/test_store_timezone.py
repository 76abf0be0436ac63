"""Admin pages show times on the store's clock: an owner whose stores are in Los Angeles reads an
order's time in Los Angeles time, not the server's Asia/Seoul."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from tests.factories import OwnerFactory, StoreFactory
from tests.settlement import factories as fx

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
PLACED = datetime(2026, 11, 30, 20, 15, tzinfo=ZoneInfo("UTC"))  # 12:15 in LA, 05:15 next day in Seoul


def _shown(zone) -> str:
    with timezone.override(zone):
        return formats.localize(timezone.template_localtime(PLACED))


def test_an_orders_time_is_shown_in_the_stores_timezone(client):
    owner = OwnerFactory()
    store = StoreFactory(owner=owner, timezone="America/Los_Angeles")
    order = fx.sale(store, PLACED, [(fx.product(store), 1, 4500, 0)])
    client.force_login(owner)
    html = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert _shown(LA) in html
    assert _shown(ZoneInfo("Asia/Seoul")) not in html


def test_owners_with_stores_in_several_zones_keep_the_site_zone(client):
    owner = OwnerFactory()
    store = StoreFactory(owner=owner, timezone="America/Los_Angeles")
    StoreFactory(owner=owner, timezone="Asia/Seoul")
    order = fx.sale(store, PLACED, [(fx.product(store), 1, 4500, 0)])
    client.force_login(owner)
    html = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert _shown(ZoneInfo("Asia/Seoul")) in html
