"""`python manage.py rebuild_rollups --start 2025-03-01 --end 2025-03-31 [--store 7 …] [--workers 2]`:
rebuild the daily rollups (and the monthly product rows) of a date range from the facts, for some
stores or all of them, then refresh their DRAFT settlements of those periods. For an operator after
a data repair or a change to how rollups are built; the beat close keeps the days current otherwise."""

import os
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from apps.core import metrics
from apps.core.errors import DomainError
from apps.settlement import services
from apps.stores.models import Store


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Rebuild the settlement rollups of a date range for some or all stores."

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, help="first business date, YYYY-MM-DD")
        parser.add_argument("--end", help="last business date, YYYY-MM-DD (default: --start)")
        parser.add_argument("--store", type=int, action="append", help="a store id (repeatable; default: every store)")
        parser.add_argument(
            "--workers",
            type=int,
            default=min(4, os.cpu_count() or 1),
            help="database connections building at once (default: the CPU count, at most 4)",
        )

    def handle(self, *args, start, end, store, workers, **options):
        start = _date(start)
        end = _date(end) if end else start
        stores = Store.objects.order_by("pk")
        if store:
            stores = stores.filter(pk__in=store)
            missing = set(store) - set(stores.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"no such store: {', '.join(map(str, sorted(missing)))}")
        stores = list(stores)
        try:
            with metrics.batch_job(metrics.JOB_REBUILD_ROLLUPS) as run:
                run.rows = built = services.rollups_rebuild_stores(stores, start, end, workers=workers)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"rebuilt {built} store-days ({len(stores)} stores, {start} – {end})")
