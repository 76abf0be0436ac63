"""Stock: reserve / release / adjust with the ledger; never below zero; the PostgreSQL race."""

import random
import threading

import pytest
from django.db import connection
from django.db.models import Sum

from apps.core.errors import DomainError
from apps.inventory import selectors, services
from apps.inventory.models import StockMovement, StoreProduct
from tests.factories import StoreFactory
from tests.inventory.factories import StoreProductFactory


def _tracked(store, qty, **kwargs):
    return StoreProductFactory(store=store, track_stock=True, stock_quantity=qty, **kwargs)


@pytest.mark.django_db
def test_reserve_takes_stock_and_writes_ledger(store, cashier):
    croissant = _tracked(store, 10)
    latte = StoreProductFactory(store=store)  # untracked: skipped
    moves = services.stock_reserve(
        store, [(croissant.pk, 2), (latte.pk, 5), (croissant.pk, 1)], reference="A-0001", member=cashier
    )
    croissant.refresh_from_db()
    assert croissant.stock_quantity == 7
    assert [(m.reason, m.quantity, m.quantity_after, m.reference) for m in moves] == [("SALE", -3, 7, "A-0001")]
    assert moves[0].member == cashier
    assert not StockMovement.objects.filter(store_product=latte).exists()


@pytest.mark.django_db
def test_reserve_is_all_or_nothing_and_names_every_short_product(store):
    scone = _tracked(store, 1)
    muffin = _tracked(store, 0)
    cookie = _tracked(store, 5)
    with pytest.raises(DomainError) as excinfo:
        services.stock_reserve(store, [(cookie.pk, 2), (scone.pk, 2), (muffin.pk, 1)])
    err = excinfo.value
    assert (err.code, err.status) == ("OUT_OF_STOCK", 409)
    short = {p["productId"]: p["available"] for p in err.details["products"]}
    assert short == {scone.product_id: 1, muffin.product_id: 0}
    assert scone.product.name in err.message and muffin.product.name in err.message
    cookie.refresh_from_db()
    assert cookie.stock_quantity == 5
    assert not StockMovement.objects.exists()


@pytest.mark.django_db
def test_reserve_rejects_bad_quantities_and_foreign_listings(store):
    mine = _tracked(store, 3)
    foreign = _tracked(StoreFactory(), 3)
    for items in ([(mine.pk, 0)], [(mine.pk, -1)], [(mine.pk, 1.5)], [(mine.pk, True)], ["junk"]):
        with pytest.raises(DomainError) as excinfo:
            services.stock_reserve(store, items)
        assert excinfo.value.status == 422
    with pytest.raises(DomainError) as excinfo:
        services.stock_reserve(store, [(foreign.pk, 1)])
    assert excinfo.value.status == 404
    foreign.refresh_from_db()
    assert foreign.stock_quantity == 3


@pytest.mark.django_db
def test_stock_zero_makes_product_unavailable_until_received(store, owner):
    # given a tracked bakery item with one left
    bagel = _tracked(store, 1)
    assert selectors.sellable_listings(store, [bagel.product_id])[bagel.product_id].available
    version_before = selectors.menu_version(store)
    # when the last one is sold
    services.stock_reserve(store, [(bagel.pk, 1)], reference="A-1")
    # then it shows as out of stock and the menu version changed
    listing = selectors.sellable_listings(store, [bagel.product_id])[bagel.product_id]
    assert (listing.available, listing.unavailable_reason, listing.stock) == (False, "OUT_OF_STOCK", 0)
    assert selectors.menu_version(store) != version_before
    # when stock is received it comes back
    services.stock_adjust(bagel, 6, reason="RECEIVE", note="아침 입고", user=owner)
    listing = selectors.sellable_listings(store, [bagel.product_id])[bagel.product_id]
    assert (listing.available, listing.stock) == (True, 6)
    movement = StockMovement.objects.filter(reason="RECEIVE").get()
    assert (movement.quantity, movement.quantity_after, movement.created_by) == (6, 6, owner)


@pytest.mark.django_db
def test_release_puts_stock_back_for_cancel_and_refund(store):
    tart = _tracked(store, 4)
    services.stock_reserve(store, [(tart.pk, 3)], reference="A-7")
    services.stock_release(store, [(tart.pk, 2)], reason="CANCEL", reference="A-7")
    services.stock_release(store, [(tart.pk, 1)], reason="REFUND", reference="A-7")
    tart.refresh_from_db()
    assert tart.stock_quantity == 4
    assert list(StockMovement.objects.order_by("id").values_list("reason", "quantity", "quantity_after")) == [
        ("SALE", -3, 1),
        ("CANCEL", 2, 3),
        ("REFUND", 1, 4),
    ]
    with pytest.raises(DomainError):
        services.stock_release(store, [(tart.pk, 1)], reason="ADJUST")


