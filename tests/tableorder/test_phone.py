"""A guest's phone at the table: /t/<token>/ menu, own cart, "주문하기" as a round on the tab, the
tab so far, call staff / request the bill; the token, shift, table and per-round rules."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from apps.orders import tabs
from apps.orders.models import Order, OrderRound
from apps.payments import services as payment_services
from apps.stores import staff_calls
from apps.tables.models import TableOrderSettings
from apps.tables.selectors import table_token
from tests.carts.factories import coffee_with_options, listed_product
from tests.factories import StoreFactory
from tests.payments.factories import make_method
from tests.tableorder.conftest import phone_url, sticker_url
from tests.tables.factories import make_table

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 19, 0, tzinfo=ZoneInfo("Asia/Seoul"))


@pytest.fixture(autouse=True)
def _monday_evening():
    with time_machine.travel(NOW, tick=False):
        yield


def _pay(tab, store):
    tabs.tab_freeze_for_payment(tab)
    payment_services.payment_create(tab, make_method(store, "CASH"))


def test_a_phone_orders_with_options_into_the_tables_tab(client, store, table, stew, open_shift):
    latte = coffee_with_options(store)
    size = next(iter(latte.groups.values()))
    option = size.options.order_by("sort_order").first()
    # given the menu with the table's name, no login
    page = client.get(phone_url(table))
    assert page.status_code == 200
    body = page.content.decode()
    assert "김치찌개" in body and "홀 3" in body and "주문하기" not in body  # nothing in the cart yet
    assert client.get(phone_url(table, f"products/{latte.product.pk}/")).status_code == 200
    # when the guest adds a stew ×2 and a latte with its size, and orders for 3 guests
    assert client.post(phone_url(table, "add/"), {"product_id": stew.product.pk, "qty": "2"}).status_code == 302
    added = client.post(phone_url(table, "add/"), {"product_id": latte.product.pk, "option_ids": [option.pk]})
    assert added.status_code == 302
    sent = client.post(phone_url(table, "send/"), {"guests": "3"})
    # then one round on a new tab of the table, priced by the pricing engine, on the TABLE channel
    assert sent.status_code == 302 and sent.url.endswith("/tab/")
    tab = Order.objects.get(table=table)
    round_ = tab.rounds.get()
    assert tab.channel == "TABLE" and tab.guests == 3 and tab.status == "OPEN"
    assert round_.number == 1 and round_.device is None and round_.memo == "QR"
    assert tab.total_amount == 18000 + latte.product.base_price + option.price_delta
    # and the phone shows the tab so far; its cart is empty again
    page = client.get(sent.url).content.decode()
    assert "1차" in page and f"{tab.total_amount:,}원" in page
    assert 'data-testid="phone-basket-line"' not in client.get(phone_url(table)).content.decode()


def test_the_menu_speaks_english_and_greys_out_sold_out(client, store, table, open_shift, settings):
    stew = listed_product(store, "김치찌개", 9000)
    stew.product.name_en = "Kimchi stew"
    stew.product.save(update_fields=["name_en"])
    gone = listed_product(store, "제육볶음", 11000, track_stock=True, stock=0)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(phone_url(table)).content.decode()
    assert "Kimchi stew" in body and 'lang="en"' in body
    assert f'data-testid="phone-soldout-{gone.product.pk}"' in body
    refused = client.post(phone_url(table, "add/"), {"product_id": gone.product.pk})
    assert refused.status_code == 409


def test_phones_at_one_table_keep_their_own_carts_and_share_the_tab(store, table, stew, soju, open_shift):
    first, second = Client(), Client()
    first.post(phone_url(table, "add/"), {"product_id": stew.product.pk})
    second.post(phone_url(table, "add/"), {"product_id": soju.product.pk, "qty": "2"})
    # each phone sees only its own cart
    first_page = first.get(phone_url(table)).content.decode()
    assert "김치찌개" in first_page.split('data-testid="phone-basket"')[1]
    assert "소주 × 2" not in first_page
    assert "소주 × 2" in second.get(phone_url(table)).content.decode()
    # both rounds land on the one tab
    assert first.post(phone_url(table, "send/")).status_code == 302
    assert second.post(phone_url(table, "send/")).status_code == 302
    tab = Order.objects.get(table=table)
    assert sorted(tab.rounds.values_list("number", flat=True)) == [1, 2]
    assert tab.total_amount == 9000 + 10000


def test_the_printed_code_hands_out_the_current_token(client, store, table, stew, open_shift):
    first = client.get(sticker_url(table))
    assert first.status_code == 302 and first.url == phone_url(table)
    tab = tabs.tab_open(table, guests=2)
    tabs.tab_round_add(tab, [{"productId": stew.product.pk, "qty": 1}])
    _pay(tab, store)
    # the same sticker, scanned again after the tab was paid, leads to the new generation
    again = client.get(sticker_url(table))
    assert again.status_code == 302 and again.url != first.url and again.url == phone_url(table)
    assert client.get(again.url).status_code == 200


def test_an_old_token_after_payment_is_a_friendly_410_and_orders_nothing(client, store, table, stew, open_shift):
    url = phone_url(table)
    client.post(url + "add/", {"product_id": stew.product.pk})
    client.post(url + "send/")
    tab = Order.objects.get(table=table)
    _pay(tab, store)
    # the phone that ordered still has the old URL
    add = {"product_id": stew.product.pk}
    for response in (client.get(url), client.get(url + "tab/"), client.post(url + "add/", add)):
        assert response.status_code == 410
        assert "테이블의 QR 코드를 다시 스캔해 주세요" in response.content.decode()
    assert client.post(url + "send/").status_code == 410
    assert Order.objects.filter(table=table).count() == 1 and OrderRound.objects.count() == 1


@pytest.mark.parametrize("mangle", ["flip", "truncate", "garbage", "other_salt", "accent", "long"])
def test_a_forged_or_altered_token_is_a_404(client, table, open_shift, mangle):
    from django.core import signing

    token = table_token(table)
    forged = {
        "flip": token[:-1] + ("A" if token[-1] != "A" else "B"),
        "truncate": token[:20],
        "garbage": "not-a-token-at-all",
        "other_salt": signing.dumps({"t": table.pk, "g": table.generation}, salt="kiosk", compress=True),
        "accent": token + "%C3%A9",
        "long": "a" * 400,
    }[mangle]
    for rest in ("", "tab/"):
        response = client.get(f"/t/{forged}/{rest}")
        assert response.status_code == 404
        assert "테이블을 찾을 수 없습니다" in response.content.decode()
    assert client.post(f"/t/{forged}/send/").status_code == 404
    assert client.get(f"/q/{forged}/").status_code == 404


def test_another_stores_table_never_reaches_this_stores_menu_or_tab(client, store, table, stew, open_shift):
    other = StoreFactory(name="옆집")
    other_table = make_table(other, "3")
    listed_product(other, "떡볶이", 4000)
    tab = tabs.tab_open(table, guests=2)
    tabs.tab_round_add(tab, [{"productId": stew.product.pk, "qty": 1}])
    # the other store's token shows the other store's menu, never this one's, nor this tab
    body = client.get(phone_url(other_table)).content.decode()
    assert "떡볶이" in body and "김치찌개" not in body and "9,000원" not in body
    assert "9,000원" not in client.get(phone_url(other_table, "tab/")).content.decode()
    # this store's product through the other table's token is refused and nothing is ordered
    refused = client.post(phone_url(other_table, "add/"), {"product_id": stew.product.pk})
    assert refused.status_code == 404
    assert client.post(phone_url(other_table, "send/")).status_code in (409, 422)
    assert not Order.objects.filter(table=other_table).exists()
    assert tab.rounds.count() == 1


def test_ordering_needs_an_open_shift_an_active_table_and_qr_ordering_on(client, store, table, stew):
    client.post(phone_url(table, "add/"), {"product_id": stew.product.pk})
    # no shift: the menu is readable, ordering is refused with a clear message
    page = client.get(phone_url(table)).content.decode()
    assert "영업 시간이 아니라" in page and 'data-testid="phone-send"' not in page
    refused = client.post(phone_url(table, "send/"))
    assert refused.status_code == 409 and "영업 시간이 아니라" in refused.content.decode()
    assert not Order.objects.exists()


def test_qr_ordering_off_or_an_inactive_table_refuses(client, store, table, stew, open_shift):
    url = phone_url(table)
    client.post(url + "add/", {"product_id": stew.product.pk})
    TableOrderSettings.objects.create(store=store, qr_ordering=False)
    refused = client.post(url + "send/")
    assert refused.status_code == 409 and "휴대폰 주문을 받지 않습니다" in refused.content.decode()
    TableOrderSettings.objects.filter(store=store).update(qr_ordering=True)
    table.is_active = False
    table.save(update_fields=["is_active"])
    assert client.post(url + "send/").status_code == 404
    assert not Order.objects.exists()


def test_the_owners_maximum_per_round_is_a_clear_message(client, store, table, stew, open_shift):
    TableOrderSettings.objects.create(store=store, max_items_per_round=5)
    client.post(phone_url(table, "add/"), {"product_id": stew.product.pk, "qty": "6"})
    refused = client.post(phone_url(table, "send/"))
    assert refused.status_code == 422
    assert "한 번에 5개까지 주문할 수 있습니다. 지금 6개를 담았으니 나눠서 주문해 주세요." in refused.content.decode()
    assert not Order.objects.exists()


def test_a_phone_sends_one_round_per_interval(client, store, table, stew, soju, open_shift, settings):
    settings.TABLEORDER_PHONE_ROUND_INTERVAL_SECONDS = 30
    client.post(phone_url(table, "add/"), {"product_id": stew.product.pk})
    assert client.post(phone_url(table, "send/")).status_code == 302
    client.post(phone_url(table, "add/"), {"product_id": soju.product.pk})
    refused = client.post(phone_url(table, "send/"))
    assert refused.status_code == 429
    body = refused.content.decode()
    assert "주문은 30초에 한 번 보낼 수 있습니다." in body and "초 뒤에 다시 눌러 주세요." in body
    assert OrderRound.objects.count() == 1
    # another phone at the table is not held up by this one
    other = Client()
    other.post(phone_url(table, "add/"), {"product_id": soju.product.pk})
    assert other.post(phone_url(table, "send/")).status_code == 302


def test_a_refused_round_does_not_use_up_the_phones_turn(client, store, table, stew, open_shift, settings):
    settings.TABLEORDER_PHONE_ROUND_INTERVAL_SECONDS = 30
    client.post(phone_url(table, "add/"), {"product_id": stew.product.pk})
    tab = tabs.tab_open(table, guests=2)
    tabs.tab_round_add(tab, [{"productId": stew.product.pk, "qty": 1}])
    tabs.tab_freeze_for_payment(tab)
    frozen = client.post(phone_url(table, "send/"))
    assert frozen.status_code == 409 and "계산 중" in frozen.content.decode()
    tabs.tab_unfreeze(tab)
    assert client.post(phone_url(table, "send/")).status_code == 302
    assert tab.rounds.count() == 2


def test_call_staff_and_request_the_bill_reach_the_pos(client, store, table, open_shift):
    assert client.post(phone_url(table, "call/"), {"kind": "staff"}).status_code == 302
    assert client.post(phone_url(table, "call/"), {"kind": "staff"}).status_code == 302  # one waiting guest
    assert client.post(phone_url(table, "call/"), {"kind": "bill", "back": "tab"}).url.endswith("/tab/")
    names = sorted(call["device_name"] for call in staff_calls.staff_calls_pending(store))
    assert names == ["홀 3 계산 요청", "홀 3 직원 호출"]
    assert client.post(phone_url(table, "call/"), {"kind": "dance"}).status_code == 404


def test_an_unknown_product_or_line_is_a_clear_error(client, store, table, open_shift):
    assert client.get(phone_url(table, "products/999999/")).status_code == 409
    assert client.get(phone_url(table, "products/%C2%B2/")).status_code == 404
    assert client.post(phone_url(table, "lines/nope/remove/")).status_code == 404
    assert client.post(phone_url(table, "send/")).status_code == 422


def test_reading_the_menu_writes_no_cart(client, table, stew, open_shift):
    from apps.core.redis import get_redis

    for rest in ("", "tab/", f"products/{stew.product.pk}/"):
        assert client.get(phone_url(table, rest)).status_code == 200
    assert not list(get_redis().scan_iter("cart:*"))
