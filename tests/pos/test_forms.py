"""POS form posts with hostile values: each is a 4xx with a message the cashier can read (an HTMX
error partial, or the error page without htmx), never a 500, and nothing is written. The inputs
here are the ones that gave a 500 before the POS read its posts through apps.core.fields."""

import pytest
from django.urls import reverse

from apps.orders.models import Order
from apps.payments.models import CashMovement, Payment, Shift
from tests.pos.test_views import HX, add, cart_of, checkout

pytestmark = pytest.mark.django_db


def error_code(response) -> str:
    body = response.content.decode()
    assert 'role="alert"' in body, body[:500]
    return body.split('data-error-code="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("code", ["8801\x00", "a" * 65])
def test_a_barcode_with_a_nul_or_too_long_is_a_422(pos_client, menu, shift, pos_device, code):
    # when a scanner (or anyone) posts a code PostgreSQL cannot even compare
    response = pos_client.post(reverse("pos:cart_barcode"), {"code": code}, **HX)

    # then
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#messages"
    assert cart_of(pos_client, pos_device).lines == []


def test_a_coupon_code_with_a_nul_is_refused_like_any_bad_code(pos_client, menu, shift):
    add(pos_client, menu["cookie"])
    response = pos_client.post(reverse("pos:cart_coupon"), {"code": "WELCOME\x00"}, **HX)
    assert response.status_code == 422 and error_code(response) == "COUPON_INVALID"


@pytest.mark.parametrize(
    "data, code",
    [
        ({"product_id": "²"}, "INVALID_PRODUCT_ID"),  # isdigit() is True, int() raises
        ({"product_id": "٣"}, "INVALID_PRODUCT_ID"),  # int() would read it as 3
        ({"product_id": "9" * 30}, "INVALID_PRODUCT_ID"),  # beyond a bigint
        ({"qty": "１"}, "INVALID_QTY"),
        ({"option": ["1" * 5000]}, "INVALID_OPTIONS"),
        ({"note": "뜨겁게\x00"}, "INVALID_NOTE"),
    ],
)
def test_hostile_add_to_cart_values_are_422_with_the_fields_code(pos_client, menu, shift, pos_device, data, code):
    response = pos_client.post(reverse("pos:cart_add"), {"product_id": menu["cookie"].pk, **data}, **HX)
    assert response.status_code == 422 and error_code(response) == code
    assert cart_of(pos_client, pos_device).lines == []


def test_a_note_with_a_nul_never_reaches_the_order(pos_client, menu, shift, pos_device):
    add(pos_client, menu["cookie"])
    line_id = cart_of(pos_client, pos_device).lines[0]["lineId"]
    response = pos_client.post(reverse("pos:cart_line_note", args=[line_id]), {"note": "a\x00b"}, **HX)
    assert response.status_code == 422 and error_code(response) == "INVALID_NOTE"
    # and the sale still goes through
    order, _keys, _page = checkout(pos_client)
    assert order.lines.get().note == ""


# (A NUL in the URL is refused with a 400 by apps.core.middleware before any view.)
@pytest.mark.parametrize("path", ["ord_x%ED%A0%80", "%C2%B2", "a" * 200])
def test_malformed_order_ids_in_the_url_are_404(pos_client, menu, shift, path):
    for name in ("pay", "receipt", "order_detail"):
        url = reverse(f"pos:{name}", args=["PLACEHOLDER"]).replace("PLACEHOLDER", path)
        assert pos_client.get(url, **HX).status_code == 404, name
    for name in ("pay_submit", "order_cancel", "order_refund"):
        url = reverse(f"pos:{name}", args=["PLACEHOLDER"]).replace("PLACEHOLDER", path)
        assert pos_client.post(url, {"reason": "x"}, **HX).status_code == 404, name


def test_ids_beyond_a_bigint_in_the_url_are_404(pos_client, menu, shift):
    huge = "9" * 25
    assert pos_client.get(f"/pos/products/{huge}/options/", **HX).status_code == 404
    assert pos_client.get(f"/pos/shifts/{huge}/report/").status_code == 404


@pytest.mark.parametrize(
    "params", [{"amount": "²"}, {"number": "#²"}, {"number": "٣"}, {"amount": "9" * 40}, {"amount": "1e3"}]
)
def test_order_search_with_hostile_digits_is_a_422_with_the_search_message(pos_client, menu, shift, params):
    response = pos_client.get(reverse("pos:orders"), params, **HX)
    assert response.status_code == 422
    assert "숫자로 입력하세요" in response.content.decode()


@pytest.mark.parametrize(
    "url_name, data, code",
    [
        ("cash_move", {"kind": "IN", "amount": "5000", "reason": "잔돈\x00"}, "REASON_REQUIRED"),
        ("cash_move", {"kind": "IN\x00", "amount": "5000", "reason": "잔돈"}, "INVALID_CASH_MOVE_KIND"),
        ("cash_move", {"kind": "IN", "amount": "５０００", "reason": "잔돈"}, "INVALID_AMOUNT"),
        ("shift_close", {"d50000": "9" * 20}, "INVALID_DENOMINATIONS"),
        ("shift_close", {"counted_cash": "1e9"}, "INVALID_AMOUNT"),
    ],
)
def test_hostile_drawer_posts_are_422_and_write_nothing(pos_client, shift, url_name, data, code):
    response = pos_client.post(reverse(f"pos:{url_name}"), data, **HX)
    assert response.status_code == 422 and error_code(response) == code
    assert CashMovement.objects.count() == 0
    assert Shift.objects.get().status == Shift.Status.OPEN


def test_a_refund_reason_with_a_nul_is_refused_before_the_manager_pin(pos_client, menu, shift, methods):
    add(pos_client, menu["cookie"])
    order, keys, _page = checkout(pos_client)
    pay = pos_client.post(
        reverse("pos:pay_submit", args=[order.public_id]),
        {"form_key": keys[str(methods["cash"].pk)], "method_id": methods["cash"].pk},
        **HX,
    )
    assert pay.status_code == 200
    response = pos_client.post(
        reverse("pos:order_refund", args=[order.public_id]),
        {"mode": "all", "reason": "변심\x00", "manager_pin": "9999"},
        **HX,
    )
    assert response.status_code == 422 and error_code(response) == "REASON_REQUIRED"
    order.refresh_from_db()
    assert order.refunded_amount == 0


def test_a_payment_with_a_hostile_amount_releases_its_form_key_and_pays_nothing(pos_client, menu, shift, methods):
    add(pos_client, menu["cookie"])
    order, keys, _page = checkout(pos_client)
    url = reverse("pos:pay_submit", args=[order.public_id])
    data = {"form_key": keys[str(methods["cash"].pk)], "method_id": methods["cash"].pk}

    refused = pos_client.post(url, {**data, "amount": "²"}, **HX)
    assert refused.status_code == 422 and error_code(refused) == "INVALID_AMOUNT"
    assert Payment.objects.count() == 0

    # the same form, corrected, still pays (the refused try did not use up its key)
    paid = pos_client.post(url, {**data, "tendered": "10,000"}, **HX)
    assert paid.status_code == 200
    assert Order.objects.get(pk=order.pk).status == "PAID"


# --- the query strings and buttons the views used to read by hand (issue 19) ------------------------------


def test_a_poll_with_a_hostile_version_gets_the_grid_not_a_204(pos_client, menu, shift):
    # (a NUL never gets this far: the middleware answers 400 to it)
    response = pos_client.get(reverse("pos:menu_poll"), {"v": "9" * 65}, **HX)
    assert response.status_code == 200 and 'id="menu-grid"' in response.content.decode()


def test_the_discount_dialog_refuses_a_hostile_line(pos_client, menu, shift):
    add(pos_client, menu["cookie"])
    response = pos_client.get(reverse("pos:discount_form"), {"line": "x" * 65}, **HX)
    assert response.status_code == 422 and error_code(response)


def test_the_coupon_remove_button_clears_the_code(pos_client, menu, shift, pos_device):
    add(pos_client, menu["cookie"])
    response = pos_client.post(reverse("pos:cart_coupon"), {"code": "WHATEVER", "remove": "1"}, **HX)
    assert response.status_code == 200
    assert cart_of(pos_client, pos_device).meta["coupon_code"] == ""


def test_a_receipt_prints_itself_only_for_print_1(pos_client, menu, shift, methods):
    add(pos_client, menu["cookie"])
    order, keys, _page = checkout(pos_client)
    data = {"form_key": keys[str(methods["cash"].pk)], "method_id": methods["cash"].pk}
    pos_client.post(reverse("pos:pay_submit", args=[order.public_id]), data, **HX)
    url = reverse("pos:receipt", args=[order.public_id])
    assert "data-auto-print" in pos_client.get(url, {"print": "1"}).content.decode()
    for value in ("0", "1" * 2, "x" * 65):
        response = pos_client.get(url, {"print": value})
        assert response.status_code == 200 and "data-auto-print" not in response.content.decode()
