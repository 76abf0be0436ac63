import pytest

from apps.core.errors import NotFound
from apps.core.redis import get_redis
from apps.stores.staff_calls import staff_call_ack, staff_call_create, staff_calls_pending
from tests.factories import DeviceFactory, StoreFactory

pytestmark = pytest.mark.django_db


def test_a_call_from_a_kiosk_is_pending_for_its_store_only(store, kiosk_device):
    other_store = StoreFactory()

    call = staff_call_create(store, kiosk_device)

    pending = staff_calls_pending(store)
    assert [c["id"] for c in pending] == [call["id"]]
    assert pending[0]["device_name"] == kiosk_device.name
    assert pending[0]["device_id"] == kiosk_device.pk
    assert staff_calls_pending(other_store) == []


def test_repeated_taps_from_one_device_are_one_call(store, kiosk_device):
    first = staff_call_create(store, kiosk_device)
    second = staff_call_create(store, kiosk_device)

    assert first["id"] == second["id"]
    assert len(staff_calls_pending(store)) == 1


def test_two_kiosks_make_two_calls_oldest_first(store, kiosk_device):
    other_kiosk = DeviceFactory(store=store, kind="KIOSK")

    first = staff_call_create(store, kiosk_device)
    second = staff_call_create(store, other_kiosk)

    assert [c["id"] for c in staff_calls_pending(store)] == [first["id"], second["id"]]


def test_ack_removes_the_call_and_is_idempotent(store, kiosk_device):
    call = staff_call_create(store, kiosk_device)

    staff_call_ack(store, call["id"])
    staff_call_ack(store, call["id"])

    assert staff_calls_pending(store) == []
    # After an ack the same kiosk can call again, and it is a new call.
    assert staff_call_create(store, kiosk_device)["id"] != call["id"]


def test_ack_with_another_stores_call_id_changes_nothing(store, kiosk_device):
    other_store = StoreFactory()
    call = staff_call_create(store, kiosk_device)

    staff_call_ack(other_store, call["id"])

    assert [c["id"] for c in staff_calls_pending(store)] == [call["id"]]


def test_a_device_of_another_store_cannot_call_into_this_store(store):
    foreign_kiosk = DeviceFactory(kind="KIOSK")

    with pytest.raises(NotFound):
        staff_call_create(store, foreign_kiosk)
    assert staff_calls_pending(store) == []


def test_calls_expire_on_their_own(store, kiosk_device, settings):
    settings.STAFF_CALL_TTL_SECONDS = 1
    call = staff_call_create(store, kiosk_device)
    redis = get_redis()
    assert 0 < redis.ttl(f"staffcall:{store.pk}:{call['id']}") <= 1

    # Simulate the key expiring (real expiry takes a second of wall time).
    redis.delete(f"staffcall:{store.pk}:{call['id']}")

    assert staff_calls_pending(store) == []
    assert redis.zcard(f"staffcalls:{store.pk}") == 0


def test_index_entries_older_than_the_ttl_are_trimmed(store, kiosk_device, settings):
    call = staff_call_create(store, kiosk_device)
    redis = get_redis()
    redis.zadd(f"staffcalls:{store.pk}", {call["id"]: 1.0})  # created long ago

    assert staff_calls_pending(store) == []
