"""The kitchen's hooks into orders: connected to signals orders sends INSIDE its transactions, so
a ticket commits (or rolls back) with the payment, the placement or the round that made it."""

from apps.orders import events
from apps.orders.models import Order

from . import services


def _on_paid(sender, order: Order, **kwargs) -> None:
    services.tickets_for_paid_order(order)


def _on_placed(sender, order: Order, **kwargs) -> None:
    services.tickets_for_placed_order(order)


def _on_round(sender, order: Order, round, **kwargs) -> None:
    services.tickets_for_round(order, round)


def _on_canceled(sender, order: Order, **kwargs) -> None:
    services.tickets_follow_canceled_order(order)


events.order_paid_in_transaction.connect(_on_paid, sender=Order, dispatch_uid="kitchen.paid")
events.order_placed_in_transaction.connect(_on_placed, sender=Order, dispatch_uid="kitchen.placed")
events.tab_round_sent.connect(_on_round, sender=Order, dispatch_uid="kitchen.round")
# Sent on commit (a redoable screen effect): see services.tickets_follow_canceled_order.
events.order_canceled.connect(_on_canceled, sender=Order, dispatch_uid="kitchen.canceled")
