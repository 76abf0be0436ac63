"""One safe `next` for every redirect back (issue 14 finding 8: the POS shift form redirected to the
raw POST `next`, an open redirect)."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from apps.core.http import safe_next_url
from apps.stores import services as store_services
from tests.factories import DeviceFactory, device_client

HOSTILE = [
    "//evil.example",
    "https://evil.example",
    "http://evil.example/pos/",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " //evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "///evil.example",
    "https:/evil.example",
    "data:text/html,<script>alert(1)</script>",
    "/pos/\x00",
    "now",  # a bare word: redirect() would try it as a URL name
    "evil.example",
]


@pytest.mark.parametrize("target", HOSTILE)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anything_but_a_path_on_this_site_falls_back(rf, target, method):
    request = getattr(rf, method)("/somewhere/", {"next": target})
    assert safe_next_url(request, "/fallback/") == "/fallback/"


@pytest.mark.parametrize("target", ["/pos/", "/pos/shift/?tab=cash", "/kiosk/menu/#top", "/admin/"])
def test_a_path_on_this_site_is_kept(rf, target):
    assert safe_next_url(rf.post("/somewhere/", {"next": target}), "/fallback/") == target
    assert safe_next_url(rf.get("/somewhere/", {"next": target}), "/fallback/") == target


def test_the_form_field_wins_over_the_query_string_and_nothing_means_the_default(rf):
    assert safe_next_url(rf.post("/x/?next=/b/", {"next": "/a/"})) == "/a/"
    assert safe_next_url(rf.post("/x/?next=/b/")) == "/b/"
    assert safe_next_url(rf.get("/x/"), "/fallback/") == "/fallback/"


# --- every view that reads `next` ---------------------------------------------------------------

EVIL = ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)"]


@pytest.mark.django_db
@pytest.mark.parametrize("target", EVIL)
def test_pos_shift_open_never_redirects_off_site(client, pos_device, cashier, target):
    # given a cashier logged in at the POS
    device_client(client, pos_device)
    assert client.post(reverse("pos:login"), {"pin": "1234"}).status_code == 302
    # when the shift form posts a hostile `next`
    response = client.post(reverse("pos:shift_open"), {"opening_float": "50000", "next": target})
    # then the POS goes home instead
    assert response.status_code == 302
    assert response["Location"] == reverse("pos:home")


@pytest.mark.django_db
def test_pos_shift_open_still_returns_to_a_pos_page(client, pos_device, cashier):
    device_client(client, pos_device)
    client.post(reverse("pos:login"), {"pin": "1234"})
    response = client.post(reverse("pos:shift_open"), {"opening_float": "50000", "next": "/pos/shift/"})
    assert response["Location"] == "/pos/shift/"


@pytest.mark.django_db
@pytest.mark.parametrize("target", EVIL)
def test_kiosk_mode_and_staff_call_never_redirect_off_site(client, store, target):
    device_client(client, DeviceFactory(store=store, kind="KIOSK"))
    response = client.post(reverse("kiosk:mode"), {"mode": "large", "next": target})
    assert (response.status_code, response["Location"]) == (302, reverse("kiosk:welcome"))
    response = client.post(reverse("kiosk:staff_call"), {"next": target})
    assert (response.status_code, response["Location"]) == (302, reverse("kiosk:welcome"))


@pytest.mark.django_db
@pytest.mark.parametrize("target", EVIL)
def test_pairing_never_redirects_off_site(client, store, target):
    device = DeviceFactory(store=store, kind="POS", paired=False)
    code = store_services.device_issue_pairing_code(device)
    response = client.post(f"{reverse('stores:pair')}?{_query(target)}", {"code": code})
    assert (response.status_code, response["Location"]) == (302, "/pos/")


def _query(target: str) -> str:
    return urlencode({"next": target})
