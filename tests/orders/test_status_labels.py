"""An order's status label is its own word, not the button's: "취소" the status is "Canceled" in
English while "취소" the button stays "Cancel" (the status carries the "status" translation context);
Korean reads "취소" for both."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from apps.orders.models import OrderStatus


def test_a_cancelled_orders_status_reads_cancelled_and_the_cancel_button_cancel():
    # given English
    with translation.override("en"):
        # when the cancelled status and the Cancel button are each put into words
        status, button = str(OrderStatus.CANCELED.label), gettext("취소")
    # then the status is an adjective and the button a verb
    assert (status, button) == ("Canceled", "Cancel")


@pytest.mark.parametrize("language", ["ko", None])
def test_in_korean_the_cancelled_status_and_the_button_both_read_chwiso(language):
    # given Korean, the default language (or no active translation at all, as in migrations)
    with translation.override(language):
        # when the same two are put into words
        status, button = str(OrderStatus.CANCELED.label), gettext("취소")
    # then both keep the Korean text
    assert (status, button) == ("취소", "취소")
