"""The POS hand-over list and the kiosk receipt's live kitchen status."""

import pytest
from django.urls import reverse

from apps.kitchen import services
from apps.kitchen.models import Ticket
from tests.pos.conftest import login

pytestmark = pytest.mark.django_db


def test_pos_lists_ready_orders_and_marks_them_picked_up(
    client, store, pos_device, cashier, kitchen, americano, place_and_pay
):
    pos = login(client, pos_device, "1234")
    ready = place_and_pay(pos_device, (americano, 1))
    cooking = place_and_pay(pos_device, (americano, 1))
    services.ticket_bump(store, Ticket.objects.get(order=ready).pk)
    page = pos.get(reverse("pos:ready"))
    assert page.status_code == 200
    assert [o.pk for o in page.context["ready_orders"]] == [ready.pk]
    assert f"ready-order-{cooking.order_number}" not in page.content.decode()
    response = pos.post(reverse("pos:hand_over", args=[ready.public_id]))
    assert response.status_code == 302
    ready.refresh_from_db()
    assert ready.kitchen_status == "DONE"
    assert pos.get(reverse("pos:ready")).context["ready_orders"] == []
    # an order still cooking cannot be handed over; an unknown id is a 404
    assert pos.post(reverse("pos:hand_over", args=[cooking.public_id])).status_code == 409
    assert pos.post(reverse("pos:hand_over", args=["ord_unknown"])).status_code == 404


def test_kiosk_receipt_shows_the_kitchen_status(client, store, kiosk_device, kitchen, americano, place_and_pay):
    order = place_and_pay(kiosk_device, (americano, 1))
    url = reverse("kiosk:receipt", args=[store.pk, order.public_id])
    body = client.get(url).content.decode()
    assert 'data-testid="order-progress"' in body and "접수" in body and "준비되었습니다" not in body
    services.ticket_bump(store, Ticket.objects.get(order=order).pk)
    assert "주문하신 메뉴가 준비되었습니다." in client.get(url).content.decode()
