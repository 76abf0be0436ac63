"""An English kiosk says `₩12,300`, never `12,300원`, on every screen from the menu to the order
number, and its receipt prints the English names of the lines and their options."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from apps.orders.models import Order
from tests.kiosk.test_payment_flow import add, pay

pytestmark = pytest.mark.django_db(transaction=True)

KOREAN_AMOUNT = re.compile(r"\d원")


def no_korean_amount(html: str) -> None:
    assert not KOREAN_AMOUNT.search(html), KOREAN_AMOUNT.findall(html)


@pytest.fixture
def english_latte(latte):
    latte.product.name_en = "Caffe Latte"
    latte.product.save()
    latte.options["L"].name_en = "Large"
    latte.options["L"].save()
    return latte


def test_every_english_kiosk_screen_says_the_won_sign(started, english_latte, americano, kiosk_methods, settings):
    started.post(reverse("set_language"), {"language": "en", "next": "/kiosk/menu/"})
    add(started, english_latte, "L")
    add(started, americano)

    screens = {
        "menu": started.get(reverse("kiosk:menu")),
        "product": started.get(reverse("kiosk:product", args=[english_latte.product.pk])),
        "cart": started.get(reverse("kiosk:cart")),
        "pay": started.get(reverse("kiosk:pay")),
    }
    done = pay(started, kiosk_methods["counter"])
    screens["done"] = started.get(done["Location"])

    for name, response in screens.items():
        assert response.status_code == 200, name
        html = response.content.decode()
        assert "₩" in html, name
        no_korean_amount(html)
    assert "₩10,000" in screens["done"].content.decode()  # the amount to pay at the counter


def test_an_english_receipt_has_english_line_and_option_names(started, english_latte, kiosk_methods, store, settings):
    add(started, english_latte, "L", "샷")  # 샷 has no English name: it stays Korean
    pay(started, kiosk_methods["counter"])
    order = Order.objects.get()
    reader = Client()
    reader.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = reader.get(reverse("kiosk:receipt", args=[store.pk, order.public_id])).content.decode()

    assert "Caffe Latte" in html and "Large, 샷" in html and "카페라떼" not in html
    assert "₩6,000" in html
    no_korean_amount(html)
    # and in Korean the same receipt reads as before
    korean = Client().get(reverse("kiosk:receipt", args=[store.pk, order.public_id])).content.decode()
    assert "카페라떼" in korean and "6,000원" in korean and "₩" not in korean
