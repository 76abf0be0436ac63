"""Areas and tables for tests."""

from __future__ import annotations

from apps.tables.models import Area, Table


def make_table(store, name: str = "1", *, area: Area | None = None, seats: int = 4, tablet=None, **fields) -> Table:
    if area is None:
        area, _created = Area.objects.get_or_create(store=store, name="홀")
    return Table.objects.create(store=store, area=area, name=name, seats=seats, tablet=tablet, **fields)
