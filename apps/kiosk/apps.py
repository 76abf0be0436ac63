from django.apps import AppConfig


class KioskConfig(AppConfig):
    name = "apps.kiosk"
    label = "kiosk"
