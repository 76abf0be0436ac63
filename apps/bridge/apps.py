from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BridgeConfig(AppConfig):
    name = "apps.bridge"
    label = "bridge"
    verbose_name = _("매장 브리지")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (queues receipts, kitchen tickets and Z reports on commit)
