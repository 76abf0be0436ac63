from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "apps.orders"
    label = "orders"
    verbose_name = _("주문")

    def ready(self):
        # Carts sit below orders and may not import them, so the carts handler is connected here.
        from apps.carts.receivers import clear_cart_on_order_paid

        from . import events, tasks  # noqa: F401  (register the Celery task)

        events.order_paid.connect(clear_cart_on_order_paid, dispatch_uid="carts.clear_cart_on_order_paid")
