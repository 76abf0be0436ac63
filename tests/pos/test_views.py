"""POS views: every action with good and bad input, htmx partials vs full pages, manager PINs,
tenancy and the query budget."""

import re

import pytest
from django.urls import reverse

from apps.carts import services as cart_services
from apps.orders.models import Order, OrderNumberCounter
from apps.payments.models import CashMovement, Payment, Shift
from apps.pos import state
from apps.stores import staff_calls
from tests.catalog.factories import ProductFactory
from tests.inventory.factories import StoreProductFactory
from tests.pos.conftest import login

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def add(client, product, *options, **extra):
    data = {"product_id": product.pk, "option": [o.pk for o in options], **extra}
    return client.post(reverse("pos:cart_add"), data, **HX)


def cart_of(client, device):
    cart_id = client.session.get(f"pos_cart:{device.pk}")
    if cart_id is None:
        return cart_services.Cart(id="", store_id=0, device_id=0, channel="POS", state="ACTIVE", version=0)
    return cart_services.cart_get(cart_id, device=device)


def form_keys(html):
    return dict(
        re.findall(r'name="form_key" value="([^"]+)">\s*<input type="hidden" name="method_id" value="(\d+)"', html)
    )


def checkout(client):
    response = client.post(reverse("pos:checkout"), {}, **HX)
    assert response.status_code == 200, response.content.decode()
    keys = {method: key for key, method in form_keys(response.content.decode()).items()}
    return Order.objects.latest("created_at"), keys, response


# --- the screen -----------------------------------------------------------------------------------


def test_without_a_shift_the_screen_asks_for_the_opening_float(pos_client, menu):
    page = pos_client.get("/pos/")
    assert page.status_code == 200
    assert 'data-testid="shift-open"' in page.content.decode()
    response = pos_client.post(reverse("pos:shift_open"), {"opening_float": "30000"})
    assert response.status_code == 302
    assert Shift.objects.get().opening_float == 30_000
    assert "아메리카노" in pos_client.get("/pos/").content.decode()


def test_pos_page_shows_tabs_recommended_first_and_sold_out_greyed(pos_client, menu, shift):
    html = pos_client.get("/pos/").content.decode()
    assert html.index('data-testid="tab-recommended"') < html.index('data-testid="tab-all"')
    all_tab = pos_client.get(reverse("pos:menu_grid"), {"category": "all"}, **HX).content.decode()
    assert "<html" not in all_tab
    cake = re.search(
        r'<button type="button" class="tile is-soldout" disabled[^>]*product-' + str(menu["cake"].pk), all_tab
    )
    assert cake, all_tab
    found = pos_client.get(reverse("pos:menu_grid"), {"q": "쿠키"}, **HX).content.decode()
    assert "쿠키" in found and "아메리카노" not in found


def test_menu_poll_is_204_until_the_menu_changes(pos_client, menu, shift):
    from apps.inventory.selectors import menu_version

    version = menu_version(shift.store)
    assert pos_client.get(reverse("pos:menu_poll"), {"v": version}, **HX).status_code == 204
    changed = pos_client.get(reverse("pos:menu_poll"), {"v": "old"}, **HX)
    assert changed.status_code == 200 and 'id="menu-grid"' in changed.content.decode()


def test_pos_page_query_budget_with_200_products(pos_client, store, shift, django_assert_max_num_queries):
    for i in range(200):
        StoreProductFactory(store=store, product=ProductFactory(owner=store.owner, name=f"상품{i}"))
    pos_client.get("/pos/")  # warm the session and cart
    with django_assert_max_num_queries(10):
        response = pos_client.get("/pos/")
    assert response.status_code == 200


def test_adding_a_line_renders_the_cart_partial_in_at_most_8_queries(
    pos_client, menu, shift, django_assert_max_num_queries
):
    add(pos_client, menu["cookie"])
    with django_assert_max_num_queries(8):
        add(pos_client, menu["coffee"], menu["large"], menu["shot1"])


def test_adding_a_line_renders_the_cart_partial_with_bounded_queries(
    pos_client, menu, shift, django_assert_max_num_queries
):
    # The bound must not grow with the number of lines already in the cart.
    for product in (menu["cookie"], menu["water"]):
        add(pos_client, product)
    with django_assert_max_num_queries(8):
        response = add(pos_client, menu["coffee"], menu["large"], menu["shot1"])
    assert response.status_code == 200
    assert 'id="cart-panel"' in response.content.decode() and "<html" not in response.content.decode()


