"""The POS in English: amounts as `₩12,300`, products and options under their English names (the
menu, the cart, the receipt), the Korean name where there is no English one, and no `12,300원`."""

import re

import pytest
from django.urls import reverse

from apps.orders.models import OrderLine
from tests.pos.test_views import HX, _paid_order, add, checkout

pytestmark = pytest.mark.django_db

KOREAN_AMOUNT = re.compile(r"\d원")


def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def english_names(menu):
    menu["coffee"].name_en = "Americano"
    menu["coffee"].save()
    menu["large"].name_en = "Large"
    menu["large"].save()
    menu["cookie"].name_en = "Cookie"
    menu["cookie"].save()
    return menu


def test_the_english_pos_screen_and_cart_say_won_sign_and_english_names(
    pos_client, english_names, shift, methods, settings
):
    menu = english_names
    add(pos_client, menu["coffee"], menu["large"])
    add(pos_client, menu["water"])  # no English name: its Korean name stays
    english(pos_client, settings)

    page = pos_client.get("/pos/").content.decode()

    assert 'class="tile-name">Americano<' in page  # the recommended tab, shown first
    assert 'class="cl-title">Americano<' in page and 'class="cl-title">생수<' in page and "Large" in page
    assert "₩5,000" in page and "₩6,000" in page  # the line, and the cart's total
    assert not KOREAN_AMOUNT.search(page), KOREAN_AMOUNT.findall(page)


def test_the_korean_pos_screen_keeps_korean_names_and_amounts(pos_client, english_names, shift):
    add(pos_client, english_names["coffee"], english_names["large"])
    page = pos_client.get("/pos/").content.decode()
    assert 'class="cl-title">아메리카노<' in page and "5,000원" in page and "₩" not in page


def test_the_english_pay_screen_has_no_korean_amount(pos_client, english_names, shift, methods, settings):
    add(pos_client, english_names["cookie"])
    english(pos_client, settings)
    order, _keys, response = checkout(pos_client)
    pay = pos_client.get(reverse("pos:pay", args=[order.public_id]), **HX).content.decode()
    for html in (response.content.decode(), pay):
        assert "₩2,200" in html
        assert not KOREAN_AMOUNT.search(html), KOREAN_AMOUNT.findall(html)


def test_an_english_receipt_prints_english_line_and_option_names_and_the_won_sign(
    pos_client, english_names, shift, methods, settings
):
    menu = english_names
    add(pos_client, menu["coffee"], menu["large"])
    order = _paid_order(pos_client, menu, methods)  # adds a cookie and a water, pays in cash
    line = OrderLine.objects.get(order=order, product=menu["coffee"])
    assert line.name_en == "Americano" and line.options[0]["name_en"] == "Large"  # copied at placing

    english(pos_client, settings)
    html = pos_client.get(reverse("pos:receipt", args=[order.public_id])).content.decode()

    assert "Americano(Large)" in html and "Cookie" in html and "생수" in html
    assert 'receipt-total">₩8,200' in html
    assert not KOREAN_AMOUNT.search(html), KOREAN_AMOUNT.findall(html)
