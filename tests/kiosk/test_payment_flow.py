"""From the cart to the order number: simulated card approved / declined, pay at the counter, an
item selling out between cart and payment, the processing poll and the public receipt.

Transactional: carts move back to ACTIVE and payments confirm in on-commit hooks, as in production."""

import re
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.urls import reverse

from apps.carts import services as cart_services
from apps.inventory import services as inventory_services
from apps.orders.models import Order
from apps.payments.models import Payment

pytestmark = pytest.mark.django_db(transaction=True)


def add(client, menu, *options, qty=1):
    response = client.post(
        reverse("kiosk:product", args=[menu.product.pk]),
        {"qty": qty, "option": [menu.options[name].pk for name in options]},
    )
    assert response.status_code == 302, response.content.decode()[:500]


def pay(client, method):
    return client.post(reverse("kiosk:pay"), {"method": method.pk})


def simulated_window(client, response, action):
    """Press a button on the payments app's simulated card window; returns the final kiosk URL."""
    checkout = response["Location"]
    assert checkout.startswith("/payments/simulated/checkout/")
    page = client.get(checkout)
    assert page.status_code == 200
    back = client.post(checkout, {"action": action}, follow=True)
    final_url = back.redirect_chain[-1][0]
    if urlparse(final_url).path.endswith("/failed/"):
        # The fail redirect lands on a page that only shows; its form (sent at once by kiosk.js)
        # is the POST that gives the cart back.
        assert "data-auto-submit" in back.content.decode()
        back = client.post(final_url, follow=True)
        final_url = back.redirect_chain[-1][0]
    return final_url, back


def test_card_payment_approved_shows_the_order_number_and_a_receipt_qr(started, latte, kiosk_methods, kiosk_device):
    add(started, latte, "L", "샷", qty=2)
    cart_id = started.session["kiosk_cart_id"]

    # when the customer pays by (simulated) card and approves
    final_url, page = simulated_window(started, pay(started, kiosk_methods["card"]), "approve")

    # then the order is paid and the kiosk shows its number with a QR code to the receipt
    order = Order.objects.get()
    assert order.status == "PAID"
    assert order.total_amount == 12000
    assert order.service_type == "TAKEOUT"
    assert urlparse(final_url).path == reverse("kiosk:order_done", args=[order.public_id])
    html = page.content.decode()
    assert f'data-testid="order-number" aria-label="주문 번호 {order.order_number}번">{order.order_number}<' in html
    assert "<svg" in html and 'role="img"' in html
    assert 'data-return-seconds="20"' in html
    # the next customer starts from nothing
    assert "kiosk_cart_id" not in started.session
    assert cart_services.cart_get(cart_id, device=kiosk_device).state == "PAID"


def test_a_declined_card_returns_to_the_cart_with_every_line(started, latte, americano, kiosk_methods, kiosk_device):
    add(started, latte, "L", "샷", qty=2)
    add(started, americano)
    before = cart_services.cart_get(started.session["kiosk_cart_id"], device=kiosk_device).lines

    final_url, page = simulated_window(started, pay(started, kiosk_methods["card"]), "decline")

    assert urlparse(final_url).path == reverse("kiosk:cart")
    cart = cart_services.cart_get(started.session["kiosk_cart_id"], device=kiosk_device)
    assert cart.state == "ACTIVE"
    assert cart.lines == before
    html = page.content.decode()
    assert "결제가 취소되었습니다" in html
    assert html.count('data-testid="cart-line"') == 2
    assert Order.objects.get().status == "PENDING_PAYMENT"

    # and paying again works
    final_url, _ = simulated_window(started, pay(started, kiosk_methods["card"]), "approve")
    assert "/kiosk/orders/" in final_url
    assert Order.objects.filter(status="PAID").count() == 1


def test_pay_at_the_counter_leaves_a_pending_order_for_the_pos(started, latte, kiosk_methods):
    add(started, latte, "R")

    response = pay(started, kiosk_methods["counter"])

    order = Order.objects.get()
    assert response["Location"] == reverse("kiosk:order_done", args=[order.public_id])
    assert order.status == "PENDING_PAYMENT"
    assert not Payment.objects.exists()
    html = started.get(response["Location"]).content.decode()
    assert 'data-testid="pay-at-counter"' in html
    assert str(order.order_number) in html


def test_only_the_stores_kiosk_methods_are_offered_and_accepted(started, latte, kiosk_methods, store):
    add(started, latte, "R")
    html = started.get(reverse("kiosk:pay")).content.decode()
    assert "카드" in html and "카운터에서 결제" in html
    assert "POS 현금" not in html

    pos_only = store.payment_methods.get(name="POS 현금")
    response = pay(started, pos_only)

    assert response.status_code == 400
    assert not Order.objects.exists()


def test_paying_an_empty_cart_goes_back_to_the_menu(started, kiosk_methods):
    assert started.get(reverse("kiosk:pay"))["Location"] == reverse("kiosk:menu")
    assert pay(started, kiosk_methods["card"])["Location"] == reverse("kiosk:menu")
    assert not Order.objects.exists()


