from django.apps import AppConfig


class TableorderConfig(AppConfig):
    name = "apps.tableorder"
    label = "tableorder"

    def ready(self) -> None:
        from apps.orders import events
        from apps.orders import tabs as tab_services
        from apps.orders.models import Order

        from . import payments, prepaid

        # Pay first: a paid round lands on its table's tab once its payment commits.
        events.order_paid.connect(prepaid.on_order_paid, sender=Order, dispatch_uid="tableorder.prepaid_land")
        # A tab whose every round was paid from the phones owes nothing when its bill is taken.
        tab_services.register_covered_check(payments.tab_is_covered)
        tab_services.register_restamp_hook(payments.payments_restamp)
