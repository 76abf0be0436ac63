from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KitchenConfig(AppConfig):
    name = "apps.kitchen"
    label = "kitchen"
    verbose_name = _("주방")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the in-transaction ticket hooks)
