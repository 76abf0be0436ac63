from celery import shared_task

from apps.core import metrics

from . import services


@shared_task(name="settlement.close_business_days")
def close_business_days() -> int:
    """Beat (every 15 min): build each store's business day(s) that ended since its last close and
    confirm the settlement periods that are over. Idempotent, so a duplicate run is harmless."""
    with metrics.batch_job(metrics.JOB_BUSINESS_DAY_CLOSE) as run:
        run.rows = services.business_days_close_all()
    return run.rows
