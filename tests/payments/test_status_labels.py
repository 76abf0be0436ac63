"""Payment, refund and cash receipt status labels that share their Korean word with a button carry
the "status" translation context: in English the status is an adjective ("Canceled", "Completed",
"Issued") and the button a verb ("Cancel", "Done", "Issue"); Korean is the same word for both."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from apps.payments.models import CashReceipt, PaymentStatus, Refund


@pytest.mark.parametrize(
    ("label", "korean", "english_status", "english_button"),
    [
        (PaymentStatus.CANCELED.label, "취소", "Canceled", "Cancel"),
        (CashReceipt.Status.CANCELED.label, "취소", "Canceled", "Cancel"),
        (PaymentStatus.DONE.label, "완료", "Completed", "Done"),
        (Refund.Status.DONE.label, "완료", "Completed", "Done"),
        (CashReceipt.Status.ISSUED.label, "발급", "Issued", "Issue"),
    ],
)
def test_a_status_label_and_the_button_with_the_same_korean_word_part_in_english(
    label, korean, english_status, english_button
):
    # given a status whose Korean label is also a button's text
    # when both are put into words, in English and in Korean
    with translation.override("en"):
        english = (str(label), gettext(korean))
    with translation.override("ko"):
        korean_texts = (str(label), gettext(korean))
    # then English tells the state from the action, and Korean keeps the one word
    assert english == (english_status, english_button)
    assert korean_texts == (korean, korean)
