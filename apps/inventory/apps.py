from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "apps.inventory"
    label = "inventory"
    verbose_name = _("매장 상품·재고")

    def ready(self):
        from . import receivers

        receivers.connect()
