"""The carts app's handlers for other apps' signals.

Carts sit below orders, so this module never imports orders: `apps.orders` connects these handlers
to its own signals in its AppConfig.ready, and they read only `order.cart_id` / `order.cart_version`.
Clearing a cart is redoable (DESIGN.md: signals are for what may be redone), so a lost signal costs
at most a cart that idles out on its TTL.
"""

from __future__ import annotations

from .services import cart_mark_paid


def clear_cart_on_order_paid(sender, order, **kwargs) -> None:
    if getattr(order, "cart_id", ""):
        cart_mark_paid(order.cart_id, expected_version=getattr(order, "cart_version", None))
