from django.apps import AppConfig


class TableorderConfig(AppConfig):
    name = "apps.tableorder"
    label = "tableorder"
