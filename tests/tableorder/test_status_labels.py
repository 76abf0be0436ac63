"""A pay-first round that landed on the tab is "Order received" in English, not "Accept" (the POS
button that confirms a phone round, which shares the Korean "주문 접수")."""

from django.utils import translation
from django.utils.translation import gettext

from apps.tableorder.models import PrepaidRoundStatus


def test_a_landed_rounds_status_reads_order_received_and_the_confirm_button_accept():
    # given English
    with translation.override("en"):
        # when the LANDED status and the confirm button are put into words
        status, button = str(PrepaidRoundStatus.LANDED.label), gettext("주문 접수")
    # then the status says what happened and the button what to do; Korean keeps one word
    assert (status, button) == ("Order received", "Accept")
    with translation.override("ko"):
        assert (str(PrepaidRoundStatus.LANDED.label), gettext("주문 접수")) == ("주문 접수", "주문 접수")
