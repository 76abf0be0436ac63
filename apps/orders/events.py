"""Signals the orders app sends, always from `transaction.on_commit` with `order=`.

They are for redoable effects (clear a cart, refresh a screen); money-critical effects never ride
on them (DESIGN.md). `order_canceled` is sent for CANCELED and EXPIRED orders (see order.status).
"""

from django.dispatch import Signal

order_placed = Signal()  # order=
order_paid = Signal()  # order=
order_canceled = Signal()  # order=, reason=
