"""cart_manual_discount_set / _remove: the counter's manual discount policy (the store's limit and a
manager's approval, one manual discount per target, the reason kept apart from who gave it)."""

import pytest

from apps.carts import services
from apps.carts.selectors import cart_priced, manual_discounts
from apps.core.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def cart(pos_device, americano):
    cart = services.cart_create(store=pos_device.store, device=pos_device)
    return services.cart_line_add(cart.id, device=pos_device, product_id=americano.product.pk, qty=2)


def _set(cart, device, member, **kwargs):
    data = {"kind": "PERCENT", "value": 10, "reason": "단골 손님", **kwargs}
    return services.cart_manual_discount_set(cart.id, device=device, member=member, **data)


def test_within_the_limit_a_cashier_gives_it_and_the_reason_stays_clean(cart, pos_device, cashier):
    # given the store's default limit (10 %), when a cashier gives 10 % on the order
    cart = _set(cart, pos_device, cashier)
    # then it is kept with the cashier apart from the reason, and the order is priced with it
    (entry,) = cart.meta["manual_discounts"]
    assert (entry["kind"], entry["value"], entry["line_key"]) == ("PERCENT", 10, None)
    assert entry["reason"] == "단골 손님" and entry["by"] == cashier.display_name
    assert manual_discounts(cart.meta)[0].reason == "단골 손님"
    assert cart_priced(cart).totals["discount"] == 900  # 10 % of 9,000


def test_above_the_limit_a_cashier_needs_a_managers_pin(cart, pos_device, cashier, manager):
    for pin, code in [("", "MANAGER_PIN_REQUIRED"), ("1234", "MANAGER_REQUIRED")]:
        with pytest.raises(DomainError) as err:
            _set(cart, pos_device, cashier, value=30, manager_pin=pin)
        assert (err.value.status, err.value.code) == (403, code)
    assert services.cart_get(cart.id, device=pos_device).meta["manual_discounts"] == []
    cart = _set(cart, pos_device, cashier, value=30, manager_pin="9999")
    (entry,) = cart.meta["manual_discounts"]
    assert entry["reason"] == "단골 손님"
    assert cashier.display_name in entry["by"] and manager.display_name in entry["by"]


def test_a_manager_approves_their_own_discount_without_a_pin(cart, pos_device, manager):
    cart = _set(cart, pos_device, manager, kind="AMOUNT", value=6000)
    assert cart.meta["manual_discounts"][0]["by"] == manager.display_name


def test_one_manual_discount_per_target_the_new_one_replaces_the_old(cart, pos_device, cashier):
    line_id = cart.lines[0]["lineId"]
    _set(cart, pos_device, cashier, value=5)
    _set(cart, pos_device, cashier, value=5, line_id=line_id, reason="파손")
    cart = _set(cart, pos_device, cashier, value=10)
    assert [(d["line_key"], d["value"]) for d in cart.meta["manual_discounts"]] == [(line_id, 5), (None, 10)]


def test_a_missing_line_is_404_and_nothing_changes(cart, pos_device, cashier):
    with pytest.raises(DomainError) as err:
        _set(cart, pos_device, cashier, line_id="nope")
    assert (err.value.status, err.value.code) == (404, "LINE_NOT_FOUND")
    assert services.cart_get(cart.id, device=pos_device).meta["manual_discounts"] == []


def test_remove_by_index(cart, pos_device, cashier):
    cart = _set(cart, pos_device, cashier)
    cart = services.cart_manual_discount_remove(cart.id, device=pos_device, index=0)
    assert cart.meta["manual_discounts"] == []
    with pytest.raises(DomainError) as err:
        services.cart_manual_discount_remove(cart.id, device=pos_device, index=0)
    assert err.value.code == "DISCOUNT_NOT_FOUND"


def test_who_gave_and_approved_it_is_kept_in_the_orders_history(cart, pos_device, cashier, manager):
    from apps.orders import services as order_services

    _set(cart, pos_device, cashier, value=30, manager_pin="9999")
    order, _ = order_services.order_place(cart.id, device=pos_device)
    note = order.events.get().note
    assert cashier.display_name in note and manager.display_name in note
    # while the discount the receipt prints carries only the reason
    assert [d["reason"] for d in order.lines.get().discounts] == ["단골 손님"]
