"""Ordering from a guest's phone (QR 테이블오더): who a phone is, and the rules a round from it
must pass before it goes through the same `orders.tabs.table_round_send` the table tablet uses.

A phone is not a paired Device: it has no token, only a browser session. Toward carts and staff
calls it acts as a `PhoneGuest` of its table, whose negative id can never collide with a real
device's. Each phone keeps its own cart id in its own session, so the phones at one table never
see or change each other's carts; a cart id is an unguessable uuid, and carts still check that the
cart belongs to this table's guest identity and store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from apps.carts import selectors as cart_selectors
from apps.carts import services as cart_services
from apps.carts.cart import CartChannel, CartState
from apps.core.errors import DomainError, NotFound
from apps.core.redis import get_redis
from apps.orders import tabs as tab_services
from apps.payments.models import Shift
from apps.stores import staff_calls
from apps.stores.models import Device, Store
from apps.tables import pending as pending_rounds
from apps.tables import selectors as table_selectors
from apps.tables.models import Table

# signing.dumps output: base64url, ':' separators and a leading '.' when compressed.
_TOKEN = re.compile(r"[A-Za-z0-9_\-:.]{10,300}")
_CART_SESSION_KEY = "qr_cart:{table_id}"
_ROUND_LIMIT_KEY = "tableorder:phone-round:{store_id}:{session}"
DEFAULT_ROUND_INTERVAL_SECONDS = 20
ROUND_MEMO = "QR"


class CallKind:
    STAFF = "staff"
    BILL = "bill"

    ALL = (STAFF, BILL)


@dataclass(frozen=True)
class PhoneGuest:
    """The identity a phone at `table` uses for carts and staff calls (duck-typed like a Device:
    `pk`, `store`, `store_id`, `kind`, `name`)."""

    pk: int
    store: Store
    name: str
    kind: str = Device.Kind.TABLE

    @property
    def store_id(self) -> int:
        return self.store.pk


def _table_label(table: Table) -> str:
    return f"{table.area.name} {table.name}" if table.area_id else table.name


def phone_guest(table: Table) -> PhoneGuest:
    name = _("%(table)s 휴대폰 주문") % {"table": _table_label(table)}
    return PhoneGuest(pk=-2 * table.pk, store=table.store, name=name)


def _not_found() -> NotFound:
    return NotFound("TABLE_NOT_FOUND", _("테이블을 찾을 수 없습니다."))


def table_for_phone(token: str) -> Table:
    """The table of a phone's URL token: 404 for anything forged or altered, 410 for a token of
    an earlier generation (the tab it was handed out for has been paid)."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise _not_found()
    return table_selectors.table_for_token(token)


def table_for_printed_code(token: str) -> Table:
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise _not_found()
    return table_selectors.table_for_sticker(token)


def ordering_closed_reason(table: Table) -> str:
    """Why this table cannot order from a phone right now ("" when it can)."""
    if not table.is_active:
        return _("지금은 이 테이블에서 주문할 수 없습니다. 직원에게 문의해 주세요.")
    if not table_selectors.table_order_settings(table.store).qr_ordering:
        return _("이 매장은 휴대폰 주문을 받지 않습니다. 직원에게 주문해 주세요.")
    if not Shift.objects.filter(store=table.store, status=Shift.Status.OPEN).exists():
        return _("지금은 영업 시간이 아니라 주문할 수 없습니다.")
    return ""


# --- the phone's own cart ----------------------------------------------------------------------


def phone_cart(request, table: Table, *, create: bool = True):
    """This phone's cart at this table (kept in the phone's session), a new one when it expired."""
    guest = phone_guest(table)
    key = _CART_SESSION_KEY.format(table_id=table.pk)
    cart_id = request.session.get(key)
    if isinstance(cart_id, str):
        try:
            cart = cart_services.cart_get(cart_id, device=guest)
            if cart.state == CartState.ACTIVE:
                return cart
        except DomainError:
            pass
    if not create:
        return None
    cart = cart_services.cart_create(store=table.store, device=guest, channel=CartChannel.TABLE)
    request.session[key] = cart.id
    return cart


def phone_cart_any_state(request, table: Table):
    """This phone's cart at this table in whatever state (a basket in checkout is being paid for
    first), or None when it has none."""
    cart_id = request.session.get(_CART_SESSION_KEY.format(table_id=table.pk))
    if not isinstance(cart_id, str):
        return None
    try:
        return cart_services.cart_get(cart_id, device=phone_guest(table))
    except DomainError:
        return None


# --- limits ------------------------------------------------------------------------------------


def round_interval_seconds() -> int:
    return int(getattr(settings, "TABLEORDER_PHONE_ROUND_INTERVAL_SECONDS", DEFAULT_ROUND_INTERVAL_SECONDS))


def _session_key(request) -> str:
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