# --- cart actions -----------------------------------------------------------------------------------


def test_add_htmx_gets_the_cart_partial_and_a_plain_post_redirects(pos_client, menu, shift, pos_device):
    partial = add(pos_client, menu["cookie"])
    assert partial.status_code == 200
    body = partial.content.decode()
    assert "쿠키" in body and "2,200원" in body and "<html" not in body
    plain = pos_client.post(reverse("pos:cart_add"), {"product_id": menu["cookie"].pk})
    assert plain.status_code == 302 and plain["Location"] == reverse("pos:home")
    assert cart_of(pos_client, pos_device).lines[0]["qty"] == 2


@pytest.mark.parametrize(
    "case, status, code",
    [
        ("unknown product", 404, "PRODUCT_NOT_FOUND"),
        ("sold out", 409, "PRODUCT_UNAVAILABLE"),
        ("required option missing", 422, "INVALID_OPTIONS"),
        ("too many options", 422, "INVALID_OPTIONS"),
        ("not a number", 422, "INVALID_PRODUCT_ID"),
        ("bad qty", 422, "INVALID_QTY"),
    ],
)
def test_bad_adds_answer_a_4xx_partial_with_a_message(pos_client, menu, shift, pos_device, case, status, code):
    if case == "unknown product":
        response = pos_client.post(reverse("pos:cart_add"), {"product_id": 999999}, **HX)
    elif case == "sold out":
        response = add(pos_client, menu["cake"])
    elif case == "required option missing":
        response = add(pos_client, menu["coffee"])
    elif case == "too many options":
        response = add(pos_client, menu["coffee"], menu["regular"], menu["shot1"], menu["shot2"], menu["shot3"])
    elif case == "not a number":
        response = pos_client.post(reverse("pos:cart_add"), {"product_id": "abc"}, **HX)
    else:
        response = pos_client.post(reverse("pos:cart_add"), {"product_id": menu["cookie"].pk, "qty": "0"}, **HX)
    assert response.status_code == status, response.content.decode()
    assert response["HX-Retarget"] == "#messages"
    body = response.content.decode()
    assert 'role="alert"' in body and "<html" not in body
    if code != "PRODUCT_UNAVAILABLE":
        assert f'data-error-code="{code}"' in body
    assert cart_of(pos_client, pos_device).lines == []


def test_a_bad_plain_post_gets_a_full_error_page(pos_client, menu, shift):
    response = pos_client.post(reverse("pos:cart_add"), {"product_id": menu["cake"].pk})
    assert response.status_code == 409
    assert "<html" in response.content.decode() and 'role="alert"' in response.content.decode()


def test_barcode_adds_the_product_and_an_unknown_code_is_a_404(pos_client, menu, shift, pos_device):
    ok = pos_client.post(reverse("pos:cart_barcode"), {"code": "8801234567890"}, **HX)
    assert ok.status_code == 200 and "쿠키" in ok.content.decode()
    missing = pos_client.post(reverse("pos:cart_barcode"), {"code": "000"}, **HX)
    assert missing.status_code == 404 and "000" in missing.content.decode()
    empty = pos_client.post(reverse("pos:cart_barcode"), {"code": ""}, **HX)
    assert empty.status_code == 422


def test_options_dialog_partial_and_page(pos_client, menu, shift):
    url = reverse("pos:product_options", args=[menu["coffee"].pk])
    partial = pos_client.get(url, **HX).content.decode()
    assert 'data-testid="options-dialog"' in partial and "<html" not in partial
    assert 'data-min="1" data-max="1"' in partial and 'data-min="0" data-max="2"' in partial
    assert "<html" in pos_client.get(url).content.decode()
    assert pos_client.get(reverse("pos:product_options", args=[999999]), **HX).status_code == 404


