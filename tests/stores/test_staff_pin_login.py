"""Staff PIN login on /pos/: a paired POS device first, then the PIN of an active member."""

import pytest
from django.urls import reverse

from apps.pos.auth import current_member
from apps.stores import services
from tests.factories import DeviceFactory, StoreFactory, StoreMemberFactory, device_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def pos(client, pos_device):
    return device_client(client, pos_device)


def test_pos_without_a_device_goes_to_pairing(client):
    response = client.get("/pos/")
    assert response["Location"].startswith(reverse("stores:pair"))
    assert client.get(reverse("pos:login"))["Location"].startswith(reverse("stores:pair"))


def test_paired_pos_shows_the_pin_screen_first(pos, pos_device):
    assert pos.get("/pos/")["Location"] == reverse("pos:login")
    page = pos.get(reverse("pos:login"))
    assert page.status_code == 200
    assert pos_device.store.name in page.content.decode()


def test_the_right_pin_opens_the_pos_shell(pos, cashier):
    response = pos.post(reverse("pos:login"), {"pin": "1234"})
    assert response.status_code == 302
    page = pos.get("/pos/")
    assert page.status_code == 200
    assert cashier.display_name in page.content.decode()


@pytest.mark.parametrize("pin", ["0000", "12", "abcd", "", "1234567"])
def test_a_wrong_pin_is_refused(pos, cashier, pin):
    response = pos.post(reverse("pos:login"), {"pin": pin})
    assert response.status_code == 403
    assert "PIN이 올바르지 않습니다" in response.content.decode()
    assert pos.get("/pos/")["Location"] == reverse("pos:login")


def test_an_inactive_member_is_refused(pos, cashier):
    cashier.is_active = False
    cashier.save()
    response = pos.post(reverse("pos:login"), {"pin": "1234"})
    assert response.status_code == 403
    assert "비활성화된 직원" in response.content.decode()
    assert pos.get("/pos/")["Location"] == reverse("pos:login")


def test_a_member_deactivated_while_logged_in_is_logged_out(pos, cashier):
    pos.post(reverse("pos:login"), {"pin": "1234"})
    cashier.is_active = False
    cashier.save()
    assert pos.get("/pos/")["Location"] == reverse("pos:login")


def test_another_stores_pin_does_not_work_here(pos, cashier):
    other = StoreFactory()
    StoreMemberFactory(store=other, pin="5555")
    assert pos.post(reverse("pos:login"), {"pin": "5555"}).status_code == 403


def test_pin_attempts_are_throttled_per_device(pos, cashier, client, pos_device):
    for _ in range(services.PIN_ATTEMPTS_PER_MINUTE):
        assert pos.post(reverse("pos:login"), {"pin": "0000"}).status_code == 403
    # then even the right PIN waits for the window to pass
    blocked = pos.post(reverse("pos:login"), {"pin": "1234"})
    assert blocked.status_code == 429
    assert "시도가 너무 많습니다" in blocked.content.decode()
    # another POS of the same store is not blocked
    other = DeviceFactory(store=pos_device.store, kind="POS")
    other_client = device_client(client.__class__(), other)
    assert other_client.post(reverse("pos:login"), {"pin": "1234"}).status_code == 302


def test_logout_returns_to_the_pin_screen(pos, cashier):
    pos.post(reverse("pos:login"), {"pin": "1234"})
    assert pos.post(reverse("pos:logout")).status_code == 302
    assert pos.get("/pos/")["Location"] == reverse("pos:login")


def test_login_is_per_device(client, pos_device, cashier):
    # a browser re-paired to another POS does not inherit the previous login
    device_client(client, pos_device)
    client.post(reverse("pos:login"), {"pin": "1234"})
    other = DeviceFactory(store=pos_device.store, kind="POS")
    device_client(client, other)
    assert client.get("/pos/")["Location"] == reverse("pos:login")


def test_pin_login_cycles_the_session_key(pos, cashier):
    pos.get(reverse("pos:login"))
    before = pos.session.session_key
    pos.post(reverse("pos:login"), {"pin": "1234"})
    assert pos.session.session_key != before


def test_current_member_is_none_without_a_device(rf):
    request = rf.get("/")
    request.session = {}
    assert current_member(request) is None


def test_pins_are_unique_within_a_store_and_stored_hashed(store, cashier):
    with pytest.raises(services.DomainError) as err:
        services.member_create(store=store, display_name="중복", role="CASHIER", pin="1234")
    assert err.value.code == "PIN_TAKEN"
    with pytest.raises(services.DomainError) as err:
        services.member_create(store=store, display_name="짧음", role="CASHIER", pin="12")
    assert err.value.code == "INVALID_PIN_FORMAT"
    other = StoreFactory()
    services.member_create(store=other, display_name="다른 매장", role="CASHIER", pin="1234")
    assert "1234" not in cashier.pin_digest
