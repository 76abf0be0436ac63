"""The kiosk screens step by step: good input, bad input and tenancy (another store's or another
kiosk's cart/order is a 404)."""

import re

import pytest
from django.urls import reverse

from apps.carts import services as cart_services
from apps.inventory import services as inventory_services
from apps.orders.models import Order
from apps.stores.staff_calls import staff_calls_pending
from tests.carts.factories import listed_product
from tests.factories import DeviceFactory, StoreFactory, device_client

pytestmark = pytest.mark.django_db


def session_cart(client):
    return cart_services.cart_get(client.session["kiosk_cart_id"], device=_device(client))


def _device(client):
    from apps.stores.models import Device

    return Device.objects.get(pk=client._kiosk_device_pk)


@pytest.fixture(autouse=True)
def _remember_device(client, kiosk_device):
    client._kiosk_device_pk = kiosk_device.pk


def body_classes(response) -> set[str]:
    return set(re.search(r'<body class="([^"]*)"', response.content.decode()).group(1).split())


def product_card(html: str, product_id: int) -> str:
    match = re.search(rf'<li class="kiosk-card[^>]*data-testid="product-{product_id}">.*?</li>', html, re.DOTALL)
    assert match, f"no card for product {product_id}"
    return match.group(0)


def add_latte(client, latte, *options, qty=1):
    return client.post(
        reverse("kiosk:product", args=[latte.product.pk]),
        {"qty": qty, "option": [latte.options[name].pk for name in options]},
    )


# --- access -----------------------------------------------------------------------------------------


def test_kiosk_pages_need_a_paired_kiosk(client, pos_device):
    # given no device at all, then a POS device
    assert client.get("/kiosk/")["Location"].startswith(reverse("stores:pair"))
    device_client(client, pos_device)

    # then a POS is not a kiosk either
    assert client.get("/kiosk/")["Location"].startswith(reverse("stores:pair"))


def test_welcome_offers_start_language_and_accessibility(kiosk):
    html = kiosk.get("/kiosk/").content.decode()

    assert 'data-testid="kiosk-start"' in html
    assert 'name="language" value="en"' in html
    for control in ("mode-large", "mode-contrast", "mode-lowreach", "staff-call"):
        assert f'data-testid="{control}"' in html
    assert "kiosk.css" in html and "kiosk.js" in html
    # no outside script without Toss keys
    assert "tosspayments" not in html


# --- start ------------------------------------------------------------------------------------------


def test_choosing_takeout_starts_a_cart_with_the_service_type(kiosk, americano):
    response = kiosk.post("/kiosk/start/", {"service_type": "TAKEOUT"})

    assert response["Location"] == reverse("kiosk:menu")
    cart = session_cart(kiosk)
    assert cart.state == "ACTIVE"
    assert cart.channel == "KIOSK"
    assert cart.meta["service_type"] == "TAKEOUT"


def test_an_unknown_service_type_is_refused_and_starts_nothing(kiosk):
    response = kiosk.post("/kiosk/start/", {"service_type": "DRIVE_THRU"})

    assert response.status_code == 400
    assert "kiosk_cart_id" not in kiosk.session


def test_starting_again_abandons_the_previous_customers_cart(started):
    first = session_cart(started)

    started.post("/kiosk/start/", {"service_type": "DINE_IN"})

    assert cart_services.cart_get(first.id, device=_device(started)).state == "ABANDONED"
    assert session_cart(started).meta["service_type"] == "DINE_IN"


# --- menu -------------------------------------------------------------------------------------------


def test_menu_without_a_started_order_goes_back_to_welcome(kiosk):
    assert kiosk.get("/kiosk/menu/")["Location"] == reverse("kiosk:welcome")


def test_menu_shows_recommended_first_then_categories_with_prices(started, latte, americano, category):
    html = started.get("/kiosk/menu/").content.decode()

    tabs = re.findall(r'data-testid="tab-([\w-]+)"', html)
    assert tabs == ["recommended", str(category.pk)]
    assert f'data-testid="product-{latte.product.pk}"' in html  # the recommended latte
    assert f'data-testid="product-{americano.product.pk}"' not in html  # not recommended

    html = started.get(f"/kiosk/menu/?category={category.pk}").content.decode()
    assert f'data-testid="product-{americano.product.pk}"' in html
    assert "4,500원" in html


