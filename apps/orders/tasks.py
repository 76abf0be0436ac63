from celery import shared_task

from . import services


@shared_task(name="orders.expire_pending_orders")
def expire_pending_orders() -> int:
    """Beat task: PENDING_PAYMENT orders older than ORDER_PENDING_EXPIRY_MINUTES become EXPIRED."""
    return services.orders_expire_stale()
