"""A ticket bumped to READY is "Completed" (its status, the board's column, the customer's progress
step) while the bump button that puts it there says "Done": the status uses the "status"
translation context of "완료", the button the plain word."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from apps.kitchen.models import TicketStatus
from apps.kitchen.selectors import order_progress
from apps.orders.models import KitchenStatus, Order


def test_a_ready_tickets_status_reads_completed_and_the_bump_button_done():
    # given English
    with translation.override("en"):
        # when the READY status and the bump button are put into words
        status, button = str(TicketStatus.READY.label), gettext("완료")
    # then the status is "Completed" and the button "Done"; Korean keeps "완료" for both
    assert (status, button) == ("Completed", "Done")
    with translation.override("ko"):
        assert (str(TicketStatus.READY.label), gettext("완료")) == ("완료", "완료")


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "last_step"), [("en", "Completed"), ("ko", "완료")])
def test_the_customers_last_progress_step_is_the_completed_status(
    place_and_pay, pos_device, americano, language, last_step
):
    # given a paid order the kitchen has finished
    order = place_and_pay(pos_device, (americano, 1))
    Order.objects.filter(pk=order.pk).update(kitchen_status=KitchenStatus.READY)
    order.refresh_from_db()
    # when its progress is put into words
    with translation.override(language):
        steps = order_progress(order)["steps"]
    # then the last step names the status, not the bump button
    assert (steps[-1]["label"], steps[-1]["state"]) == (last_step, "current")
