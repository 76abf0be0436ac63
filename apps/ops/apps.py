from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Health checks, Prometheus metrics and structured logs. Sits on top of every app: it reads
    their models and listens to their signals; no domain app imports it (see apps/core/metrics.py)."""

    name = "apps.ops"
    label = "ops"

    def ready(self) -> None:
        import os

        from . import receivers

        # prometheus-client writes a file per process there from the first sample on: a missing
        # directory would turn every timed call into an error (gunicorn.conf.py also empties it).
        multiproc_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if multiproc_dir:
            os.makedirs(multiproc_dir, exist_ok=True)

        receivers.connect()
