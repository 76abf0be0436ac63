"""A pay-first round from a guest's phone (선결제): the order it is paid on until it lands on the
table's tab. Kept here, above orders and payments, because only the phone flow makes one."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.orders.models import Order, OrderRound
from apps.tables.models import Table


class PrepaidRoundStatus(models.TextChoices):
    # Placed and waiting for its payment; a failed or abandoned payment leaves it here, with
    # nothing on the tab, until its order is canceled or expires.
    WAITING = "WAITING", _("결제 대기")
    # Paid, and its lines and payment are now a round of the table's tab.
    LANDED = "LANDED", pgettext_lazy("status", "주문 접수")


class PrepaidRound(models.Model):
    """One pay-first round: `order` is paid through the kiosk's payment flow (it holds no table,
    so its payment cannot advance the table's QR generation or pass for the table's tab); once
    paid, `prepaid_round_land` moves its lines and payment onto the tab as round `round`."""

    OWNER_LOOKUP = "table__store__owner"

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="prepaid_round")
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="prepaid_rounds")
    guests = models.PositiveSmallIntegerField(null=True, blank=True)
    phone = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=PrepaidRoundStatus.choices, default=PrepaidRoundStatus.WAITING)
    tab = models.ForeignKey(Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    round = models.ForeignKey(OrderRound, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    landed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("선결제 주문")
        verbose_name_plural = _("선결제 주문")
        indexes = [models.Index(fields=["status", "created_at"], name="prepaidround_status_created")]

    def __str__(self) -> str:
        return f"{self.table} · {self.order.order_number}"