def test_menu_tab_switch_over_htmx_returns_only_the_menu_body(started, category):
    response = started.get(f"/kiosk/menu/?category={category.pk}", HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith('<section class="kiosk-menu"')
    assert "<html" not in html


def test_a_sold_out_product_is_shown_but_cannot_be_opened(started, americano, category, store):
    inventory_services.listings_set_sold_out(store, [americano.listing.pk], sold_out=True)

    html = started.get(f"/kiosk/menu/?category={category.pk}").content.decode()

    card = product_card(html, americano.product.pk)
    assert 'data-available="false"' in card
    assert "sold-out-badge" in card
    assert reverse("kiosk:product", args=[americano.product.pk]) not in card


def test_menu_is_read_in_bounded_queries(started, store, category, django_assert_max_num_queries):
    for index in range(15):
        listed_product(store, f"메뉴{index}", 3000 + index).product.categories.add(category)

    with django_assert_max_num_queries(20):
        response = started.get(f"/kiosk/menu/?category={category.pk}")
    assert response.status_code == 200


def test_menu_in_english_uses_english_names(started, americano, category):
    started.post(reverse("set_language"), {"language": "en", "next": "/kiosk/menu/"})

    html = started.get(f"/kiosk/menu/?category={category.pk}").content.decode()

    assert "Americano" in html
    assert "Coffee" in html


def test_menu_version_is_204_while_nothing_changed(started, store, americano):
    version = started.get("/kiosk/menu/version").json()["version"]

    assert started.get("/kiosk/menu/version", {"v": version}).status_code == 204

    inventory_services.listings_set_sold_out(store, [americano.listing.pk], sold_out=True)
    changed = started.get("/kiosk/menu/version", {"v": version})
    assert changed.status_code == 200
    assert changed.json()["version"] != version


def test_menu_version_needs_a_kiosk(client, pos_device):
    assert client.get("/kiosk/menu/version").status_code == 302
    device_client(client, pos_device)
    assert client.get("/kiosk/menu/version").status_code == 302


# --- product ----------------------------------------------------------------------------------------


def test_product_screen_marks_required_groups_and_sold_out_options(started, latte):
    html = started.get(reverse("kiosk:product", args=[latte.product.pk])).content.decode()

    size = html[html.index(f'data-testid="group-{latte.groups["사이즈"].pk}"') :]
    assert "필수" in size[: size.index("</legend>")]
    whip = html[html.index(f'data-testid="option-{latte.options["휘핑"].pk}"') - 200 :][:400]
    assert "disabled" in whip
    assert 'data-price-delta="500"' in html
    assert 'data-testid="product-price">5,000원' in html


def test_adding_with_options_puts_a_line_in_the_cart(started, latte):
    response = add_latte(started, latte, "L", "샷", qty=2)

    assert response["Location"] == reverse("kiosk:menu")
    (line,) = session_cart(started).lines
    assert line["productId"] == latte.product.pk
    assert line["qty"] == 2
    assert sorted(line["optionIds"]) == sorted([latte.options["L"].pk, latte.options["샷"].pk])


@pytest.mark.parametrize(
    "options, status",
    [
        ((), 422),  # required size missing
        (("R", "L"), 422),  # two sizes, max is one
        (("R", "샷", "시럽", "샷"), 422),  # duplicate / too many extras
        (("R", "휘핑"), 409),  # sold out in this store
    ],
)
def test_bad_option_choices_are_refused_and_the_cart_is_unchanged(started, latte, options, status):
    response = add_latte(started, latte, *options)

    assert response.status_code == status
    assert 'data-testid="product-error"' in response.content.decode()
    assert session_cart(started).lines == []


def test_a_bad_quantity_is_refused(started, latte):
    response = started.post(
        reverse("kiosk:product", args=[latte.product.pk]), {"qty": 0, "option": [latte.options["R"].pk]}
    )

    assert response.status_code == 422
    assert session_cart(started).lines == []


def test_an_option_of_another_product_is_refused(started, latte, americano):
    response = started.post(
        reverse("kiosk:product", args=[americano.product.pk]), {"qty": 1, "option": [latte.options["R"].pk]}
    )

    assert response.status_code == 422
    assert session_cart(started).lines == []


def test_another_owners_product_is_404(started):
    foreign = listed_product(StoreFactory(), "남의 커피", 1000)

    assert started.get(reverse("kiosk:product", args=[foreign.product.pk])).status_code == 404
    assert started.post(reverse("kiosk:product", args=[foreign.product.pk]), {"qty": 1}).status_code == 404


def test_product_body_over_htmx_is_the_live_region_only(started, latte):
    html = started.get(reverse("kiosk:product", args=[latte.product.pk]), HTTP_HX_REQUEST="true").content.decode()

    assert html.lstrip().startswith('<section class="kiosk-product"')


# --- cart ---------------------------------------------------------------------------------------


def test_cart_lines_can_be_increased_decreased_and_removed(started, latte, americano):
    add_latte(started, latte, "R")
    started.post(reverse("kiosk:product", args=[americano.product.pk]), {"qty": 1})
    latte_line, americano_line = session_cart(started).lines

    started.post(reverse("kiosk:cart_line", args=[latte_line["lineId"]]), {"action": "inc"})
    assert session_cart(started).line(latte_line["lineId"])["qty"] == 2

    started.post(reverse("kiosk:cart_line", args=[latte_line["lineId"]]), {"action": "dec"})
    assert session_cart(started).line(latte_line["lineId"])["qty"] == 1

    # one less than one is none
    started.post(reverse("kiosk:cart_line", args=[latte_line["lineId"]]), {"action": "dec"})
    started.post(reverse("kiosk:cart_line", args=[americano_line["lineId"]]), {"action": "remove"})
    assert session_cart(started).lines == []


def test_cart_page_shows_lines_options_and_total(started, latte):
    add_latte(started, latte, "L", "샷", qty=2)

    html = started.get("/kiosk/cart/").content.decode()

    assert "카페라떼" in html
    assert "L (+500원), 샷 (+500원)" in html
    assert 'data-testid="cart-total">12,000원' in html


def test_a_bad_line_change_is_400_and_an_unknown_line_404(started, latte):
    add_latte(started, latte, "R")
    (line,) = session_cart(started).lines

    bad = started.post(reverse("kiosk:cart_line", args=[line["lineId"]]), {"action": "explode"})
    assert bad.status_code == 400
    too_many = started.post(reverse("kiosk:cart_line", args=[line["lineId"]]), {"action": "set", "qty": 500})
    assert too_many.status_code == 400
    assert started.post(reverse("kiosk:cart_line", args=["nope"]), {"action": "inc"}).status_code == 404
    assert session_cart(started).lines[0]["qty"] == 1


def test_another_stores_cart_is_404(started, kiosk_device):
    # given a cart of another store's kiosk, smuggled into this kiosk's session
    other_kiosk = DeviceFactory(kind="KIOSK")
    other_cart = cart_services.cart_create(store=other_kiosk.store, device=other_kiosk, channel="KIOSK")
    session = started.session
    session["kiosk_cart_id"] = other_cart.id
    session.save()

    # then every cart screen is a 404 and the foreign cart is untouched
    assert started.get("/kiosk/cart/").status_code == 404
    assert started.get("/kiosk/menu/").status_code == 404
    assert started.post(reverse("kiosk:pay"), {"method": 1}).status_code == 404
    assert cart_services.cart_get(other_cart.id, device=other_kiosk).state == "ACTIVE"


# --- reset ------------------------------------------------------------------------------------------


def test_reset_abandons_the_cart_and_forgets_the_modes(started, latte):
    add_latte(started, latte, "R")
    cart = session_cart(started)
    started.post("/kiosk/mode/", {"mode": "large"})

    response = started.post("/kiosk/reset/")

    assert response["Location"] == reverse("kiosk:welcome")
    assert cart_services.cart_get(cart.id, device=_device(started)).state == "ABANDONED"
    assert "kiosk_cart_id" not in started.session
    assert "mode-large" not in body_classes(started.get("/kiosk/"))


def test_reset_without_a_cart_just_shows_welcome(kiosk):
    assert kiosk.post("/kiosk/reset/")["Location"] == reverse("kiosk:welcome")
    assert kiosk.get("/kiosk/reset/").status_code == 405


def test_idle_timings_are_on_the_page_and_configurable(started, settings):
    settings.KIOSK_IDLE_SECONDS = 7
    settings.KIOSK_IDLE_GRACE_SECONDS = 3

    html = started.get("/kiosk/menu/").content.decode()

    assert 'data-idle-seconds="7"' in html
    assert 'data-idle-grace="3"' in html
    assert 'data-testid="idle-prompt"' in html


# --- accessibility and staff call ---------------------------------------------------------------


def test_modes_toggle_and_render_as_body_classes(kiosk):
    kiosk.post("/kiosk/mode/", {"mode": "contrast", "next": "/kiosk/"})
    kiosk.post("/kiosk/mode/", {"mode": "lowreach", "next": "/kiosk/"})

    page = kiosk.get("/kiosk/")
    assert {"kiosk", "mode-contrast", "mode-lowreach"} <= body_classes(page)
    assert 'data-testid="mode-contrast" aria-pressed="true"' in page.content.decode()

    kiosk.post("/kiosk/mode/", {"mode": "contrast"})
    assert body_classes(kiosk.get("/kiosk/")) == {"kiosk", "mode-lowreach"}


def test_mode_toggle_answers_json_and_refuses_unknown_modes(kiosk):
    on = kiosk.post("/kiosk/mode/", {"mode": "large"}, HTTP_ACCEPT="application/json")
    assert on.json() == {"mode": "large", "on": True, "modes": ["large"]}

    bad = kiosk.post("/kiosk/mode/", {"mode": "disco"}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "INVALID_MODE"


def test_mode_toggle_does_not_redirect_off_site(kiosk):
    response = kiosk.post("/kiosk/mode/", {"mode": "large", "next": "https://evil.example/"})

    assert response["Location"] == reverse("kiosk:welcome")


def test_call_staff_raises_a_call_for_this_store(kiosk, store, kiosk_device):
    response = kiosk.post("/kiosk/staff-call/", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert 'data-testid="staff-called"' in response.content.decode()
    (call,) = staff_calls_pending(store)
    assert call["device_id"] == kiosk_device.pk


def test_pending_calls_endpoint_is_for_the_stores_pos_only(client, store, kiosk_device, pos_device):
    device_client(client, kiosk_device).post("/kiosk/staff-call/")
    assert client.get("/kiosk/staff-calls").status_code == 403  # a kiosk cannot read them

    device_client(client, pos_device)
    calls = client.get("/kiosk/staff-calls").json()["calls"]
    assert [c["device_name"] for c in calls] == [kiosk_device.name]

    device_client(client, DeviceFactory(kind="POS"))  # another store's POS
    assert client.get("/kiosk/staff-calls").json()["calls"] == []


def test_pending_calls_endpoint_needs_a_device(client):
    assert client.get("/kiosk/staff-calls").status_code == 401


# --- orders seen from another terminal --------------------------------------------------------------


def test_orders_of_another_store_or_kiosk_are_404(started, latte, kiosk_methods, store):
    add_latte(started, latte, "R")
    started.post(reverse("kiosk:pay"), {"method": kiosk_methods["counter"].pk})
    order = Order.objects.get()

    other_store_kiosk = device_client(started.__class__(), DeviceFactory(kind="KIOSK"))
    same_store_other_kiosk = device_client(started.__class__(), DeviceFactory(store=store, kind="KIOSK"))
    for client in (other_store_kiosk, same_store_other_kiosk):
        for name in ("order_done", "order_processing", "order_failed", "order_status"):
            assert client.get(reverse(f"kiosk:{name}", args=[order.public_id])).status_code == 404, name
    assert started.get(reverse("kiosk:order_done", args=["ord_nope"])).status_code == 404


def test_menu_version_poll_is_cheap(started, django_assert_max_num_queries):
    version = started.get("/kiosk/menu/version").json()["version"]

    # only the device lookup touches the database; the version itself is in Redis
    with django_assert_max_num_queries(2):
        assert started.get("/kiosk/menu/version", {"v": version}).status_code == 204


def test_a_cart_gone_with_its_ttl_means_a_fresh_start(started):
    from apps.core.redis import get_redis

    get_redis().delete(f"cart:{started.session['kiosk_cart_id']}")

    assert started.get("/kiosk/menu/")["Location"] == reverse("kiosk:welcome")
    assert "kiosk_cart_id" not in started.session


def test_welcome_with_a_mode_on_times_out_so_the_next_customer_starts_plain(kiosk):
    assert "data-idle-seconds" not in kiosk.get("/kiosk/").content.decode()

    kiosk.post("/kiosk/mode/", {"mode": "large"})

    assert "data-idle-seconds" in kiosk.get("/kiosk/").content.decode()