def round_limit_take(request, table: Table) -> str:
    """Take this phone's slot for a round (one per interval); 429 with the seconds left when taken.
    Returns the Redis key so a round that fails can give the slot back."""
    key = _ROUND_LIMIT_KEY.format(store_id=table.store_id, session=_session_key(request))
    interval = round_interval_seconds()
    if interval <= 0:
        return key  # the limit is switched off
    redis = get_redis()
    if not redis.set(key, "1", nx=True, ex=interval):
        left = max(int(redis.ttl(key) or 0), 1)
        raise DomainError(
            "ROUND_RATE_LIMITED",
            _("주문은 %(interval)d초에 한 번 보낼 수 있습니다. %(left)d초 뒤에 다시 눌러 주세요.")
            % {"interval": interval, "left": left},
            status=429,
        )
    return key


def round_limit_release(key: str) -> None:
    get_redis().delete(key)


def check_round_size(table: Table, lines: list[dict]) -> None:
    """The owner's maximum number of items in one round from a phone."""
    maximum = table_selectors.table_order_settings(table.store).max_items_per_round
    total = sum(int(line.get("qty") or 0) for line in lines)
    if total > maximum:
        raise DomainError(
            "ROUND_TOO_LARGE",
            _("한 번에 %(max)d개까지 주문할 수 있습니다. 지금 %(n)d개를 담았으니 나눠서 주문해 주세요.")
            % {"max": maximum, "n": total},
            status=422,
        )


# --- the round ---------------------------------------------------------------------------------


def phone_round_send(request, table: Table, *, guests: int | None) -> PhoneSent:
    """Send this phone's cart as the next round of the table's tab (opening the tab when the
    table has none), through the tablet's service; the cart is emptied once the round is in. When
    the store wants staff to confirm a new tab's first round, the round waits for them instead."""
    reason = ordering_closed_reason(table)
    if reason:
        raise DomainError("ORDERING_CLOSED", reason, status=409)
    cart = phone_cart(request, table)
    if not cart.lines:
        raise DomainError("BASKET_EMPTY", _("주문할 메뉴를 먼저 담아 주세요."), status=422)
    check_round_size(table, cart.lines)
    items = [
        {
            "productId": line["productId"],
            "qty": line["qty"],
            "optionIds": line.get("optionIds") or [],
            "note": line.get("note") or "",
        }
        for line in cart.lines
    ]
    slot = round_limit_take(request, table)
    try:
        if _needs_confirmation(table):
            sent = PhoneSent(pending=_hold_for_staff(request, table, cart, items, guests))
        else:
            round_ = tab_services.table_round_send(
                table, items, guests=guests, memo=ROUND_MEMO, channel=CartChannel.TABLE
            )
            sent = PhoneSent(round_number=round_.number)
    except DomainError:
        # Nothing was sent (sold out, bill being taken): the guest may fix it and try again now.
        round_limit_release(slot)
        raise
    cart_services.cart_clear(cart.id, device=phone_guest(table))
    return sent


@dataclass(frozen=True)
class PhoneSent:
    """What "주문하기" did: a round on the tab, or a first round now waiting for staff."""

    round_number: int | None = None
    pending: dict | None = None


def _hold_for_staff(request, table: Table, cart, items: list[dict], guests: int | None) -> dict:
    priced = cart_selectors.cart_priced(cart, store=table.store)
    if any(not line.available for line in priced.lines):
        message = _("장바구니에 지금 주문할 수 없는 메뉴가 있습니다. 빼고 다시 주문해 주세요.")
        raise DomainError("SOLD_OUT", message, status=409)
    lines = [
        {"name": line.name, "options": [o.get("name", "") for o in line.options], "qty": line.qty, "net": line.net}
        for line in priced.lines
    ]
    total = priced.totals.get("total", 0)
    return pending_rounds.pending_round_create(
        table, items=items, guests=guests, lines=lines, total=total, phone=phone_tag(request)
    )


def _needs_confirmation(table: Table) -> bool:
    """The owner wants staff to confirm a phone's first round of a new tab (a photo of the sticker
    must not start a tab on its own); once staff let a tab open, its rounds go straight in."""
    if not table_selectors.table_order_settings(table.store).confirm_first_round:
        return False
    return tab_services.tab_for_table(table) is None


def phone_tag(request) -> str:
    return pending_rounds.phone_tag(_session_key(request))


def pending_for_phone(request, table: Table) -> list[dict]:
    """This phone's rounds at this table still waiting for staff."""
    if not request.session.session_key:
        return []
    tag = phone_tag(request)
    return [p for p in pending_rounds.pending_rounds_for_table(table) if p.get("phone") == tag]


def phone_call(table: Table, kind: str) -> dict:
    """ "Call staff" or "request the bill" from a phone: the POS shows it within its 2 s poll. One
    pending call of each kind per table (five taps are one waiting guest)."""
    if kind not in CallKind.ALL:
        raise NotFound("CALL_NOT_FOUND", _("알 수 없는 요청입니다."))
    label = _table_label(table)
    if kind == CallKind.BILL:
        caller = PhoneGuest(pk=-2 * table.pk - 1, store=table.store, name=_("%(table)s 계산 요청") % {"table": label})
    else:
        caller = PhoneGuest(pk=-2 * table.pk, store=table.store, name=_("%(table)s 직원 호출") % {"table": label})
    return staff_calls.staff_call_create(table.store, caller)
