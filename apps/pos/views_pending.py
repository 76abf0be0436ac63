"""First rounds from guests' phones waiting for staff (the store's "confirm a new tab's first round"
setting): the floor lists them; confirming sends the round through orders.tabs.table_round_send
(opening the tab), rejecting drops it. Nothing was priced or reserved before, so a rejected round
leaves no trace in orders or stock.
"""

from __future__ import annotations

from django.contrib import messages
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.carts.cart import CartChannel
from apps.core.errors import DomainError, NotFound
from apps.core.fields import path_token
from apps.orders import tabs as tab_services
from apps.tables import pending as pending_rounds
from apps.tables import selectors as table_selectors

from .auth import staff_required
from .helpers import domain_errors, redirect_after_post

# The memo phone rounds carry (apps/tableorder/phone.py ROUND_MEMO), so the floor tells them apart.
PHONE_ROUND_MEMO = "QR"


def _take(request, pending_id: str) -> dict:
    pending_id = path_token(pending_id, code="PENDING_NOT_FOUND")
    pending = pending_rounds.pending_round_take(request.device.store, pending_id)
    if pending is None:
        raise NotFound("PENDING_NOT_FOUND", _("이미 처리되었거나 시간이 지난 주문입니다."))
    return pending


@require_POST
@staff_required
@domain_errors
def pending_confirm(request, pending_id: str):
    pending = _take(request, pending_id)
    try:
        table = table_selectors.table_for_store(request.device.store, pending["table_id"])
        round_ = tab_services.table_round_send(
            table,
            pending["items"],
            guests=pending.get("guests"),
            member=request.member,
            memo=PHONE_ROUND_MEMO,
            channel=CartChannel.TABLE,
        )
    except DomainError:
        # Sold out meanwhile, or the table is being paid: it waits again for another decision.
        pending_rounds.pending_round_put_back(pending)
        raise
    messages.success(request, _("%(table)s %(n)d차 주문을 접수했습니다.") % {"table": table, "n": round_.number})
    return redirect_after_post(request, reverse("pos:tables"))


@require_POST
@staff_required
@domain_errors
def pending_reject(request, pending_id: str):
    pending = _take(request, pending_id)
    messages.success(request, _("%(table)s의 휴대폰 주문을 받지 않았습니다.") % {"table": pending.get("table", "")})
    return redirect_after_post(request, reverse("pos:tables"))
