"""The kitchen display, the board and the receipt's progress through the test client."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.kitchen.models import StationScreen, Ticket
from tests.factories import DeviceFactory, StoreFactory, device_client

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def kds(client, store):
    return device_client(client, DeviceFactory(store=store, kind="KITCHEN"))


@pytest.fixture
def bar_kds(kds, bar):
    kds.post(reverse("kitchen:station_pick"), {"station": bar.pk})
    return kds


@pytest.fixture
def tv(store):
    return device_client(Client(), DeviceFactory(store=store, kind="BOARD"))


def test_a_kitchen_display_picks_its_station_then_shows_its_tickets(
    kds, store, pos_device, kitchen, bar, americano, bagel, place_and_pay
):
    # given a display with no station yet: it offers the stations
    page = kds.get(reverse("kitchen:display"))
    assert (
        page.status_code == 200
        and "음료" in page.content.decode()
        and "kitchen/pick.html" in [t.name for t in page.templates]
    )
    # when it picks 음료 and an order is paid
    assert kds.post(reverse("kitchen:station_pick"), {"station": bar.pk}).status_code == 302
    order = place_and_pay(pos_device, (americano, 1), (bagel, 1))
    body = kds.get(reverse("kitchen:display")).content.decode()
    # then only the bar's line is on it
    assert f"#{order.order_number}" in body and "아메리카노" in body and "베이글" not in body


def test_another_stores_station_cannot_be_picked(kds):
    other = StoreFactory()
    from apps.kitchen.services import station_default

    station = station_default(other)
    assert kds.post(reverse("kitchen:station_pick"), {"station": station.pk}).status_code == 404
    assert not StationScreen.objects.exists()


def test_feed_is_204_until_the_version_changes(
    bar_kds, pos_device, americano, place_and_pay, kitchen, django_capture_on_commit_callbacks
):
    first = bar_kds.get(reverse("kitchen:feed"), {"v": ""}, **HTMX)
    version = first.context["version"]
    assert bar_kds.get(reverse("kitchen:feed"), {"v": version}, **HTMX).status_code == 204
    with django_capture_on_commit_callbacks(execute=True):  # the version moves after the commit
        place_and_pay(pos_device, (americano, 1))
    changed = bar_kds.get(reverse("kitchen:feed"), {"v": version}, **HTMX)
    assert changed.status_code == 200 and "아메리카노" in changed.content.decode()


def test_bump_undo_and_recall_through_the_display(bar_kds, store, pos_device, americano, place_and_pay, kitchen):
    order = place_and_pay(pos_device, (americano, 1))
    ticket = Ticket.objects.get(order=order)
    response = bar_kds.post(reverse("kitchen:bump", args=[ticket.pk]), **HTMX)
    assert response.status_code == 200 and f"undo-{ticket.pk}" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "READY"
    assert bar_kds.post(reverse("kitchen:undo", args=[ticket.pk])).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "NEW"
    bar_kds.post(reverse("kitchen:bump", args=[ticket.pk]))
    recall = bar_kds.get(reverse("kitchen:recall", args=[ticket.pk]))
    assert recall.status_code == 200 and "아메리카노" in recall.content.decode()


def test_another_stores_ticket_is_a_404_on_the_display(bar_kds, americano, place_and_pay, kitchen):
    other = StoreFactory()
    from tests.carts.factories import listed_product
    from tests.payments.factories import make_method

    other_device = DeviceFactory(store=other, kind="POS")
    menu = listed_product(other, "라떼", 5000)
    from apps.carts import services as cart_services
    from apps.orders import services as order_services
    from apps.payments import services as payment_services

    cart = cart_services.cart_create(store=other, device=other_device)
    cart_services.cart_line_add(cart.id, device=other_device, product_id=menu.product.pk, qty=1)
    order, _ = order_services.order_place(cart.id, device=other_device)
    payment_services.payment_create(order, make_method(other, "CASH"))
    ticket = Ticket.objects.get(order=order)
    for name in ("kitchen:bump", "kitchen:undo"):
        assert bar_kds.post(reverse(name, args=[ticket.pk])).status_code == 404
    assert bar_kds.get(reverse("kitchen:recall", args=[ticket.pk])).status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).status == "NEW"


def test_illegal_undo_is_a_409_partial(bar_kds, pos_device, americano, place_and_pay, kitchen):
    order = place_and_pay(pos_device, (americano, 1))
    ticket = Ticket.objects.get(order=order)
    response = bar_kds.post(reverse("kitchen:undo", args=[ticket.pk]), **HTMX)
    assert response.status_code == 409 and "되돌릴" in response.content.decode()


def test_the_board_shows_numbers_under_preparing_and_ready(tv, store, pos_device, americano, place_and_pay, kitchen):
    from apps.kitchen import services

    one = place_and_pay(pos_device, (americano, 1))
    two = place_and_pay(pos_device, (americano, 1))
    services.ticket_bump(store, Ticket.objects.get(order=one).pk)
    response = tv.get(reverse("kitchen:board"))
    assert response.status_code == 200
    board = response.context["board"]
    assert board.preparing == [two.order_number] and board.ready == [one.order_number]
    version = response.context["version"]
    assert tv.get(reverse("kitchen:board_feed"), {"v": version}).status_code == 204


def test_pages_need_the_right_device(client, store, pos_device):
    device_client(client, pos_device)
    assert client.get(reverse("kitchen:display")).status_code == 302
    assert client.get(reverse("kitchen:board")).status_code == 302


def test_receipt_progress_is_public_by_public_id(client, store, pos_device, americano, place_and_pay, kitchen):
    from apps.kitchen import services

    order = place_and_pay(pos_device, (americano, 1))
    url = reverse("kitchen:progress", args=[store.pk, order.public_id])
    body = client.get(url).content.decode()
    assert "step-current" in body and "준비되었습니다" not in body
    services.ticket_bump(store, Ticket.objects.get(order=order).pk)
    assert "주문하신 메뉴가 준비되었습니다." in client.get(url).content.decode()
    assert client.get(reverse("kitchen:progress", args=[store.pk, "ord_nope"])).status_code == 404
    assert client.get(reverse("kitchen:progress", args=[StoreFactory().pk, order.public_id])).status_code == 404


def test_hostile_parameters_are_4xx_never_5xx(bar_kds, tv, pos_device, americano, place_and_pay, kitchen):
    order = place_and_pay(pos_device, (americano, 1))
    ticket = Ticket.objects.get(order=order)
    assert bar_kds.get(reverse("kitchen:feed"), {"v": "1\x00"}).status_code == 400
    assert bar_kds.get(reverse("kitchen:feed"), {"v": "9" * 500}).status_code == 400
    # invalid UTF-8 arrives as U+FFFD (Django's decoding): just another unknown version, redrawn
    assert tv.get(reverse("kitchen:board_feed"), {"v": "\ud800".encode("utf-8", "surrogatepass")}).status_code == 200
    assert tv.get(reverse("kitchen:board_feed"), {"v": "1-0\x00"}).status_code == 400
    assert bar_kds.post(reverse("kitchen:bump", args=[ticket.pk]), {"line": "²"}).status_code == 422
    assert bar_kds.post(reverse("kitchen:bump", args=[ticket.pk]), {"line": "1e9"}).status_code == 422
    assert bar_kds.post(f"/kitchen/tickets/{'9' * 5000}/bump/").status_code == 404
    assert bar_kds.post(reverse("kitchen:station_pick"), {"station": "-1"}).status_code == 422
    assert Ticket.objects.get(pk=ticket.pk).status == "NEW"


def test_the_station_picker_reopens_on_pick_and_refuses_odd_values(bar_kds, kitchen):
    assert "kitchen/pick.html" in [t.name for t in bar_kds.get(reverse("kitchen:display"), {"pick": "1"}).templates]
    assert "kitchen/display.html" in [t.name for t in bar_kds.get(reverse("kitchen:display")).templates]
    assert bar_kds.get(reverse("kitchen:display"), {"pick": "¹"}).status_code == 400
