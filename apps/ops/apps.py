from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Health checks, Prometheus metrics and structured logs. Sits on top of every app: it reads
    their models and listens to their signals; no domain app imports it (see apps/core/metrics.py)."""

    name = "apps.ops"
    label = "ops"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