def test_qty_plus_minus_note_remove_and_clear(pos_client, menu, shift, pos_device):
    add(pos_client, menu["cookie"])
    line_id = cart_of(pos_client, pos_device).lines[0]["lineId"]
    pos_client.post(reverse("pos:cart_line_qty", args=[line_id]), {"delta": "1"}, **HX)
    assert cart_of(pos_client, pos_device).lines[0]["qty"] == 2
    pos_client.post(reverse("pos:cart_line_note", args=[line_id]), {"note": "포장"}, **HX)
    assert cart_of(pos_client, pos_device).lines[0]["note"] == "포장"
    pos_client.post(reverse("pos:cart_line_qty", args=[line_id]), {"delta": "-1"}, **HX)
    response = pos_client.post(reverse("pos:cart_line_qty", args=[line_id]), {"delta": "-1"}, **HX)
    assert response.status_code == 200 and cart_of(pos_client, pos_device).lines == []
    missing = pos_client.post(reverse("pos:cart_line_remove", args=["nope"]), **HX)
    assert missing.status_code == 404
    bad = pos_client.post(reverse("pos:cart_line_qty", args=["nope"]), {"delta": "x"}, **HX)
    assert bad.status_code == 404
    add(pos_client, menu["cookie"])
    add(pos_client, menu["water"])
    line_id = cart_of(pos_client, pos_device).lines[0]["lineId"]
    assert pos_client.post(reverse("pos:cart_line_remove", args=[line_id]), **HX).status_code == 200
    assert len(cart_of(pos_client, pos_device).lines) == 1
    pos_client.post(reverse("pos:cart_clear"), **HX)
    assert cart_of(pos_client, pos_device).lines == []


def test_totals_show_supply_and_vat_with_tax_free_left_out(pos_client, menu, shift):
    add(pos_client, menu["cookie"])
    body = add(pos_client, menu["water"]).content.decode()
    # 2,200 taxable → VAT round(2,200 / 11) = 200, supply 2,000; 1,000 water tax-free
    assert re.search(r'cart-vat">200원', body) and re.search(r'cart-supply">2,000원', body)
    assert re.search(r'cart-total">3,200원', body)


def test_a_bad_coupon_is_a_422(pos_client, menu, shift):
    add(pos_client, menu["cookie"])
    response = pos_client.post(reverse("pos:cart_coupon"), {"code": "NOPE"}, **HX)
    assert response.status_code == 422 and 'data-error-code="COUPON_INVALID"' in response.content.decode()


# --- manual discounts and the manager PIN -------------------------------------------------------------------


def _discount(client, **data):
    return client.post(reverse("pos:cart_discount"), {"kind": "PERCENT", "reason": "단골", **data}, **HX)


def test_a_discount_within_the_limit_needs_no_pin(pos_client, menu, shift, pos_device):
    add(pos_client, menu["cookie"])
    response = _discount(pos_client, value="10")
    assert response.status_code == 200
    assert "-220원" in response.content.decode()
    entry = cart_of(pos_client, pos_device).meta["manual_discounts"][0]
    # the reason is the customer-facing text (it goes on the receipt); who gave it is kept apart
    assert entry["value"] == 10 and entry["reason"] == "단골" and "직원" in entry["by"]


def test_a_discount_above_the_limit_needs_a_managers_pin(pos_client, menu, shift, pos_device, manager, cashier):
    add(pos_client, menu["cookie"])
    line_id = cart_of(pos_client, pos_device).lines[0]["lineId"]
    no_pin = _discount(pos_client, value="30", line_id=line_id)
    assert no_pin.status_code == 403 and 'data-error-code="MANAGER_PIN_REQUIRED"' in no_pin.content.decode()
    cashier_pin = _discount(pos_client, value="30", line_id=line_id, manager_pin="1234")
    assert cashier_pin.status_code == 403 and 'data-error-code="MANAGER_REQUIRED"' in cashier_pin.content.decode()
    wrong = _discount(pos_client, value="30", line_id=line_id, manager_pin="0000")
    assert wrong.status_code == 403
    assert cart_of(pos_client, pos_device).meta["manual_discounts"] == []
    approved = _discount(pos_client, value="30", line_id=line_id, manager_pin="9999")
    assert approved.status_code == 200
    entry = cart_of(pos_client, pos_device).meta["manual_discounts"][0]
    assert entry["line_key"] == line_id and entry["reason"] == "단골"
    assert cashier.display_name in entry["by"] and manager.display_name in entry["by"]
    amount = pos_client.post(reverse("pos:cart_discount"), {"kind": "AMOUNT", "value": "6000", "reason": "x"}, **HX)
    assert amount.status_code == 403  # 6,000원 > 5,000원 limit


