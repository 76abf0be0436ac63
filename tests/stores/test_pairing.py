"""Device pairing: the /pair/ page and POST /api/devices/pair, device auth, revoke, rate limit."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from apps.stores import services
from apps.stores.models import Device
from tests.factories import DeviceFactory, device_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_pos(store):
    """A POS device the owner just created in the admin: not paired, with a fresh code."""
    device = DeviceFactory(store=store, kind="POS", paired=False)
    return device, services.device_issue_pairing_code(device)


def _pair_page(client, code, **extra):
    return client.post(reverse("stores:pair"), {"code": code}, **extra)


def _api_pair(client, body, **extra):
    return client.post(reverse("stores:api_pair"), data=json.dumps(body), content_type="application/json", **extra)


# --- /pair/ page --------------------------------------------------------------------------------


def test_pairing_page_sets_a_signed_httponly_cookie_and_opens_the_pos(client, new_pos):
    device, code = new_pos
    assert client.get(reverse("stores:pair")).status_code == 200

    response = _pair_page(client, code)

    assert response.status_code == 302
    assert response["Location"] == "/pos/"
    cookie = response.cookies[settings.DEVICE_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= 365 * 24 * 3600
    device.refresh_from_db()
    assert device.is_paired and device.paired_at is not None
    assert device.pairing_code_digest == ""
    # the cookie is what identifies the terminal from now on: /pos/ asks for a staff PIN
    assert client.get("/pos/")["Location"] == reverse("pos:login")


def test_pairing_returns_to_the_page_that_asked_for_it_but_never_off_site(client, store):
    kiosk = DeviceFactory(store=store, kind="KIOSK", paired=False)
    code = services.device_issue_pairing_code(kiosk)
    response = client.post(reverse("stores:pair") + "?next=https://evil.example/steal", {"code": code})
    assert response["Location"] == "/kiosk/"
    other = DeviceFactory(store=store, kind="KIOSK", paired=False)
    code = services.device_issue_pairing_code(other)
    response = client.post(reverse("stores:pair") + "?next=/kiosk/%3Fx%3D1", {"code": code})
    assert response["Location"] == "/kiosk/?x=1"


def test_a_wrong_code_is_refused_with_a_message(client, new_pos):
    device, code = new_pos
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = _pair_page(client, wrong)
    assert response.status_code == 400
    assert "연결 코드가 올바르지 않거나 이미 사용되었습니다" in response.content.decode()
    assert settings.DEVICE_COOKIE_NAME not in response.cookies
    device.refresh_from_db()
    assert not device.is_paired


@pytest.mark.parametrize("code", ["12345", "abcdef", "", "1234567"])
def test_a_malformed_code_is_a_form_error(client, code):
    response = _pair_page(client, code)
    assert response.status_code == 422
    assert response.context["form"].errors["code"]


def test_an_expired_code_is_refused_with_a_clear_message(client, new_pos):
    device, code = new_pos
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.PAIRING_CODE_TTL_SECONDS + 1)):
        response = _pair_page(client, code)
    assert response.status_code == 400
    assert "연결 코드가 만료되었습니다" in response.content.decode()
    device.refresh_from_db()
    assert not device.is_paired


def test_a_code_is_still_good_just_before_it_expires(client, new_pos):
    device, code = new_pos
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.PAIRING_CODE_TTL_SECONDS - 5)):
        assert _pair_page(client, code).status_code == 302


def test_a_used_code_cannot_pair_a_second_terminal(client, new_pos):
    device, code = new_pos
    assert _pair_page(client, code).status_code == 302
    intruder = client.__class__()
    response = _pair_page(intruder, code)
    assert response.status_code == 400
    assert "이미 사용되었습니다" in response.content.decode()


def test_a_new_code_replaces_the_previous_one(new_pos):
    device, first = new_pos
    second = services.device_issue_pairing_code(device)
    if first != second:
        with pytest.raises(services.DomainError):
            services.device_pair(first, client_address="t")
    assert services.device_pair(second, client_address="t2")[0] == device


def test_a_stale_expired_code_of_another_device_does_not_shadow_a_live_one(store, monkeypatch):
    # given device A's code expired unused, and device B later drew the same six digits
    a = DeviceFactory(store=store, paired=False)
    b = DeviceFactory(store=store, paired=False)
    monkeypatch.setattr(services.secrets, "randbelow", lambda n: 424242)
    with time_machine.travel(timezone.now() - timedelta(hours=1)):
        services.device_issue_pairing_code(a)
    assert services.device_issue_pairing_code(b) == "424242"
    # when the code is entered, B is paired
    assert services.device_pair("424242", client_address="t")[0] == b


def test_pairing_attempts_are_rate_limited_per_client_address(client, new_pos, settings):
    device, code = new_pos
    settings.PAIRING_RATE_LIMIT = 5
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert _pair_page(client, wrong).status_code == 400
    # the 6th attempt within the minute is refused, even with the right code
    blocked = _pair_page(client, code)
    assert blocked.status_code == 429
    assert "연결 시도가 너무 많습니다" in blocked.content.decode()
    device.refresh_from_db()
    assert not device.is_paired
    # another client address is not affected
    assert _pair_page(client, code, REMOTE_ADDR="10.0.0.9").status_code == 302


def test_the_rate_limit_window_passes(client, new_pos, settings):
    device, code = new_pos
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(settings.PAIRING_RATE_LIMIT):
        _pair_page(client, wrong)
    assert _pair_page(client, code).status_code == 429
    # the window is a Redis key TTL; drop it as its expiry would
    from apps.core.redis import get_redis

    redis = get_redis()
    for key in redis.scan_iter("*ratelimit:pair:*"):
        redis.delete(key)
    assert _pair_page(client, code).status_code == 302


def test_behind_trusted_proxies_the_forwarded_client_address_is_limited(client, new_pos, settings):
    device, code = new_pos
    settings.TRUSTED_PROXY_COUNT = 1
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(settings.PAIRING_RATE_LIMIT):
        _pair_page(client, wrong, HTTP_X_FORWARDED_FOR="1.1.1.1")
    # a client cannot dodge the limit by prepending a made-up address
    assert _pair_page(client, code, HTTP_X_FORWARDED_FOR="9.9.9.9, 1.1.1.1").status_code == 429
    assert _pair_page(client, code, HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 302


def test_pairing_page_says_which_store_this_terminal_is_paired_to(client, pos_device):
    device_client(client, pos_device)
    html = client.get(reverse("stores:pair")).content.decode()
    assert pos_device.store.name in html and pos_device.name in html


# --- revoke -------------------------------------------------------------------------------------


def test_a_revoked_device_is_sent_back_to_pairing_and_the_api_answers_401(client, pos_device, cashier):
    device_client(client, pos_device)
    client.post(reverse("pos:login"), {"pin": "1234"})
    assert client.get("/pos/").status_code == 200
    assert client.get(reverse("stores:api_device_me")).status_code == 200

    services.device_revoke(pos_device)

    response = client.get("/pos/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("stores:pair") + "?next=%2Fpos%2F")
    api = client.get(reverse("stores:api_device_me"), HTTP_AUTHORIZATION=f"Device {pos_device.raw_token}")
    assert api.status_code == 401
    assert api.json()["error"]["code"] == "DEVICE_UNAUTHORIZED"


def test_a_revoked_device_can_be_paired_again_with_a_new_code(client, pos_device):
    services.device_revoke(pos_device)
    code = services.device_issue_pairing_code(pos_device)
    assert _pair_page(client, code).status_code == 302
    pos_device.refresh_from_db()
    assert pos_device.is_paired and pos_device.revoked_at is None


# --- JSON API -------------------------------------------------------------------------------------


def test_api_pairing_returns_a_token_that_authenticates_the_device(client, store):
    kiosk = DeviceFactory(store=store, kind="KIOSK", paired=False)
    code = services.device_issue_pairing_code(kiosk)

    response = _api_pair(client, {"code": code})

    assert response.status_code == 201
    body = response.json()
    assert body["storeId"] == store.pk and body["kind"] == "KIOSK"
    token = body["deviceToken"]
    kiosk.refresh_from_db()
    assert token not in kiosk.token_digest  # stored hashed

    me = client.get(reverse("stores:api_device_me"), HTTP_AUTHORIZATION=f"Device {token}")
    assert me.status_code == 200
    assert me.json() == {
        "deviceId": kiosk.pk,
        "name": kiosk.name,
        "kind": "KIOSK",
        "storeId": store.pk,
        "storeName": store.name,
        "timezone": "Asia/Seoul",
        "pairedAt": kiosk.paired_at.isoformat(),
    }
    kiosk.refresh_from_db()
    assert kiosk.last_seen_at is not None


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"code": "000000"}, 400, "INVALID_CODE"),
        ({"code": "12"}, 422, "INVALID_CODE"),
        ({}, 422, "INVALID_CODE"),
    ],
)
def test_api_pairing_errors_are_json(client, body, status, code):
    response = _api_pair(client, body)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


def test_api_pairing_rejects_malformed_json_and_wrong_methods(client):
    response = client.post(reverse("stores:api_pair"), data="{nope", content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "MALFORMED_JSON"
    assert client.get(reverse("stores:api_pair")).status_code == 405


def test_api_pairing_expired_used_and_rate_limited(client, new_pos):
    device, code = new_pos
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert _api_pair(client, {"code": code}).json()["error"]["code"] == "CODE_EXPIRED"
    assert _api_pair(client, {"code": code}).status_code == 201
    assert _api_pair(client, {"code": code}).json()["error"]["code"] == "INVALID_CODE"
    for _ in range(3):
        _api_pair(client, {"code": code})
    limited = _api_pair(client, {"code": code})  # 6th attempt in the minute
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "TOO_MANY_ATTEMPTS"


@pytest.mark.parametrize("header", [None, "Device ", "Device not-a-token", "Bearer abc"])
def test_protected_endpoint_needs_a_valid_device_token(client, pos_device, header):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = client.get(reverse("stores:api_device_me"), **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Device"
    assert response.json()["error"]["code"] == "DEVICE_UNAUTHORIZED"


def test_a_forged_device_cookie_is_ignored(client, pos_device):
    client.cookies[settings.DEVICE_COOKIE_NAME] = pos_device.raw_token  # unsigned
    assert client.get(reverse("stores:api_device_me")).status_code == 401
    assert client.get("/pos/")["Location"].startswith(reverse("stores:pair"))


def test_device_pages_check_the_device_kind(client, kiosk_device):
    device_client(client, kiosk_device)
    assert client.get("/pos/")["Location"].startswith(reverse("stores:pair"))
    assert client.get("/kiosk/").status_code == 200


def test_device_token_is_stored_hashed_and_codes_are_six_digits(store):
    device = DeviceFactory(store=store, paired=False)
    code = services.device_issue_pairing_code(device)
    assert len(code) == 6 and code.isdigit()
    device.refresh_from_db()
    assert code not in device.pairing_code_digest
    paired, token = services.device_pair(code, client_address="x")
    assert Device.objects.filter(token_digest=token).count() == 0
    assert services.device_for_token(token) == device
