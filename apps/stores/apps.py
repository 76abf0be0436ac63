from django.apps import AppConfig


class StoresConfig(AppConfig):
    name = "apps.stores"
    label = "stores"

    def ready(self):
        from django.db.models.signals import post_migrate

        from .receivers import sync_owner_permissions

        post_migrate.connect(sync_owner_permissions, dispatch_uid="stores.sync_owner_permissions")