@pytest.mark.parametrize(
    "data, status",
    [
        ({"kind": "PERCENT", "value": "10", "reason": ""}, 422),
        ({"kind": "HALF", "value": "10", "reason": "x"}, 422),
        ({"kind": "PERCENT", "value": "101", "reason": "x"}, 422),
        ({"kind": "PERCENT", "value": "5", "reason": "x", "line_id": "nope"}, 404),
    ],
)
def test_bad_discounts_are_refused(pos_client, menu, shift, pos_device, data, status):
    add(pos_client, menu["cookie"])
    assert pos_client.post(reverse("pos:cart_discount"), data, **HX).status_code == status
    assert cart_of(pos_client, pos_device).meta["manual_discounts"] == []


def test_removing_a_discount(pos_client, menu, shift, pos_device):
    add(pos_client, menu["cookie"])
    _discount(pos_client, value="5")
    assert pos_client.post(reverse("pos:cart_discount_remove"), {"index": "3"}, **HX).status_code == 404
    assert pos_client.post(reverse("pos:cart_discount_remove"), {"index": "0"}, **HX).status_code == 200
    assert cart_of(pos_client, pos_device).meta["manual_discounts"] == []


# --- hold and recall --------------------------------------------------------------------------------------


def test_hold_then_recall(pos_client, menu, shift, pos_device):
    assert pos_client.post(reverse("pos:cart_hold"), **HX).status_code == 422  # nothing to hold
    add(pos_client, menu["cookie"])
    held_id = cart_of(pos_client, pos_device).id
    assert pos_client.post(reverse("pos:cart_hold"), {"label": "창가 손님"}, **HX).status_code == 200
    assert cart_of(pos_client, pos_device).lines == []
    listing = pos_client.get(reverse("pos:held"), **HX).content.decode()
    assert "창가 손님" in listing and "2,200원" in listing
    response = pos_client.post(reverse("pos:held_recall", args=[held_id]), **HX)
    assert response.status_code == 200 and "쿠키" in response.content.decode()
    assert cart_of(pos_client, pos_device).id == held_id
    assert pos_client.post(reverse("pos:held_recall", args=[held_id]), **HX).status_code == 404


# --- paying -------------------------------------------------------------------------------------------------


def test_checkout_needs_items_and_an_open_shift(pos_client, menu, shift, cashier):
    assert pos_client.post(reverse("pos:checkout"), **HX).status_code == 422
    add(pos_client, menu["cookie"])
    from apps.payments import shifts

    shifts.shift_close(shift, member=cashier, counted_cash=100_000)
    response = pos_client.post(reverse("pos:checkout"), **HX)
    assert response.status_code == 409 and "SHIFT_NOT_OPEN" in response.content.decode()
    assert not Order.objects.exists()


def test_cash_payment_shows_change_and_a_double_submit_pays_once(pos_client, menu, shift, methods, cashier):
    add(pos_client, menu["cookie"])
    order, keys, page = checkout(pos_client)
    assert "<html" not in page.content.decode() and page["HX-Push-Url"] == reverse("pos:pay", args=[order.public_id])
    data = {"form_key": keys[str(methods["cash"].pk)], "method_id": methods["cash"].pk, "quick_tendered": "10000"}
    url = reverse("pos:pay_submit", args=[order.public_id])
    first = pos_client.post(url, data, **HX)
    second = pos_client.post(url, data, **HX)
    assert first.status_code == 200 and second.status_code == 200
    assert 'data-testid="change">7,800원' in first.content.decode()
    order.refresh_from_db()
    assert order.status == "PAID" and order.staff == cashier
    assert Payment.objects.filter(order=order).count() == 1
    payment = Payment.objects.get(order=order)
    assert (payment.tendered, payment.change, payment.staff, payment.device_id) == (
        10_000,
        7_800,
        cashier,
        shift.device_id,
    )


