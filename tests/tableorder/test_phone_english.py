"""A guest's phone in English: the menu, the basket and the tab say `₩9,000` and the English
names, never `9,000원`."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.tableorder.conftest import phone_url

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 19, 0, tzinfo=ZoneInfo("Asia/Seoul"))
KOREAN_AMOUNT = re.compile(r"\d원")


@pytest.fixture(autouse=True)
def _monday_evening():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_english_phone_menu_basket_and_tab_say_the_won_sign(client, store, table, stew, open_shift, settings):
    stew.product.name_en = "Kimchi stew"
    stew.product.save(update_fields=["name_en"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.post(phone_url(table, "add/"), {"product_id": stew.product.pk, "qty": "2"}).status_code == 302

    menu = client.get(phone_url(table)).content.decode()
    product = client.get(phone_url(table, f"products/{stew.product.pk}/")).content.decode()
    sent = client.post(phone_url(table, "send/"), {"guests": "2"})
    tab = client.get(sent.url).content.decode()

    assert re.search(r'data-testid="phone-basket-line"><span>Kimchi stew × 2', menu)
    assert "₩18,000" in menu and "₩9,000" in product and "₩18,000" in tab
    assert "Kimchi stew" in tab
    for html in (menu, product, tab):
        assert not KOREAN_AMOUNT.search(html), KOREAN_AMOUNT.findall(html)
