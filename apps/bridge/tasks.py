from celery import shared_task

from . import services


@shared_task(name="bridge.expire_terminal_jobs")
def expire_terminal_jobs() -> int:
    """Approvals whose answer never came (the bridge went away): UNKNOWN, then a net-cancel."""
    return services.terminal_jobs_expire()
