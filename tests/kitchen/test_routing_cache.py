"""Issue 18: a paid order's lines reach their stations without reading categories or the kitchen's
settings while nothing changed — and a change of either is seen by the very next order."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import Category
from apps.kitchen.models import Ticket
from apps.orders import services as order_services

pytestmark = pytest.mark.django_db


def _stations(order) -> list[str]:
    return sorted(Ticket.objects.filter(order=order).values_list("station__name", flat=True))


def _sql(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries]


def test_category_routes_are_cached_and_a_category_change_is_seen_at_once(
    store, pos_device, kitchen, bar, drinks_category, americano, bagel, place_and_pay
):
    # given a worker that has routed a coffee (음료 → bar) and a bagel (no station → kitchen)
    assert _stations(place_and_pay(pos_device, (americano, 1), (bagel, 1))) == ["음료", "주방"]
    # when the next order of the same products is placed and paid
    with CaptureQueriesContext(connection) as queries:
        order = place_and_pay(pos_device, (americano, 1), (bagel, 1))
    # then it is routed the same way without reading a category
    assert _stations(order) == ["음료", "주방"]
    assert not [q for q in _sql(queries) if "catalog_category" in q or "catalog_product_categories" in q]
    # when the owner files the bagel under a new category "빵", then puts "빵" under 음료
    bread = Category.objects.create(owner=store.owner, name="빵")
    bagel.product.categories.add(bread)
    assert _stations(place_and_pay(pos_device, (bagel, 1))) == ["주방"]
    bread.parent = drinks_category
    bread.save()
    # then the next paid bagel goes to the bar at once
    assert _stations(place_and_pay(pos_device, (bagel, 1))) == ["음료"]
    # and when the coffee leaves 음료, it goes back to the default station at once
    americano.product.categories.remove(drinks_category)
    assert _stations(place_and_pay(pos_device, (americano, 1))) == ["주방"]


def test_make_before_payment_is_read_from_the_cache_and_a_switch_is_seen_at_once(
    pos_device, kitchen, americano, cart_with, kitchen_settings
):
    # given a worker that has placed an order already
    order_services.order_place(cart_with(pos_device, (americano, 1)), device=pos_device)
    cart_id = cart_with(pos_device, (americano, 1))
    # when it places the next one, the kitchen's settings are not read
    with CaptureQueriesContext(connection) as queries:
        order, _ = order_services.order_place(cart_id, device=pos_device)
    assert not [q for q in _sql(queries) if "kitchen_kitchensettings" in q]
    assert not Ticket.objects.filter(order=order).exists()
    # when the owner switches "make before payment" on for the POS, the next placement makes its ticket
    kitchen_settings.make_before_payment_pos = True
    kitchen_settings.save()
    second, _ = order_services.order_place(cart_with(pos_device, (americano, 1)), device=pos_device)
    assert Ticket.objects.filter(order=second).count() == 1
    # and switched off again, the next one waits for its payment
    kitchen_settings.make_before_payment_pos = False
    kitchen_settings.save()
    third, _ = order_services.order_place(cart_with(pos_device, (americano, 1)), device=pos_device)
    assert not Ticket.objects.filter(order=third).exists()
