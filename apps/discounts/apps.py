from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscountsConfig(AppConfig):
    name = "apps.discounts"
    label = "discounts"
    verbose_name = _("할인")

    def ready(self):
        from . import receivers

        receivers.connect()