@pytest.mark.django_db
def test_adjust_never_goes_below_zero(store, owner):
    tart = _tracked(store, 2)
    with pytest.raises(DomainError) as excinfo:
        services.stock_adjust(tart, -3, note="파손", user=owner)
    assert excinfo.value.code == "STOCK_NEGATIVE"
    with pytest.raises(DomainError):
        services.stock_adjust(tart, -1, reason="RECEIVE")
    services.stock_adjust(tart, -2, note="파손", user=owner)
    tart.refresh_from_db()
    assert tart.stock_quantity == 0
    services.stock_set(tart, 9, note="재고 조사", user=owner)
    tart.refresh_from_db()
    assert tart.stock_quantity == 9
    assert StockMovement.objects.filter(store_product=tart).aggregate(s=Sum("quantity"))["s"] == 7


# --- the race --------------------------------------------------------------------------------


def _race(store, orders):
    """Run each order in its own thread, all released together; returns (successes, errors)."""
    barrier = threading.Barrier(len(orders))
    results: list = [None] * len(orders)

    def worker(index, items):
        try:
            barrier.wait(timeout=30)
            services.stock_reserve(store, items, reference=f"T-{index}")
            results[index] = ("ok", items)
        except DomainError as err:
            results[index] = (err.code, items)
        except Exception as err:  # a deadlock or anything else fails the test below
            results[index] = (repr(err), items)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, items)) for i, items in enumerate(orders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a reservation hung (deadlock?)"
    return results


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_twenty_threads_race_for_the_last_five_units():
    # given the last 5 croissants and the last 5 cookies, plus an untracked coffee
    store = StoreFactory()
    croissant = _tracked(store, 5)
    cookie = _tracked(store, 5)
    coffee = StoreProductFactory(store=store)
    rng = random.Random(1234)
    orders = []
    for _ in range(20):
        # mixed multi-product orders listing the products in different orders, so a naive
        # lock-as-you-go would deadlock
        items = [(croissant.pk, 1), (cookie.pk, 1), (coffee.pk, rng.randint(1, 3))]
        rng.shuffle(items)
        orders.append(items)
    # when 20 threads reserve at once
    results = _race(store, orders)
    # then exactly the 5 that existed are sold, the rest are refused, nobody deadlocked
    outcomes = [code for code, _items in results]
    assert set(outcomes) <= {"ok", "OUT_OF_STOCK"}, outcomes
    assert outcomes.count("ok") == 5
    for listing in (croissant, cookie):
        listing.refresh_from_db()
        assert listing.stock_quantity == 0
        ledger = list(StockMovement.objects.filter(store_product=listing).order_by("id"))
        assert len(ledger) == 5
        assert sum(m.quantity for m in ledger) == -5
        assert sorted(m.quantity_after for m in ledger) == [0, 1, 2, 3, 4]
    assert not StockMovement.objects.filter(store_product=coffee).exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_race_with_mixed_quantities_never_oversells():
    store = StoreFactory()
    a, b, c = _tracked(store, 5), _tracked(store, 5), _tracked(store, 3)
    rng = random.Random(99)
    orders = []
    for _ in range(20):
        items = [(sp.pk, rng.randint(1, 2)) for sp in rng.sample([a, b, c], rng.randint(1, 3))]
        orders.append(items)
    results = _race(store, orders)
    assert {code for code, _items in results} <= {"ok", "OUT_OF_STOCK"}
    sold: dict[int, int] = {a.pk: 0, b.pk: 0, c.pk: 0}
    for code, items in results:
        if code == "ok":
            for pk, qty in items:
                sold[pk] += qty
    for listing, initial in ((a, 5), (b, 5), (c, 3)):
        listing.refresh_from_db()
        assert listing.stock_quantity >= 0
        assert listing.stock_quantity == initial - sold[listing.pk]
        ledger_total = StockMovement.objects.filter(store_product=listing).aggregate(s=Sum("quantity"))["s"] or 0
        assert ledger_total == -sold[listing.pk]
    assert StoreProduct.objects.filter(stock_quantity__lt=0).count() == 0
