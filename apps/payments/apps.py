from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def order_has_payment_in_flight(order) -> bool:
    """Orders' expiry job asks this before expiring a PENDING_PAYMENT order: a card payment that is
    being confirmed (or already captured) must be settled by reconciliation, not raced by expiry."""
    from .models import Payment, PaymentStatus

    return Payment.objects.filter(
        order=order, status__in=[PaymentStatus.IN_PROGRESS, PaymentStatus.UNKNOWN, PaymentStatus.DONE]
    ).exists()


class PaymentsConfig(AppConfig):
    name = "apps.payments"
    label = "payments"
    verbose_name = _("결제")

    def ready(self) -> None:
        from apps.orders.services import register_expiry_guard

        register_expiry_guard(order_has_payment_in_flight)
        from . import receivers  # noqa: F401  (connects the methods-version bump)
