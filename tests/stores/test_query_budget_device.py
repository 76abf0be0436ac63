"""The request's device from the cache (issue 18): no query once warm, and never a stale device."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.redis import get_redis
from apps.inventory.versions import STORE_VERSION_KEY, store_menu_bump
from apps.stores.models import Device
from apps.stores.services import device_for_token_cached, device_touch

pytestmark = pytest.mark.django_db

MONDAY_NOON = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # 12:00 in Seoul


def _cart_create(client, device):
    return client.post(
        "/api/carts", data="{}", content_type="application/json", HTTP_AUTHORIZATION=f"Device {device.raw_token}"
    )


def test_warm_device_costs_no_query_and_last_seen_is_written_once_a_minute(client, kiosk_device):
    Device.objects.filter(pk=kiosk_device.pk).update(last_seen_at=None)  # never seen yet
    with time_machine.travel(MONDAY_NOON, tick=False) as clock:
        # given a first request (reads the device, records it was seen)
        assert _cart_create(client, kiosk_device).status_code == 201
        # when more requests come within the minute
        with CaptureQueriesContext(connection) as within:
            _cart_create(client, kiosk_device)
            _cart_create(client, kiosk_device)
        # then no query at all (the device, its store and its last-seen time come from the cache)
        assert len(within) == 0, [q["sql"] for q in within]
        # and after two minutes last_seen_at is written once more, and only once
        clock.shift(timedelta(minutes=2))
        with CaptureQueriesContext(connection) as later:
            _cart_create(client, kiosk_device)
            _cart_create(client, kiosk_device)
        updates = [q for q in later if q["sql"].startswith("UPDATE")]
        assert len(updates) == 1
    kiosk_device.refresh_from_db()
    assert kiosk_device.last_seen_at == MONDAY_NOON + timedelta(minutes=2)


def test_unknown_token_is_not_cached(kiosk_device):
    assert device_for_token_cached("not-a-token") is None
    assert device_for_token_cached("") is None


def test_a_device_saved_elsewhere_is_read_again(kiosk_device):
    # given the device cached
    cached = device_for_token_cached(kiosk_device.raw_token)
    assert cached.name == kiosk_device.name
    # when it is renamed (the admin saves it)
    fresh = Device.objects.get(pk=kiosk_device.pk)
    fresh.name = "입구 키오스크"
    fresh.save()
    # then the next lookup sees the new name
    assert device_for_token_cached(kiosk_device.raw_token).name == "입구 키오스크"


def test_a_touch_never_brings_an_old_device_back(kiosk_device):
    # given a device read from the cache, then changed by someone else
    Device.objects.filter(pk=kiosk_device.pk).update(last_seen_at=None)
    with time_machine.travel(MONDAY_NOON, tick=False) as clock:
        device = device_for_token_cached(kiosk_device.raw_token)
        device_touch(device)
        fresh = Device.objects.get(pk=kiosk_device.pk)
        fresh.name = "바뀐 이름"
        fresh.save()
        # when the old copy records that it was seen
        clock.shift(timedelta(minutes=2))
        device_touch(device)
        # then the cache still hands out the changed device
        assert device_for_token_cached(kiosk_device.raw_token).name == "바뀐 이름"


def test_two_menu_bumps_under_a_frozen_clock_differ(store):
    with time_machine.travel(MONDAY_NOON, tick=False):
        store_menu_bump(store.pk)
        first = get_redis().get(STORE_VERSION_KEY.format(store_id=store.pk))
        store_menu_bump(store.pk)
        second = get_redis().get(STORE_VERSION_KEY.format(store_id=store.pk))
    assert first != second and first.isdigit() and second.isdigit()