def test_an_item_sold_out_before_payment_is_named_and_the_cart_stays(
    started, latte, americano, kiosk_methods, store, kiosk_device
):
    add(started, latte, "R")
    add(started, americano)
    before = cart_services.cart_get(started.session["kiosk_cart_id"], device=kiosk_device)

    # when the americano sells out at the POS while the customer is on the payment screen
    inventory_services.listings_set_sold_out(store, [americano.listing.pk], sold_out=True)
    response = pay(started, kiosk_methods["card"])

    # then the customer is told which item, back on the cart, which still has every line
    assert response["Location"] == reverse("kiosk:cart")
    page = started.get(response["Location"]).content.decode()
    assert re.search(r'class="message message-error"[^>]*>[^<]*아메리카노', page)
    cart = cart_services.cart_get(started.session["kiosk_cart_id"], device=kiosk_device)
    assert cart.state == "ACTIVE"
    assert cart.lines == before.lines
    assert not Order.objects.filter(status="PENDING_PAYMENT").exists()


def test_tracked_stock_running_out_names_the_item(started, kiosk_methods, store, kiosk_device):
    from tests.carts.factories import listed_product

    cake = listed_product(store, "치즈케이크", 6000, track_stock=True, stock=1)
    add(started, cake)
    inventory_services.stock_set(cake.listing, 0, note="dropped")

    response = pay(started, kiosk_methods["card"])

    assert response["Location"] == reverse("kiosk:cart")
    assert "치즈케이크" in started.get(response["Location"]).content.decode()
    assert cart_services.cart_get(started.session["kiosk_cart_id"], device=kiosk_device).state == "ACTIVE"


def test_processing_polls_until_the_payment_is_decided(started, latte, kiosk_methods):
    add(started, latte, "R")
    pay(started, kiosk_methods["card"])
    order = Order.objects.get()

    # while the card window is open the payment is pending
    status = started.get(reverse("kiosk:order_status", args=[order.public_id])).json()
    assert status == {"state": "pending", "status": "PENDING_PAYMENT"}
    processing = started.get(reverse("kiosk:order_processing", args=[order.public_id]))
    assert processing.status_code == 200
    status_url = reverse("kiosk:order_status", args=[order.public_id])
    assert f'hx-get="{status_url}" hx-trigger="every 1000ms"' in processing.content.decode()
    # the screen's htmx poll gets nothing to do while the payment is pending
    assert started.get(status_url, HTTP_HX_REQUEST="true").status_code == 204
    # the done page is not shown before the payment is decided
    assert started.get(reverse("kiosk:order_done", args=[order.public_id]))["Location"] == reverse(
        "kiosk:order_processing", args=[order.public_id]
    )

    # when the payment fails, the poll says where to go
    Payment.objects.filter(order=order).update(status="FAILED", failure_message="한도 초과")
    status = started.get(reverse("kiosk:order_status", args=[order.public_id])).json()
    assert status["state"] == "failed"
    assert status["redirect"] == reverse("kiosk:order_failed", args=[order.public_id])
    polled = started.get(status_url, HTTP_HX_REQUEST="true")
    assert polled.status_code == 200
    assert polled["HX-Redirect"] == reverse("kiosk:order_failed", args=[order.public_id])


def test_the_receipt_is_public_by_its_unguessable_id_only(started, latte, kiosk_methods, store):
    add(started, latte, "L", qty=1)
    simulated_window(started, pay(started, kiosk_methods["card"]), "approve")
    order = Order.objects.get()
    stranger = Client()

    page = stranger.get(reverse("kiosk:receipt", args=[store.pk, order.public_id]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "카페라떼" in html and "5,500원" in html
    assert f'data-testid="receipt-order-number">{order.order_number}<' in html
    assert html.count('data-testid="receipt-payment"') == 1
    assert "시뮬레이션" in html
    assert stranger.get(reverse("kiosk:receipt", args=[store.pk, "ord_guess"])).status_code == 404
    assert stranger.get(reverse("kiosk:receipt", args=[store.pk + 999, order.public_id])).status_code == 404


def test_toss_is_offered_only_with_keys_and_opens_the_payments_toss_window(started, latte, store, settings):
    from apps.payments.models import PaymentMethod

    toss = PaymentMethod.objects.create(store=store, kind="TOSS", name="토스페이", channels=["KIOSK"], sort_order=0)
    add(started, latte, "R")

    # without keys Toss cannot work, so it is neither shown nor accepted
    settings.TOSS_SECRET_KEY = settings.TOSS_CLIENT_KEY = ""
    assert "토스페이" not in started.get(reverse("kiosk:pay")).content.decode()
    assert pay(started, toss).status_code == 400

    # with keys the payments app's Toss page (which loads Toss's script) takes over
    settings.TOSS_SECRET_KEY, settings.TOSS_CLIENT_KEY = "test_sk_kiosk", "test_ck_kiosk"
    assert "토스페이" in started.get(reverse("kiosk:pay")).content.decode()
    response = pay(started, toss)
    assert response["Location"].startswith("/payments/toss/checkout/")
    payment = Payment.objects.get()
    assert payment.kind == "TOSS" and payment.amount == 5000 and payment.status == "READY"


def test_choosing_the_counter_after_opening_the_card_window_drops_the_card_attempt(started, latte, kiosk_methods):
    # given the customer opened the card window, then came back (browser back) to the methods
    add(started, latte, "R")
    pay(started, kiosk_methods["card"])

    # when they choose to pay at the counter instead
    response = pay(started, kiosk_methods["counter"])

    # then the order waits for the counter, and the unfinished card attempt is no longer open
    order = Order.objects.get(status="PENDING_PAYMENT")
    assert response["Location"] == reverse("kiosk:order_done", args=[order.public_id])
    assert 'data-testid="pay-at-counter"' in started.get(response["Location"]).content.decode()
    assert not Payment.objects.filter(status="READY").exists()