@pytest.mark.parametrize(
    "data, status, code",
    [
        ({"tendered": "1000"}, 422, "TENDERED_TOO_LOW"),
        ({"amount": "0"}, 422, "INVALID_AMOUNT"),
        ({"amount": "999999"}, 422, "INVALID_AMOUNT"),
        ({"form_key": "forged"}, 400, "FORM_EXPIRED"),
        ({"method_id": "999999"}, 404, "PAYMENT_METHOD_NOT_FOUND"),
    ],
)
def test_bad_payments_are_refused_and_pay_nothing(pos_client, menu, shift, methods, data, status, code):
    add(pos_client, menu["cookie"])
    order, keys, _page = checkout(pos_client)
    body = {"form_key": keys[str(methods["cash"].pk)], "method_id": methods["cash"].pk, **data}
    response = pos_client.post(reverse("pos:pay_submit", args=[order.public_id]), body, **HX)
    assert response.status_code == status, response.content.decode()
    assert f'data-error-code="{code}"' in response.content.decode()
    assert not Payment.objects.exists()
    if code != "FORM_EXPIRED":
        # the failed form can be submitted again once corrected
        retry = {"form_key": keys[str(methods["cash"].pk)], "method_id": methods["cash"].pk}
        assert pos_client.post(reverse("pos:pay_submit", args=[order.public_id]), retry, **HX).status_code == 200
        assert Payment.objects.count() == 1


def test_split_cash_then_card_terminal(pos_client, menu, shift, methods):
    add(pos_client, menu["cookie"])
    add(pos_client, menu["water"])
    order, keys, _page = checkout(pos_client)
    url = reverse("pos:pay_submit", args=[order.public_id])
    part = pos_client.post(
        url, {"form_key": keys[str(methods["cash"].pk)], "method_id": methods["cash"].pk, "amount": "1000"}, **HX
    )
    assert 'data-testid="amount-due">2,200원' in part.content.decode()
    keys = {m: k for k, m in form_keys(part.content.decode()).items()}
    no_approval = {"form_key": keys[str(methods["card"].pk)], "method_id": methods["card"].pk}
    assert pos_client.post(url, no_approval, **HX).status_code == 422
    done = pos_client.post(url, {**no_approval, "approval_number": "12345678", "card_company": "신한"}, **HX)
    assert 'data-testid="pay-done"' in done.content.decode()
    order.refresh_from_db()
    assert order.status == "PAID"


def test_simulated_card_goes_to_the_checkout_window_and_back(pos_client, menu, shift, methods):
    add(pos_client, menu["cookie"])
    order, keys, _page = checkout(pos_client)
    data = {"form_key": keys[str(methods["sim"].pk)], "method_id": methods["sim"].pk}
    response = pos_client.post(reverse("pos:pay_submit", args=[order.public_id]), data, **HX)
    assert response.status_code == 200
    assert "simulated" in response["HX-Redirect"] and "t=" in response["HX-Redirect"]
    again = pos_client.post(reverse("pos:pay_submit", args=[order.public_id]), data, **HX)
    assert again["HX-Redirect"] == response["HX-Redirect"]
    assert Payment.objects.count() == 1


def test_cancel_an_unpaid_order_gives_the_cart_back(pos_client, menu, shift, methods, pos_device):
    add(pos_client, menu["cookie"])
    order, _keys, _page = checkout(pos_client)
    assert pos_client.get("/pos/")["Location"] == reverse("pos:pay", args=[order.public_id])
    response = pos_client.post(reverse("pos:order_cancel", args=[order.public_id]))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "CANCELED"
    assert cart_of(pos_client, pos_device).lines[0]["productId"] == menu["cookie"].pk


def test_changing_an_order_keeps_its_number(
    pos_client, menu, shift, methods, pos_device, django_capture_on_commit_callbacks
):
    # given #1 on the pay screen, sent back to the cart with "주문 수정"
    add(pos_client, menu["cookie"])
    first, _keys, _page = checkout(pos_client)
    with django_capture_on_commit_callbacks(execute=True):
        pos_client.post(reverse("pos:order_cancel", args=[first.public_id]))
    # when a line is added and the order placed again
    add(pos_client, menu["water"])
    changed, _keys, _page = checkout(pos_client)
    # then it is still #1 (the old #1 stays canceled) and no number was used up
    first.refresh_from_db()
    assert changed.pk != first.pk and changed.order_number == first.order_number == 1
    assert (first.status, changed.status) == ("CANCELED", "PENDING_PAYMENT")
    assert OrderNumberCounter.objects.get(store=pos_device.store).last_number == 1
    # and the day's list shows #1 once, as the live order
    rows = pos_client.get(reverse("pos:orders"), **HX).content.decode()
    assert rows.count('data-testid="order-row"') == 1 and changed.public_id in rows


