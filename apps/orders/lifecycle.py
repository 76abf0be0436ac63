"""The order state machines, in one place (DESIGN.md "Order").

`move()` is the only code that writes `Order.status`: it locks the row (select_for_update), checks
the table and writes the move and its OrderEvent together. Kitchen progress is a separate machine.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.errors import Conflict
from apps.core.korean import with_particle

from .models import KitchenStatus, Order, OrderEvent, OrderStatus

S = OrderStatus

STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.PENDING_PAYMENT, S.CANCELED}),
    # → OPEN only for a table tab whose bill was frozen for payment and is reopened (orders.tabs).
    S.PENDING_PAYMENT: frozenset({S.PAID, S.CANCELED, S.EXPIRED, S.OPEN}),
    S.PAID: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    # A second partial refund keeps the status; the last one completes it.
    S.PARTIALLY_REFUNDED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.REFUNDED: frozenset(),
    S.CANCELED: frozenset(),
    S.EXPIRED: frozenset(),
}

K = KitchenStatus

KITCHEN_TRANSITIONS: dict[str, frozenset[str]] = {
    K.NEW: frozenset({K.PREPARING, K.READY}),
    K.PREPARING: frozenset({K.READY}),
    # READY → PREPARING: the kitchen undid a bump, or a table round added work to a ready tab.
    K.READY: frozenset({K.DONE, K.PREPARING}),
    K.DONE: frozenset(),
}


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in STATUS_TRANSITIONS.get(from_status, frozenset())


def illegal_move(from_status: str, to_status: str, *, code: str = "ORDER_ILLEGAL_TRANSITION") -> Conflict:
    return Conflict(
        code,
        _("주문 상태를 %(from)s에서 %(to)s 바꿀 수 없습니다.")
        % {
            "from": S(from_status).label if from_status in S.values else from_status,
            "to": with_particle(S(to_status).label, "으로/로"),
        },
        details={"from": from_status, "to": to_status},
    )


def lock(order: Order | int) -> Order:
    """The order row, locked until the surrounding transaction ends."""
    pk = order.pk if isinstance(order, Order) else order
    # Only the order row (of=self), and FOR NO KEY UPDATE: no write changes an order's key, and the
    # stronger FOR UPDATE also blocks every foreign-key check on the row. Both made two transactions
    # deadlock: the kitchen pointing a merged tab's tickets at the target (its key-share check at
    # commit) against a second merge holding the target and waiting for the source; and two order
    # locks of one store each waiting for the store row the other had locked with its order.
    return Order.objects.select_for_update(of=("self",), no_key=True).select_related("store").get(pk=pk)


def move(
    order: Order | int, to_status: str, *, note: str = "", code: str = "ORDER_ILLEGAL_TRANSITION", **fields
) -> Order:
    """Lock, check the table, write status (+ `fields`) and an OrderEvent. Needs a transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("order status moves must run inside transaction.atomic()")
    locked = move_locked(lock(order), to_status, note=note, code=code, **fields)
    if isinstance(order, Order):
        sync(order, locked)
    return locked


def move_locked(
    locked: Order, to_status: str, *, note: str = "", code: str = "ORDER_ILLEGAL_TRANSITION", **fields
) -> Order:
    """`move()` for a caller that has just locked the row with `lock()` in this transaction (and
    holds the fresh instance): the same checks and writes without locking it a second time."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("order status moves must run inside transaction.atomic()")
    if not can_move(locked.status, to_status):
        raise illegal_move(locked.status, to_status, code=code)
    from_status = locked.status
    locked.status = to_status
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", "updated_at", *fields])
    OrderEvent.objects.create(order=locked, from_status=from_status, to_status=to_status, note=note[:200])
    return locked


def sync(target: Order, source: Order) -> None:
    """Copy the freshly written row into the caller's instance so it does not go stale."""
    for model_field in Order._meta.concrete_fields:
        setattr(target, model_field.attname, getattr(source, model_field.attname))


def kitchen_move(order: Order | int, to_status: str) -> Order:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("kitchen moves must run inside transaction.atomic()")
    if to_status not in K.values:
        raise Conflict("KITCHEN_ILLEGAL_TRANSITION", _("알 수 없는 주방 상태입니다."))
    locked = lock(order)
    if locked.status not in (S.OPEN, S.PAID, S.PARTIALLY_REFUNDED):
        raise Conflict("ORDER_NOT_IN_KITCHEN", _("결제되지 않았거나 취소된 주문입니다."))
    if to_status not in KITCHEN_TRANSITIONS.get(locked.kitchen_status, frozenset()):
        raise Conflict(
            "KITCHEN_ILLEGAL_TRANSITION",
            _("주방 상태를 %(from)s에서 %(to)s 바꿀 수 없습니다.")
            % {"from": K(locked.kitchen_status).label, "to": with_particle(K(to_status).label, "으로/로")},
        )
    locked.kitchen_status = to_status
    locked.save(update_fields=["kitchen_status", "updated_at"])
    if isinstance(order, Order):
        sync(order, locked)
    return locked
