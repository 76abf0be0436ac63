from django.apps import AppConfig


class PosConfig(AppConfig):
    name = "apps.pos"
    label = "pos"