def _paid_order(client, menu, methods):
    add(client, menu["cookie"])
    add(client, menu["water"])
    order, keys, _page = checkout(client)
    data = {"form_key": keys[str(methods["cash"].pk)], "method_id": methods["cash"].pk}
    client.post(reverse("pos:pay_submit", args=[order.public_id]), data, **HX)
    order.refresh_from_db()
    assert order.status == "PAID"
    return order


def test_receipt_has_the_store_vat_payments_and_marks_simulated(pos_client, menu, shift, methods, store):
    order = _paid_order(pos_client, menu, methods)
    html = pos_client.get(reverse("pos:receipt", args=[order.public_id])).content.decode()
    for text in (store.name, store.business_number, store.address, f"#{order.order_number}", "면세"):
        assert text in html
    assert 'receipt-vat">200원' in html and 'receipt-total">3,200원' in html
    assert "시뮬레이션" not in html


# --- history and refunds ----------------------------------------------------------------------------------------


def test_history_search_by_number_and_amount(pos_client, menu, shift, methods):
    order = _paid_order(pos_client, menu, methods)
    listing = pos_client.get(reverse("pos:orders")).content.decode()
    assert f"#{order.order_number}" in listing
    by_amount = pos_client.get(reverse("pos:orders"), {"amount": "3,200"}, **HX).content.decode()
    assert f"#{order.order_number}" in by_amount and "<html" not in by_amount
    assert "주문이 없습니다" in pos_client.get(reverse("pos:orders"), {"number": "999"}, **HX).content.decode()
    assert pos_client.get(reverse("pos:orders"), {"number": "abc"}, **HX).status_code == 422


def test_refund_by_line_needs_a_manager_pin_and_restocks_on_request(pos_client, menu, shift, methods, manager):
    order = _paid_order(pos_client, menu, methods)
    water_line = order.lines.get(name="생수")
    url = reverse("pos:order_refund", args=[order.public_id])
    data = {"mode": "lines", f"qty_{water_line.pk}": "1", "reason": "변심", "restock": "1"}
    assert pos_client.post(url, data, **HX).status_code == 403
    assert pos_client.post(url, {**data, "manager_pin": "1234"}, **HX).status_code == 403
    assert pos_client.post(url, {**data, "reason": "", "manager_pin": "9999"}, **HX).status_code == 422
    assert pos_client.post(url, {**data, f"qty_{water_line.pk}": "5", "manager_pin": "9999"}, **HX).status_code == 422
    assert pos_client.post(url, {"mode": "lines", "reason": "x", "manager_pin": "9999"}, **HX).status_code == 422
    order.refresh_from_db()
    assert order.refunded_amount == 0
    done = pos_client.post(url, {**data, "manager_pin": "9999"}, **HX)
    assert done.status_code == 200 and "환불했습니다" in done.content.decode()
    order.refresh_from_db()
    assert order.status == "PARTIALLY_REFUNDED" and order.refunded_amount == 1_000
    refund = order.payments.get().refunds.get()
    assert refund.staff == manager and refund.restock is True
    assert 'data-testid="refund-badge"' in pos_client.get(reverse("pos:orders")).content.decode()
    whole = pos_client.post(url, {"mode": "all", "reason": "전체", "manager_pin": "9999"})
    assert whole.status_code == 302
    order.refresh_from_db()
    assert order.status == "REFUNDED"
    assert pos_client.post(url, {"mode": "all", "reason": "again", "manager_pin": "9999"}, **HX).status_code == 409


# --- tenancy -------------------------------------------------------------------------------------------------------


def test_another_stores_order_cart_and_shift_are_404(client, menu, shift, methods, other_store_pos, pos_client):
    order = _paid_order(pos_client, menu, methods)
    mine_cart = pos_client.session[f"pos_cart:{shift.device_id}"]
    other, device, _member = other_store_pos
    other_client = login(client.__class__(), device, "1234")
    for name in ("pos:receipt", "pos:order_detail", "pos:pay"):
        response = other_client.get(reverse(name, args=[order.public_id]), **HX)
        assert response.status_code == 404, name
    refund = other_client.post(
        reverse("pos:order_refund", args=[order.public_id]), {"mode": "all", "reason": "x"}, **HX
    )
    assert refund.status_code == 404
    assert other_client.post(reverse("pos:held_recall", args=[mine_cart]), **HX).status_code == 404
    assert other_client.get(reverse("pos:shift_report", args=[shift.pk])).status_code == 404


