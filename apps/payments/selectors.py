"""Reads for payments: methods offered on a channel, what an order still owes, payments by id."""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from apps.core.errors import NotFound
from apps.core.localcache import WorkerMemo
from apps.orders.models import Order
from apps.stores.business_day import business_day_bounds
from apps.stores.models import Store

from .models import CashReceipt, Payment, PaymentMethod, Refund
from .state import COMPLETED, GATEWAY_KINDS, IN_FLIGHT
from .versions import methods_version

CHANNELS = ("POS", "KIOSK", "TABLE")


# A store's payment methods are read on every payment and every payment screen and change a few
# times a year: they are cached in the Django cache (Redis) under the store's methods version, and
# each worker keeps the last few stores' under the same versioned key, like the discount rules. The
# version is read from Redis on every call; the rows only when it moved (`versions.methods_bump`,
# on every save or delete of a method).
METHODS_CACHE_KEY = "payments:methods:{store_id}:{version}"
METHODS_CACHE_SECONDS = 10 * 60  # short: bounds what a lost on-commit bump could leave cached
LOCAL_METHODS_SECONDS = 60
_LOCAL_METHODS = WorkerMemo(size=32, seconds=LOCAL_METHODS_SECONDS)


def store_methods(store: Store) -> list[PaymentMethod]:
    """All of the store's methods (active or not), in the owner's sort order; warm: no SQL."""
    key = METHODS_CACHE_KEY.format(store_id=store.pk, version=methods_version(store.pk))
    local = _LOCAL_METHODS.get(key)
    if local is not None:
        return local
    methods = cache.get(key)
    if methods is None:
        methods = list(PaymentMethod.objects.filter(store=store).order_by("sort_order", "id"))
        cache.set(key, methods, METHODS_CACHE_SECONDS)
    _LOCAL_METHODS.put(key, methods)
    return methods


def methods_for_channel(store: Store, channel: str) -> list[PaymentMethod]:
    """Active methods offered on `channel`, in the owner's sort order. Filtered in Python because
    JSON containment is not portable to SQLite (the embedded default); a store has a handful."""
    return [m for m in store_methods(store) if m.is_active and channel in (m.channels or [])]


def store_uses_portone(store: Store) -> bool:
    """Whether the store's card gateway is PortOne (an active PortOne method): its cash receipts
    then go through PortOne too."""
    return any(m.is_active and m.kind == PaymentMethod.Kind.PORTONE for m in store_methods(store))


def method_for_store(store: Store, method_id) -> PaymentMethod:
    try:
        wanted = int(method_id)
    except (TypeError, ValueError):
        wanted = None
    method = next((m for m in store_methods(store) if m.pk == wanted), None)
    if method is None:
        raise NotFound("PAYMENT_METHOD_NOT_FOUND", _("결제 수단을 찾을 수 없습니다."))
    return method


def amount_paid(order: Order) -> int:
    """What completed payments brought in (refunds are tracked on the order separately)."""
    return amounts_paid_and_in_flight(order)[0]


def amount_due(order: Order) -> int:
    """What the order still owes: its total less completed payments."""
    return max(0, order.total_amount - amount_paid(order))


def amount_open(order: Order) -> int:
    """What a new payment may still take: the amount due less payments whose outcome is pending."""
    paid, in_flight = amounts_paid_and_in_flight(order)
    return max(0, max(0, order.total_amount - paid) - in_flight)


def amounts_paid_and_in_flight(order: Order) -> tuple[int, int]:
    """What completed payments brought in and what payments still in flight hold, in one query.
    Summed here from the order's few payments: Django's filtered aggregates cost 4% of a cash
    checkout's instructions to build (issue 18, counted with callgrind)."""
    paid = in_flight = 0
    # No ORDER BY (the model's ordering): sums do not need one, and compiling it is not free.
    rows = Payment.objects.filter(order_id=order.pk).order_by().values_list("status", "amount")
    for status, amount in rows:
        if status in COMPLETED:
            paid += amount
        elif status in IN_FLIGHT:
            in_flight += amount
    return paid, in_flight


