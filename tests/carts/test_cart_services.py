"""Cart services: ownership, line rules (qty, options, stock), meta, pricing for display."""

import pytest

from apps.carts import services
from apps.carts.selectors import cart_priced
from apps.core.errors import DomainError
from tests.carts.factories import listed_product
from tests.concurrency import run_together
from tests.factories import DeviceFactory, StoreFactory

pytestmark = pytest.mark.django_db


def error_of(call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as err:
        call(*args, **kwargs)
    return err.value


def test_create_takes_channel_from_the_device(pos_device, kiosk_device):
    assert services.cart_create(store=pos_device.store, device=pos_device).channel == "POS"
    cart = services.cart_create(store=kiosk_device.store, device=kiosk_device)
    assert (cart.channel, cart.state, cart.version, cart.lines) == ("KIOSK", "ACTIVE", 1, [])


def test_create_for_another_store_is_refused(pos_device):
    other = StoreFactory()
    assert error_of(services.cart_create, store=other, device=pos_device).status == 404


def test_another_devices_cart_is_404(pos_device, other_pos_device):
    cart = services.cart_create(store=pos_device.store, device=pos_device)
    err = error_of(services.cart_get, cart.id, device=other_pos_device)
    assert (err.status, err.code) == (404, "CART_NOT_FOUND")


def test_another_stores_device_gets_404(pos_device, americano):
    cart = services.cart_create(store=pos_device.store, device=pos_device)
    stranger = DeviceFactory(store=StoreFactory(), kind="POS")
    assert error_of(services.cart_line_add, cart.id, device=stranger, product_id=americano.product.pk).status == 404


def test_add_then_same_item_adds_up(pos_device, americano):
    cart = services.cart_create(store=pos_device.store, device=pos_device)
    cart = services.cart_line_add(cart.id, device=pos_device, product_id=americano.product.pk, qty=2)
    cart = services.cart_line_add(cart.id, device=pos_device, product_id=americano.product.pk, qty=3)
    assert len(cart.lines) == 1
    assert cart.lines[0]["qty"] == 5
    cart = services.cart_line_add(cart.id, device=pos_device, product_id=americano.product.pk, note="연하게")
    assert len(cart.lines) == 2


@pytest.mark.parametrize("qty", [0, 100, -1, "x", "2", 1.5, True, None])
def test_bad_quantity_is_422(pos_device, americano, qty):
    cart = services.cart_create(store=pos_device.store, device=pos_device)
    err = error_of(services.cart_line_add, cart.id, device=pos_device, product_id=americano.product.pk, qty=qty)
    assert (err.status, err.code) == (422, "INVALID_QUANTITY")


def test_adding_up_past_99_is_422(pos_device, americano):
    cart = services.cart_create(store=pos_device.store, device=pos_device)
    services.cart_line_add(cart.id, device=pos_device, product_id=americano.product.pk, qty=99)
    err = error_of(services.cart_line_add, cart.id, device=pos_device, product_id=americano.product.pk, qty=1)
    assert err.code == "INVALID_QUANTITY"
    assert services.cart_get(cart.id, device=pos_device).lines[0]["qty"] == 99


def test_unknown_and_foreign_products_are_404(pos_device, store):
    cart = services.cart_create(store=store, device=pos_device)
    foreign = listed_product(StoreFactory(), "남의 커피", 1000)
    assert error_of(services.cart_line_add, cart.id, device=pos_device, product_id=999999).status == 404
    assert error_of(services.cart_line_add, cart.id, device=pos_device, product_id=foreign.product.pk).status == 404
    assert error_of(services.cart_line_add, cart.id, device=pos_device, product_id="abc").status == 422


def test_sold_out_product_is_409(pos_device, store):
    gone = listed_product(store, "품절 케이크", 6000, sold_out=True)
    cart = services.cart_create(store=store, device=pos_device)
    err = error_of(services.cart_line_add, cart.id, device=pos_device, product_id=gone.product.pk)
    assert (err.status, err.code) == (409, "SOLD_OUT")


def test_options_are_checked(pos_device, latte):
    cart = services.cart_create(store=pos_device.store, device=pos_device)
    o = latte.options
    add = services.cart_line_add
    pid = latte.product.pk
    # required size missing
    assert error_of(add, cart.id, device=pos_device, product_id=pid, option_ids=[]).status == 422
    # two sizes for a one-choice group
    assert error_of(add, cart.id, device=pos_device, product_id=pid, option_ids=[o["R"].pk, o["L"].pk]).status == 422
    # an option of another product
    assert error_of(add, cart.id, device=pos_device, product_id=pid, option_ids=[o["R"].pk, 987654]).status == 422
    # the same option twice, and a non-list
    assert error_of(add, cart.id, device=pos_device, product_id=pid, option_ids=[o["R"].pk, o["R"].pk]).status == 422
    assert error_of(add, cart.id, device=pos_device, product_id=pid, option_ids="1,2").status == 422
    # a sold-out option
    err = error_of(add, cart.id, device=pos_device, product_id=pid, option_ids=[o["R"].pk, o["휘핑"].pk])
    assert (err.status, err.code) == (409, "OPTION_SOLD_OUT")
    # nothing was written by any of them
    assert services.cart_get(cart.id, device=pos_device).lines == []
    cart = add(cart.id, device=pos_device, product_id=pid, option_ids=[o["샷"].pk, o["L"].pk])
    assert cart.lines[0]["optionIds"] == sorted([o["샷"].pk, o["L"].pk])


def test_not_enough_stock_is_409(pos_device, store):
    muffin = listed_product(store, "머핀", 3000, track_stock=True, stock=2)
    cart = services.cart_create(store=store, device=pos_device)
    cart = services.cart_line_add(cart.id, device=pos_device, product_id=muffin.product.pk, qty=2)
    err = error_of(services.cart_line_add, cart.id, device=pos_device, product_id=muffin.product.pk)
    assert (err.status, err.code) == (409, "OUT_OF_STOCK")
    line_id = cart.lines[0]["lineId"]
    assert error_of(services.cart_line_update, cart.id, line_id, device=pos_device, qty=3).code == "OUT_OF_STOCK"
    assert services.cart_line_update(cart.id, line_id, device=pos_device, qty=1).lines[0]["qty"] == 1


def test_update_and_remove(pos_device, americano):
    cart = services.cart_create(store=pos_device.store, device=pos_device)
    cart = services.cart_line_add(cart.id, device=pos_device, product_id=americano.product.pk)
    line_id = cart.lines[0]["lineId"]
    cart = services.cart_line_update(cart.id, line_id, device=pos_device, qty=4, note="샷 추가")
    assert (cart.lines[0]["qty"], cart.lines[0]["note"]) == (4, "샷 추가")
    assert error_of(services.cart_line_update, cart.id, line_id, device=pos_device, qty=0).status == 422
    assert error_of(services.cart_line_update, cart.id, line_id, device=pos_device).status == 422
    assert error_of(services.cart_line_update, cart.id, "nope", device=pos_device, qty=1).status == 404
    assert error_of(services.cart_line_remove, cart.id, "nope", device=pos_device).status == 404
    assert services.cart_line_remove(cart.id, line_id, device=pos_device).lines == []


def test_lines_frozen_outside_active(pos_device, americano):
    cart = services.cart_create(store=pos_device.store, device=pos_device)
    cart = services.cart_line_add(cart.id, device=pos_device, product_id=americano.product.pk)
    services.cart_checkout(cart.id, expected_version=cart.version)
    err = error_of(services.cart_line_add, cart.id, device=pos_device, product_id=americano.product.pk)
    assert (err.status, err.code) == (409, "CART_NOT_ACTIVE")
    err = error_of(services.cart_line_remove, cart.id, cart.lines[0]["lineId"], device=pos_device)
    assert err.code == "CART_NOT_ACTIVE"
    back = services.cart_checkout_cancel(cart.id)
    assert back.state == "ACTIVE" and back.lines == cart.lines


def test_checkout_from_the_callers_read(monkeypatch, pos_device, americano):
    # Given a cart the caller has just read
    cart = services.cart_create(store=pos_device.store, device=pos_device)
    cart = services.cart_line_add(cart.id, device=pos_device, product_id=americano.product.pk)
    services.cart_line_add(cart.id, device=pos_device, product_id=americano.product.pk)  # after that read
    fresh = services.cart_get(cart.id, device=pos_device)
    # and a checkout that must not read the cart again
    monkeypatch.setattr(services.cart_store, "load", lambda cart_id: pytest.fail("the cart was read again"))
    # When it checks out from the read taken before a line was added, the compare-and-set refuses it
    err = error_of(services.cart_checkout, cart.id, expected_version=cart.version, read=cart)
    assert (err.status, err.code) == (409, "CART_VERSION_CONFLICT")
    # Then from a fresh read it checks out
    moved = services.cart_checkout(cart.id, expected_version=fresh.version, read=fresh)
    assert (moved.state, moved.version) == ("CHECKOUT", fresh.version + 1)


def test_expected_version_conflict(pos_device, americano):
    cart = services.cart_create(store=pos_device.store, device=pos_device)
    services.cart_line_add(cart.id, device=pos_device, product_id=americano.product.pk)
    err = error_of(
        services.cart_line_add, cart.id, device=pos_device, product_id=americano.product.pk, expected_version=1
    )
    assert (err.status, err.code) == (409, "CART_VERSION_CONFLICT")


def test_abandon_and_paid_are_final(pos_device, americano):
    cart = services.cart_create(store=pos_device.store, device=pos_device)
    assert services.cart_abandon(cart.id, device=pos_device).state == "ABANDONED"
    assert error_of(services.cart_abandon, cart.id, device=pos_device).status == 409
    cart = services.cart_create(store=pos_device.store, device=pos_device)
    cart = services.cart_line_add(cart.id, device=pos_device, product_id=americano.product.pk)
    checkout = services.cart_checkout(cart.id, expected_version=cart.version)
    paid = services.cart_mark_paid(cart.id, expected_version=checkout.version)
    assert (paid.state, paid.lines) == ("PAID", [])
    assert services.cart_mark_paid(cart.id) is None  # idempotent


def test_meta_and_clear(pos_device, americano):
    cart = services.cart_create(store=pos_device.store, device=pos_device)
    cart = services.cart_line_add(cart.id, device=pos_device, product_id=americano.product.pk)
    line_id = cart.lines[0]["lineId"]
    cart = services.cart_update_meta(
        cart.id,
        device=pos_device,
        service_type="DINE_IN",
        manual_discounts=[{"kind": "AMOUNT", "value": 500, "reason": "단골", "line_key": line_id}],
    )
    assert cart.meta["service_type"] == "DINE_IN"
    assert cart_priced(cart).totals["total"] == 4000
    assert error_of(services.cart_update_meta, cart.id, device=pos_device, service_type="TO_GO").status == 422
    bad = [{"kind": "PERCENT", "value": 150}]
    assert error_of(services.cart_update_meta, cart.id, device=pos_device, manual_discounts=bad).status == 422
    assert error_of(services.cart_update_meta, cart.id, device=pos_device, coupon_code="NOPE").status == 422
    # removing the line drops its manual discount too, so the cart still prices
    cart = services.cart_line_remove(cart.id, line_id, device=pos_device)
    assert cart.meta["manual_discounts"] == []
    cart = services.cart_clear(cart.id, device=pos_device)
    assert (cart.lines, cart.meta["service_type"]) == ([], "DINE_IN")


def test_cart_priced_shows_options_and_vat(pos_device, latte, store):
    tea = listed_product(store, "허브티", 3300, tax_type="TAX_FREE")
    cart = services.cart_create(store=store, device=pos_device)
    o = latte.options
    services.cart_line_add(cart.id, device=pos_device, product_id=latte.product.pk, option_ids=[o["L"].pk, o["샷"].pk])
    cart = services.cart_line_add(cart.id, device=pos_device, product_id=tea.product.pk, qty=2)
    priced = cart_priced(cart).as_json()
    first = priced["lines"][0]
    assert first["unitPrice"] == 6000 and first["amount"] == 6000
    assert first["options"] == [
        {"id": o["L"].pk, "name": "L", "price": 500},
        {"id": o["샷"].pk, "name": "샷", "price": 500},
    ]
    assert priced["totals"] == {
        "gross": 12600,
        "discount": 0,
        "total": 12600,
        "supply": 5455,
        "vat": 545,
        "taxFree": 6600,
    }


def test_cart_priced_marks_a_line_that_went_sold_out(pos_device, americano):
    cart = services.cart_create(store=pos_device.store, device=pos_device)
    cart = services.cart_line_add(cart.id, device=pos_device, product_id=americano.product.pk)
    americano.listing.is_sold_out = True
    americano.listing.save()
    priced = cart_priced(cart).as_json()
    assert priced["lines"][0]["available"] is False
    assert priced["lines"][0]["problem"]["code"] == "SOLD_OUT"
    assert priced["totals"]["total"] == 0


@pytest.mark.django_db(transaction=True)
def test_racing_adds_are_all_kept(store, pos_device, americano):
    """Real Redis, real threads: adds from one read race, the CAS retry keeps every one of them."""
    cart = services.cart_create(store=store, device=pos_device)
    results = run_together(
        [lambda: services.cart_line_add(cart.id, device=pos_device, product_id=americano.product.pk) for _ in range(8)]
    )
    errors = [r for r in results if isinstance(r, BaseException)]
    final = services.cart_get(cart.id, device=pos_device)
    # Under heavy contention a few may give up after the bounded retries; none may be lost silently.
    assert final.lines[0]["qty"] + len(errors) == 8
    assert all(getattr(e, "code", "") == "CART_VERSION_CONFLICT" for e in errors)
