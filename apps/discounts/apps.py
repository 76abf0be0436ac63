from django.apps import AppConfig


class DiscountsConfig(AppConfig):
    name = "apps.discounts"
    label = "discounts"

    def ready(self):
        from . import receivers

        receivers.connect()
