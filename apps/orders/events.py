"""Signals the orders app sends, always from `transaction.on_commit` with `order=`.

They are for redoable effects (clear a cart, refresh a screen); money-critical effects never ride
on them (DESIGN.md). `order_canceled` is sent for CANCELED and EXPIRED orders (see order.status).
"""

from django.dispatch import Signal

order_placed = Signal()  # order=
order_paid = Signal()  # order=
order_canceled = Signal()  # order=, reason=
# The exception to "on commit": sent INSIDE a tab round's transaction (order=, round=), after its
# lines are written, so the kitchen can create its tickets in that same transaction (a receiver
# that raises rolls the round back). Never for redoable effects.
tab_round_sent = Signal()
# Same exception, for the kitchen's tickets: sent INSIDE the transaction that makes the work real —
# an order moving to PAID (order=), and an order just placed (order=; the kitchen makes tickets now
# only for channels the owner marks "make before payment"). A receiver that raises rolls it back.
order_paid_in_transaction = Signal()
order_placed_in_transaction = Signal()
