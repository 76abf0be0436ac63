"""Demo floor for `manage.py seed_demo`: a hall with eight tables and a terrace with two; the
store's table tablet (created by seed_demo, paired-ready) is assigned to hall table 3."""

from __future__ import annotations

from apps.stores.models import Device

from .models import Area, Table

HALL = [(str(n), 4 if n % 3 else 6, (n - 1) % 4, (n - 1) // 4) for n in range(1, 9)]
TERRACE = [("T1", 2, 0, 0), ("T2", 2, 1, 0)]
TABLET_TABLE = "3"


def seed(store, stdout) -> None:
    if Area.objects.filter(store=store).exists():
        stdout.write("  Tables: already set up.")
        return
    for sort_order, (area_name, tables) in enumerate([("홀", HALL), ("테라스", TERRACE)]):
        area = Area.objects.create(store=store, name=area_name, sort_order=sort_order)
        Table.objects.bulk_create(
            Table(store=store, area=area, name=name, seats=seats, grid_x=x, grid_y=y) for name, seats, x, y in tables
        )
    tablet = Device.objects.filter(store=store, kind=Device.Kind.TABLE, revoked_at__isnull=True).order_by("pk").first()
    if tablet is not None:
        Table.objects.filter(store=store, name=TABLET_TABLE).update(tablet=tablet)
    stdout.write(f"  Tables: 홀 {len(HALL)}, 테라스 {len(TERRACE)}; table tablet on 홀 {TABLET_TABLE} (/table/).")
