from celery import shared_task

from . import services


@shared_task(name="settlement.close_business_days")
def close_business_days() -> int:
    """Beat (every 15 min): build each store's business day(s) that ended since its last close and
    confirm the settlement periods that are over. Idempotent, so a duplicate run is harmless."""
    return services.business_days_close_all()
