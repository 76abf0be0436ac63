"""Kiosk form posts and URLs with hostile values: a re-rendered screen with the error, or the kiosk's
not-found page, never a 500 (the inputs here gave one before the kiosk read them through the shared
fields and parsers)."""

import pytest
from django.urls import reverse

from apps.orders import services as order_services
from tests.kiosk.test_views import session_cart

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _remember_device(client, kiosk_device):
    client._kiosk_device_pk = kiosk_device.pk


@pytest.mark.parametrize(
    "data",
    [
        {"qty": "1", "option": ["²"]},  # "²".isdigit() is True; int("²") raised in the price preview
        {"qty": "٣"},  # Arabic-Indic three: int() would have read it as 3
        {"qty": "１"},
        {"qty": "9" * 5000},
        {"qty": "1", "option": ["9" * 30]},
    ],
)
def test_hostile_quantities_and_options_re_render_the_product_with_a_422(started, latte, data):
    # when
    response = started.post(reverse("kiosk:product", args=[latte.product.pk]), data)

    # then the product screen comes back with the form's error, and nothing went into the cart
    assert response.status_code == 422
    assert 'data-testid="product-error"' in response.content.decode()
    assert session_cart(started).lines == []


def test_a_line_change_with_non_ascii_digits_is_refused(started, latte):
    started.post(reverse("kiosk:product", args=[latte.product.pk]), {"qty": 1, "option": [latte.options["R"].pk]})
    line_id = session_cart(started).lines[0]["lineId"]

    response = started.post(reverse("kiosk:cart_line", args=[line_id]), {"action": "set", "qty": "٣"})

    assert response.status_code == 400
    assert session_cart(started).lines[0]["qty"] == 1


# (A NUL in the URL is refused with a 400 by apps.core.middleware before any view.)
@pytest.mark.parametrize("public_id", ["ord_x%ED%A0%80", "%C2%B2", "a" * 300])
def test_malformed_order_ids_are_the_not_found_page(started, public_id):
    for name in ("order_processing", "order_failed", "order_done"):
        url = reverse(f"kiosk:{name}", args=["PLACEHOLDER"]).replace("PLACEHOLDER", public_id)
        assert started.get(url).status_code == 404, name
    status = started.get(reverse("kiosk:order_status", args=["PLACEHOLDER"]).replace("PLACEHOLDER", public_id))
    assert status.status_code == 404 and status.json()["error"]["code"] == "ORDER_NOT_FOUND"


def test_the_public_receipt_with_a_hostile_store_or_order_id_is_404(client, store, kiosk_device, americano):
    from apps.carts import services as cart_services

    cart = cart_services.cart_create(store=store, device=kiosk_device, channel="KIOSK")
    cart_services.cart_line_add(cart.id, device=kiosk_device, product_id=americano.product.pk)
    order, _ = order_services.order_place(cart.id, device=kiosk_device)

    assert client.get(f"/kiosk/receipt/{'9' * 25}/{order.public_id}/").status_code == 404
    assert client.get(f"/kiosk/receipt/{store.pk}/{'a' * 100}/").status_code == 404
    assert client.get(f"/kiosk/receipt/{store.pk}/{order.public_id}/").status_code == 200


@pytest.mark.parametrize("target", ["now", "NaN", "１２", "\ud800", "//evil.example/x", "https://evil.example/"])
def test_a_mode_switch_or_staff_call_with_a_strange_next_goes_to_the_welcome_screen(kiosk, target):
    # given a `next` that is not a path on this site (Django's redirect() would try to reverse "now")
    data = {"mode": "large", "next": target.encode("utf-8", "surrogatepass").decode("utf-8", "replace")}

    # then both answers go back to the welcome screen
    for url in (reverse("kiosk:mode"), reverse("kiosk:staff_call")):
        response = kiosk.post(url, data)
        assert response.status_code == 302 and response["Location"] == reverse("kiosk:welcome"), url


def test_a_mode_switch_returns_to_the_page_it_came_from(kiosk):
    response = kiosk.post(reverse("kiosk:mode"), {"mode": "large", "next": "/kiosk/menu/"})
    assert response["Location"] == "/kiosk/menu/"
