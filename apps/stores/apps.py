from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoresConfig(AppConfig):
    name = "apps.stores"
    label = "stores"
    verbose_name = _("매장")

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save

        from .models import Device, Store
        from .receivers import devices_changed, sync_owner_permissions

        post_migrate.connect(sync_owner_permissions, dispatch_uid="stores.sync_owner_permissions")
        for model in (Device, Store):
            post_save.connect(devices_changed, sender=model, dispatch_uid=f"stores.devices.save.{model.__name__}")
            post_delete.connect(devices_changed, sender=model, dispatch_uid=f"stores.devices.delete.{model.__name__}")