# The attribute a payment that has just completed an order leaves on the order's instance: its
# completed payments, known without a query (see `completed_payments`).
_COMPLETED_ON_ORDER = "_payments_completed"


def completed_payments(order: Order) -> list[Payment]:
    """The order's completed payments, oldest first, with their method and device. No query when
    the payment that completed the order in this request was its only one (issue 18: the receipt
    hook after a cash sale read them back); otherwise read."""
    known = getattr(order, _COMPLETED_ON_ORDER, None)
    if known is not None:
        return list(known)
    return list(
        Payment.objects.filter(order=order, status__in=list(COMPLETED))
        .select_related("method", "device")
        .order_by("created_at", "id")
    )


def remember_completed_payments(order: Order, payments: list[Payment]) -> None:
    """For payments' services: `payments` are all of `order`'s completed payments (the caller holds
    the order's lock and has just written the last of them)."""
    setattr(order, _COMPLETED_ON_ORDER, list(payments))


def latest_payment(order: Order) -> Payment | None:
    return order.payments.select_related("method").order_by("-created_at", "-id").first()


def payments_for_order(order: Order) -> list[Payment]:
    return list(order.payments.select_related("method").order_by("created_at", "id"))


def payment_for_store(store: Store, public_id: str) -> Payment:
    try:
        return Payment.objects.select_related("order", "method").get(public_id=str(public_id), order__store=store)
    except Payment.DoesNotExist:
        raise NotFound("PAYMENT_NOT_FOUND", _("결제를 찾을 수 없습니다.")) from None


def payment_by_provider_ref(store: Store | None, provider_ref: str, *, owner=None) -> Payment:
    """A payment by its provider reference (Toss paymentKey), scoped to a store or an owner."""
    qs = Payment.objects.select_related("order", "method", "order__store").filter(provider_ref=str(provider_ref))
    if store is not None:
        qs = qs.filter(order__store=store)
    elif owner is not None and not owner.is_superuser:
        qs = qs.filter(order__store__owner=owner)
    payment = qs.first() if provider_ref else None
    if payment is None:
        raise NotFound("PAYMENT_NOT_FOUND", _("결제를 찾을 수 없습니다."))
    return payment


def payments_to_reconcile(*, older_than: datetime) -> list[int]:
    """Ids of card payments stuck between "sent" and "answered" for longer than the grace period."""
    return list(
        Payment.objects.filter(status__in=list(IN_FLIGHT), updated_at__lt=older_than, kind__in=list(GATEWAY_KINDS))
        .order_by("updated_at")
        .values_list("id", flat=True)[:200]
    )


def refunds_to_reconcile(*, unknown_before: datetime, requested_before: datetime) -> list[int]:
    """Ids of refunds whose cancel answer was lost (UNKNOWN) or whose call stalled (REQUESTED)."""
    stalled = Q(status=Refund.Status.UNKNOWN, updated_at__lt=unknown_before) | Q(
        status=Refund.Status.REQUESTED, updated_at__lt=requested_before
    )
    return list(Refund.objects.filter(stalled).order_by("updated_at").values_list("id", flat=True)[:200])


def refunds_needing_attention():
    """Refunds a person should look at: not settled (UNKNOWN / REQUESTED) or refused (FAILED)."""
    return Refund.objects.exclude(status=Refund.Status.DONE)


def cash_receipts_for_day(store: Store, day) -> dict:
    """The business day's cash receipts for the close: issued during the day (whatever became of them
    later) and cancelled during the day, each with its count and amount, simulated ones apart."""
    start, end = business_day_bounds(store, day)
    mine = CashReceipt.objects.filter(payment__order__store=store)
    issued = mine.filter(issued_at__gte=start, issued_at__lt=end)
    canceled = mine.filter(canceled_at__gte=start, canceled_at__lt=end)

    def total(qs) -> dict:
        row = qs.aggregate(n=Count("id"), s=Sum("amount"))
        return {"count": row["n"], "amount": row["s"] or 0}

    return {
        "issued": total(issued),
        "canceled": total(canceled),
        "simulated": issued.filter(is_simulated=True).exists(),
        "attention": total(mine.filter(status=CashReceipt.Status.UNKNOWN, created_at__gte=start, created_at__lt=end)),
    }
