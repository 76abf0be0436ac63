"""The kiosk half of issue 19 at the view level: a sold-out line in the cart never reaches payment,
English screens, radio buttons for one choice, staff-call answers, the htmx polls, the card's
failure as a POST, and the query budgets of the menu and cart screens."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from apps.carts import services as cart_services
from apps.inventory import services as inventory_services
from apps.orders.models import Order
from apps.payments.models import PaymentMethod
from apps.stores import staff_calls
from tests.carts.factories import listed_product

pytestmark = pytest.mark.django_db


def add(client, menu, *options, qty=1):
    response = client.post(
        reverse("kiosk:product", args=[menu.product.pk]),
        {"qty": qty, "option": [menu.options[name].pk for name in options]},
    )
    assert response.status_code == 302, response.content.decode()[:300]


def cart_of(client, device):
    return cart_services.cart_get(client.session["kiosk_cart_id"], device=device)


def line_html(html: str, product_id: int) -> str:
    match = re.search(rf'<li class="kiosk-line[^"]*"[^>]*data-product-id="{product_id}".*?</li>', html, re.DOTALL)
    assert match, f"no line for product {product_id}"
    return match.group(0)


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/kiosk/"})


# --- a product sold out while in the cart ---------------------------------------------------------


@pytest.fixture
def sold_out_in_cart(started, latte, americano, store, kiosk_device):
    add(started, latte, "L")
    add(started, americano)
    inventory_services.listings_set_sold_out(store, [americano.listing.pk], sold_out=True)
    return started


def test_a_sold_out_line_is_marked_its_plus_is_off_and_paying_is_not_offered(sold_out_in_cart, americano, latte):
    html = sold_out_in_cart.get(reverse("kiosk:cart")).content.decode()

    line = line_html(html, americano.product.pk)
    assert 'data-available="false"' in line
    assert re.search(r'data-testid="line-inc" disabled', line)
    assert 'data-available="true"' in line_html(html, latte.product.pk)
    assert 'data-testid="go-pay"' not in html
    assert 'data-testid="remove-unavailable"' in html
    assert "주문할 수 없는 상품이 1개 있습니다" in html


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_payment_screen_is_never_reached_with_a_sold_out_line(
    sold_out_in_cart, kiosk_methods, kiosk_device, method
):
    before = cart_of(sold_out_in_cart, kiosk_device)
    if method == "GET":
        response = sold_out_in_cart.get(reverse("kiosk:pay"))
    else:
        response = sold_out_in_cart.post(reverse("kiosk:pay"), {"method": kiosk_methods["card"].pk})

    assert response.status_code == 302
    assert response["Location"] == reverse("kiosk:cart")
    page = sold_out_in_cart.get(response["Location"]).content.decode()
    assert re.search(r'class="message message-error"[^>]*>[^<]*아메리카노', page)
    assert not Order.objects.exists()
    assert cart_of(sold_out_in_cart, kiosk_device).lines == before.lines


def test_plus_on_a_sold_out_line_is_refused_by_the_server_too(sold_out_in_cart, americano, kiosk_device):
    def lines():
        return {line["lineId"]: line for line in cart_of(sold_out_in_cart, kiosk_device).lines}

    line_id = next(key for key, line in lines().items() if line["productId"] == americano.product.pk)
    url = reverse("kiosk:cart_line", args=[line_id])

    response = sold_out_in_cart.post(url, {"action": "inc"})

    assert response.status_code == 409
    assert "더 담을 수 없습니다" in response.content.decode()
    assert lines()[line_id]["qty"] == 1
    # − and 삭제 still work on it
    assert sold_out_in_cart.post(url, {"action": "dec"}).status_code == 302
    assert line_id not in lines()


def test_one_touch_removes_every_line_that_cannot_be_ordered(sold_out_in_cart, latte, kiosk_device):
    response = sold_out_in_cart.post(reverse("kiosk:cart_remove_unavailable"))

    assert response.status_code == 302 and response["Location"] == reverse("kiosk:cart")
    lines = cart_of(sold_out_in_cart, kiosk_device).lines
    assert [line["productId"] for line in lines] == [latte.product.pk]
    html = sold_out_in_cart.get(reverse("kiosk:cart")).content.decode()
    assert 'data-testid="go-pay"' in html
    # a second touch (nothing left to remove) changes nothing
    assert sold_out_in_cart.post(reverse("kiosk:cart_remove_unavailable")).status_code == 302
    assert cart_of(sold_out_in_cart, kiosk_device).lines == lines


def test_a_zero_won_cart_does_not_reach_payment(started, store, kiosk_methods):
    water = listed_product(store, "물", 0)
    add(started, water)

    response = started.get(reverse("kiosk:pay"))

    assert response["Location"] == reverse("kiosk:cart")
    assert 'data-testid="go-pay"' not in started.get(reverse("kiosk:cart")).content.decode()


def test_the_cart_refreshes_itself_when_the_menu_changes(sold_out_in_cart, store):
    html = sold_out_in_cart.get(reverse("kiosk:cart")).content.decode()
    assert 'hx-trigger="kiosk:menu-changed from:body"' in html
    version = re.search(r'hx-get="/kiosk/menu/version\?v=([^"]+)"', html).group(1)

    # nothing changed: the poll is a 204
    assert sold_out_in_cart.get(f"/kiosk/menu/version?v={version}", HTTP_HX_REQUEST="true").status_code == 204
    # changed: the new poller and the event the cart region listens to
    polled = sold_out_in_cart.get("/kiosk/menu/version?v=old", HTTP_HX_REQUEST="true")
    assert polled.status_code == 200
    assert "kiosk:menu-changed" in polled["HX-Trigger"]
    assert 'id="kiosk-menu-poll"' in polled.content.decode()

    # the region's own refresh is the cart partial, with the pay button swapped out of band
    partial = sold_out_in_cart.get(reverse("kiosk:cart"), HTTP_HX_REQUEST="true").content.decode()
    assert 'id="cart-body"' in partial and "<!doctype html>" not in partial
    assert 'id="cart-nav" hx-swap-oob="true"' in partial
    assert 'data-testid="go-pay"' not in partial


# --- English --------------------------------------------------------------------------------------


def test_english_cart_and_payment_use_english_names_and_the_won_sign(started, latte, americano, store):
    latte.product.name_en = "Caffe Latte"
    latte.product.save()
    latte.options["L"].name_en = "Grande"
    latte.options["L"].save()
    PaymentMethod.objects.filter(store=store, kind=PaymentMethod.Kind.SIMULATED).update(name="신용카드")
    add(started, latte, "L")
    add(started, americano)
    english(started)

    with translation.override("en"):
        cart = started.get(reverse("kiosk:cart")).content.decode()
        pay = started.get(reverse("kiosk:pay")).content.decode()

    assert "Caffe Latte" in cart and "Grande (+₩500)" in cart
    assert "Americano" in cart  # the fixture's English name
    assert "₩10,000" in cart and "원" not in re.sub(
        r"<[^>]+>", "", cart.split('id="cart-body"')[1].split("</section>")[0]
    )
    assert "₩10,000" in pay
    assert "신용카드" not in pay and "Card (simulated)" in pay
    assert "카운터에서 결제" not in pay and "Cash" in pay


def test_an_english_product_screen_leaves_out_the_korean_description(started, latte):
    latte.product.description = "부드러운 우유"
    latte.product.save()
    assert "부드러운 우유" in started.get(reverse("kiosk:product", args=[latte.product.pk])).content.decode()

    english(started)
    with translation.override("en"):
        html = started.get(reverse("kiosk:product", args=[latte.product.pk])).content.decode()
    assert "부드러운 우유" not in html
    assert "₩5,000" in html

    # a description the owner wrote without Korean reads fine in English and is kept
    latte.product.description = "Oat milk on request"
    latte.product.save()
    with translation.override("en"):
        html = started.get(reverse("kiosk:product", args=[latte.product.pk])).content.decode()
    assert "Oat milk on request" in html


# --- options --------------------------------------------------------------------------------------


def test_one_choice_groups_are_radio_buttons_with_the_required_one_preselected(started, latte):
    html = started.get(reverse("kiosk:product", args=[latte.product.pk])).content.decode()

    def input_tag(name):
        return re.search(rf'<input[^>]*data-testid="option-{latte.options[name].pk}"[^>]*>', html, re.DOTALL).group(0)

    assert 'type="radio"' in input_tag("R") and "checked" in input_tag("R") and "required" in input_tag("R")
    assert 'type="radio"' in input_tag("L") and "checked" not in input_tag("L")
    assert 'type="checkbox"' in input_tag("샷") and "checked" not in input_tag("샷")
    # the preselected size is in the price the add button shows
    assert re.search(r'data-testid="product-price">5,000원<', html)


def test_a_required_one_choice_group_skips_a_sold_out_first_option(started, latte, store):
    inventory_services.option_set_sold_out(store, latte.options["R"], sold_out=True)

    html = started.get(reverse("kiosk:product", args=[latte.product.pk])).content.decode()

    assert re.search(rf'<input[^>]*value="{latte.options["L"].pk}"[^>]*checked', html, re.DOTALL)
    assert re.search(r'data-testid="product-price">5,500원<', html)


# --- staff call -----------------------------------------------------------------------------------


def test_a_second_call_is_already_on_its_way_and_the_answer_is_shown(kiosk, store):
    first = kiosk.post("/kiosk/staff-call/", HTTP_HX_REQUEST="true").content.decode()
    assert "직원을 호출했습니다" in first
    # the answer poller comes with it, out of band
    assert re.search(r'id="kiosk-staff-poll"[^>]*hx-swap-oob="true"[^>]*hx-get="/kiosk/staff-call/status"', first)

    second = kiosk.post("/kiosk/staff-call/", HTTP_HX_REQUEST="true").content.decode()
    assert "이미 직원을 불렀습니다" in second
    (call,) = staff_calls.staff_calls_pending(store)

    # pending: nothing to show; every screen keeps asking
    assert kiosk.get("/kiosk/staff-call/status", HTTP_HX_REQUEST="true").status_code == 204
    assert 'hx-get="/kiosk/staff-call/status"' in kiosk.get("/kiosk/").content.decode()

    staff_calls.staff_call_ack(store, call["id"])
    answered = kiosk.get("/kiosk/staff-call/status", HTTP_HX_REQUEST="true")
    assert answered.status_code == 200
    html = answered.content.decode()
    assert 'data-testid="staff-acknowledged"' in html and "직원이 확인했습니다" in html
    assert "hx-get" not in html  # the poll stops
    assert kiosk.get("/kiosk/staff-call/status", HTTP_HX_REQUEST="true").status_code == 204
    assert 'hx-get="/kiosk/staff-call/status"' not in kiosk.get("/kiosk/").content.decode()

    # after the answer a new touch is a new call
    assert "직원을 호출했습니다" in kiosk.post("/kiosk/staff-call/", HTTP_HX_REQUEST="true").content.decode()


def test_an_expired_call_stops_the_poll_without_a_message(kiosk, store, settings, time_machine):
    time_machine.move_to("2026-11-30 12:00:00+09:00", tick=False)
    kiosk.post("/kiosk/staff-call/", HTTP_HX_REQUEST="true")
    time_machine.move_to("2026-11-30 12:11:00+09:00", tick=False)
    call = kiosk.session["kiosk_staff_call"]
    staff_calls.staff_call_ack(store, call["id"])  # gone (as its TTL would make it)

    html = kiosk.get("/kiosk/staff-call/status", HTTP_HX_REQUEST="true").content.decode()

    assert "staff-acknowledged" not in html and "hx-get" not in html


# --- the card's failure is a POST -----------------------------------------------------------------


def test_the_failed_page_writes_nothing_on_get_and_gives_the_cart_back_on_post(
    started, latte, kiosk_methods, kiosk_device, django_capture_on_commit_callbacks
):
    add(started, latte, "R")
    started.post(reverse("kiosk:pay"), {"method": kiosk_methods["card"].pk})
    order = Order.objects.get()
    cart_id = order.cart_id
    assert cart_services.cart_get(cart_id, device=kiosk_device).state == "CHECKOUT"
    url = reverse("kiosk:order_failed", args=[order.public_id])

    page = started.get(url)
    assert page.status_code == 200
    assert f'action="{url}" data-auto-submit' in page.content.decode()
    assert cart_services.cart_get(cart_id, device=kiosk_device).state == "CHECKOUT"

    with django_capture_on_commit_callbacks(execute=True):
        response = started.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("kiosk:cart")
    assert cart_services.cart_get(cart_id, device=kiosk_device).state == "ACTIVE"
    assert started.session["kiosk_cart_id"] == cart_id


# --- query budgets (issue 18: the device and its store come from the middleware's cache) ----------


def test_the_menu_screen_reads_no_store_and_stays_in_budget(
    started, store, category, latte, django_assert_max_num_queries, django_assert_num_queries
):
    for index in range(10):
        listed_product(store, f"메뉴{index}", 3000 + index).product.categories.add(category)
    add(started, latte, "R")
    started.get(f"/kiosk/menu/?category={category.pk}")  # warm the device cache

    with django_assert_max_num_queries(MENU_BUDGET) as queries:
        response = started.get(f"/kiosk/menu/?category={category.pk}")
    assert response.status_code == 200
    assert not [q for q in queries.captured_queries if 'FROM "stores_store"' in q["sql"]]


def test_the_cart_screen_reads_no_store_and_stays_in_budget(started, latte, americano, django_assert_max_num_queries):
    for _ in range(3):
        add(started, latte, "L", "샷")
        add(started, americano)
    started.get(reverse("kiosk:cart"))  # warm the device and listing caches

    with django_assert_max_num_queries(CART_BUDGET) as queries:
        response = started.get(reverse("kiosk:cart"))
    assert response.status_code == 200
    assert not [q for q in queries.captured_queries if 'FROM "stores_store"' in q["sql"]]


# The menu: inventory's cached menu (at most its one stock query); the cart bar's prices come from
# the listing cache and the store from the cached device. The cart: nothing but caches.
MENU_BUDGET = 1
CART_BUDGET = 1
