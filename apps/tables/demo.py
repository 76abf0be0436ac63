"""Demo floor for `manage.py seed_demo`: a hall with eight tables and a terrace with two; the
store's table tablet (created by seed_demo, paired-ready) is assigned to hall table 3."""

from __future__ import annotations

from apps.stores.models import Device

from .models import Area, Table
from .selectors import table_sticker_token

HALL = [(str(n), 4 if n % 3 else 6, (n - 1) % 4, (n - 1) // 4) for n in range(1, 9)]
TERRACE = [("T1", 2, 0, 0), ("T2", 2, 1, 0)]
TABLET_TABLE = "3"


def seed(store, stdout) -> None:
    if Area.objects.filter(store=store).exists():
        stdout.write("  Tables: already set up.")
        _print_qr_hint(store, stdout)
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
    _print_qr_hint(store, stdout)


def _print_qr_hint(store, stdout) -> None:
    """Where a guest's phone lands for hall table 1 (ordering needs an open POS shift)."""
    table = Table.objects.filter(store=store, name="1", is_active=True).first()
    if table is not None:
        stdout.write(
            f"  QR ordering (홀 1, from a phone): /q/{table_sticker_token(table)}/"
            " — every table's code: admin → 테이블 → QR 코드 인쇄"
        )
