"""Demo kitchen for `manage.py seed_demo`: stations 주방 (default) and 음료 (coffee and drinks), a
kitchen display and an order-ready board, paired-ready (their codes are printed with the others)."""

from __future__ import annotations

from apps.catalog.models import Category
from apps.stores.models import Device

from .models import KitchenSettings, Station, StationScreen

DRINK_CATEGORIES = ["커피", "논커피/음료"]


def seed(store, stdout) -> None:
    KitchenSettings.objects.get_or_create(store=store)
    kitchen, _created = Station.objects.get_or_create(
        store=store, name="주방", defaults={"is_default": True, "sort_order": 0}
    )
    drinks, _created = Station.objects.get_or_create(store=store, name="음료", defaults={"sort_order": 1})
    drinks.categories.add(*Category.objects.filter(owner=store.owner, name__in=DRINK_CATEGORIES))
    display, _created = Device.objects.get_or_create(store=store, kind=Device.Kind.KITCHEN, name="음료 주방 화면")
    StationScreen.objects.get_or_create(device=display, defaults={"station": drinks})
    Device.objects.get_or_create(store=store, kind=Device.Kind.BOARD, name="주문 현황판 TV")
    stdout.write(
        f"  Kitchen: stations {kitchen.name} (default) and {drinks.name}; "
        "a kitchen display on 음료 (/kitchen/) and an order-ready board (/board/)."
    )