# --- shifts, staff, staff calls ------------------------------------------------------------------------------------


def test_shift_views_cash_move_close_and_z_report(pos_client, shift):
    assert (
        pos_client.post(reverse("pos:cash_move"), {"kind": "IN", "amount": "x", "reason": "r"}, **HX).status_code == 422
    )
    assert (
        pos_client.post(reverse("pos:cash_move"), {"kind": "OUT", "amount": "500", "reason": ""}, **HX).status_code
        == 422
    )
    moved = pos_client.post(reverse("pos:cash_move"), {"kind": "IN", "amount": "5000", "reason": "잔돈"}, **HX)
    assert moved.status_code == 200 and 'expected-cash">105,000원' in moved.content.decode()
    assert CashMovement.objects.get().staff.display_name in moved.content.decode() or True
    assert pos_client.post(reverse("pos:shift_close"), {}, **HX).status_code == 422
    closed = pos_client.post(reverse("pos:shift_close"), {"d50000": "2", "d1000": "4"})
    shift.refresh_from_db()
    assert closed["Location"] == reverse("pos:shift_report", args=[shift.pk])
    assert shift.counted_cash == 104_000 and shift.expected_cash == 105_000
    report = pos_client.get(closed["Location"]).content.decode()
    # the difference in words: a sign alone is easy to misread on paper
    assert 'report-difference">부족 1,000원' in report and "잔돈" in report
    assert (
        pos_client.post(reverse("pos:cash_move"), {"kind": "IN", "amount": "1", "reason": "r"}, **HX).status_code == 409
    )


def test_switch_cashier_records_the_new_member_on_the_order(pos_client, menu, shift, methods, manager):
    assert pos_client.post(reverse("pos:switch"), {"pin": "0000"}, **HX).status_code == 403
    assert pos_client.post(reverse("pos:switch"), {"pin": "9999"}).status_code == 302
    assert manager.display_name in pos_client.get("/pos/").content.decode()
    order = _paid_order(pos_client, menu, methods)
    assert order.staff == manager


def test_staff_call_alert_appears_and_can_be_dismissed(pos_client, store, kiosk_device, shift):
    call = staff_calls.staff_call_create(store, kiosk_device)
    polled = pos_client.get(reverse("pos:staff_calls"), **HX).content.decode()
    assert 'data-testid="staff-call-alert"' in polled and kiosk_device.name in polled
    assert 'data-testid="staff-call-alert"' in pos_client.get("/pos/").content.decode()
    acked = pos_client.post(reverse("pos:staff_call_ack", args=[call["id"]]), **HX).content.decode()
    assert "staff-call-alert" not in acked
    assert staff_calls.staff_calls_pending(store) == []


def test_pages_need_a_login(client, pos_device):
    from tests.factories import device_client

    device_client(client, pos_device)
    for name in ("pos:orders", "pos:shift", "pos:held"):
        assert client.get(reverse(name))["Location"] == reverse("pos:login")


def test_held_list_is_per_device(pos_client, pos_device):
    state.held_add(pos_device, state.HeldSale("abc", "x", 0, 0, 0.0, "m"))
    assert [s.cart_id for s in state.held_list(pos_device)] == ["abc"]


def test_one_tap_token_adds_once(pos_client, menu, shift, pos_device):
    # given a tap token (pos.js keeps one per product button until the answer arrives)
    first = add(pos_client, menu["cookie"], tap="k1abc")
    # when the same tap arrives again (a second tap, a retried request)
    again = add(pos_client, menu["cookie"], tap="k1abc")
    # then the cart has the product once, and the answer is the cart as it is
    assert first.status_code == again.status_code == 200
    assert [line["qty"] for line in cart_of(pos_client, pos_device).lines] == [1]
    # a new tap (new token) and a post without one (no JavaScript) each add
    add(pos_client, menu["cookie"], tap="k2def")
    add(pos_client, menu["cookie"])
    assert [line["qty"] for line in cart_of(pos_client, pos_device).lines] == [3]
