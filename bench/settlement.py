"""Settlement benchmark: naive monthly GROUP BY over raw lines vs daily rollups.

    DATABASE_URL=postgres://user@host:port/db python bench/settlement.py --scale 1

At --scale 1 it generates the seed's scale — 100 stores, 1,000 products, 930,100 paid orders with
2,791,000 lines in one month (plus their payments, ~10 % split in two, and refunds of ~2 % of the
orders) — into a throw-away PostgreSQL database created next to DATABASE_URL's (dropped at the end
unless --keep), loading the facts with COPY. --scale S multiplies the stores, products, orders and
lines. Then it times, in one run:

  (a) naive: one GROUP BY + SUM over the month's raw order lines joined to orders (what the seed's
      "Ver 1" batch did);
  (b) building all daily rollups of the month for every store, on --workers connections at once
      (apps.settlement.services.rollups_build_concurrently, what `manage.py rebuild_rollups` runs);
      afterwards the month is rebuilt on one connection (rollups_build_stores) and that time is
      logged for reference;
  (c) monthly product statistics and monthly settlement figures for every store, read from the
      rollups (apps.settlement.selectors.product_sales / settlements_compute).

and prints one line:
  RESULT naive_s=… rollup_build_s=… monthly_from_rollups_s=… speedup_monthly=…x build_ratio=…
with speedup_monthly = a / c and build_ratio = b / a. (a) and (c) are the best of three runs after
the data is loaded (a warm cache for both); (b) runs once. PostgreSQL runs (a) with its own parallel
workers (max_parallel_workers_per_gather, 2 by default), so (b) using as many connections as cores is
the like-for-like comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FULL = {"stores": 100, "products": 1000, "orders": 930_100, "lines": 2_791_000}
STORES_PER_OWNER = 4
MONTH = date(2025, 3, 1)
DAYS = 31


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = the seed's scale")
    parser.add_argument("--seed", type=int, default=20250301)
    parser.add_argument("--keep", action="store_true", help="keep the throw-away database")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="connections building at once in (b) (default: CPUs)"
    )
    return parser.parse_args()


def _admin_connect(url: str):
    """A connection to run CREATE/DROP DATABASE: DATABASE_URL's database, or `postgres` when that
    one does not exist (yet)."""
    import psycopg

    try:
        return psycopg.connect(url, autocommit=True)
    except psycopg.OperationalError:
        return psycopg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")), autocommit=True)


def make_database(url: str) -> tuple[str, str]:
    """Create an empty database beside DATABASE_URL's; return (its url, its name)."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("bench/settlement.py needs DATABASE_URL pointing at PostgreSQL")
    name = f"cloudpos_bench_{os.getpid()}"
    with _admin_connect(url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name)), name


def drop_database(url: str, name: str) -> None:
    with _admin_connect(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Copier:
    """COPY rows of a Django model: every concrete column is written; the ones a row does not give
    take the field's default (callables such as unique keys are called per row)."""

    def __init__(self, cursor, model):
        from django.db.models import JSONField

        self.cursor = cursor
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields]
        self.columns = [f.column for f in self.fields]
        now = datetime.now().astimezone()
        self.plan = []
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.plan.append((f.attname, False, now))
            elif f.has_default() and callable(f.default):
                self.plan.append((f.attname, True, f.default))
            else:  # the field's own default: "" for a non-null text field, None for a nullable one
                value = f.get_default()
                self.plan.append((f.attname, False, json.dumps(value) if isinstance(f, JSONField) else value))
        self.json = {f.attname for f in self.fields if isinstance(f, JSONField)}

    def copy(self, rows) -> int:
        table = self.model._meta.db_table
        cols = ", ".join(f'"{c}"' for c in self.columns)
        count = 0
        with self.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                out = []
                for attname, call, default in self.plan:
                    if attname in row:
                        value = row[attname]
                        if attname in self.json and not isinstance(value, str):
                            value = json.dumps(value)
                    else:
                        value = default() if call else default
                        if call and attname in self.json:
                            value = json.dumps(value)
                    out.append(str(value) if isinstance(value, uuid.UUID) else value)
                copy.write_row(out)
                count += 1
        return count


def generate(scale: float, seed: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from apps.catalog.models import Product
    from apps.orders.models import Order, OrderLine
    from apps.payments.models import Payment, PaymentMethod, Refund
    from apps.stores.models import Store

    rng = random.Random(seed)
    n_stores = max(1, round(FULL["stores"] * scale))
    n_products = max(n_stores, round(FULL["products"] * scale))
    n_orders = max(1, round(FULL["orders"] * scale))
    n_lines = max(n_orders, round(FULL["lines"] * scale))
    n_owners = max(1, n_stores // STORES_PER_OWNER)

    User = get_user_model()
    owners = User.objects.bulk_create(
        [User(email=f"bench-owner{i}@example.com", name=f"점주{i}", is_staff=True) for i in range(n_owners)]
    )
    stores = Store.objects.bulk_create(
        [
            Store(owner=owners[i % n_owners], name=f"벤치 매장 {i}", business_number="123-45-67891", settlement_day=28)
            for i in range(n_stores)
        ]
    )
    products = Product.objects.bulk_create(
        [
            Product(owner=owners[i % n_owners], name=f"메뉴 {i}", base_price=rng.choice([2500, 3500, 4500, 5500, 6500]))
            for i in range(n_products)
        ]
    )
    methods = []
    for store in stores:
        methods.append(
            (
                PaymentMethod(store=store, kind="CASH", name="현금", channels=["POS"], fee_rate_bp=0),
                PaymentMethod(store=store, kind="CARD_TERMINAL", name="카드", channels=["POS"], fee_rate_bp=180),
                PaymentMethod(store=store, kind="SIMULATED", name="간편결제", channels=["KIOSK"], fee_rate_bp=250),
            )
        )
    PaymentMethod.objects.bulk_create([m for trio in methods for m in trio])
    menu = {o.pk: [p for p in products if p.owner_id == o.pk] for o in owners}

    # Lines per order: 1..5, adjusted so the total is exactly n_lines.
    extra = n_lines - n_orders  # lines beyond the first of each order
    line_counts = [1] * n_orders
    while extra > 0:
        for i in rng.sample(range(n_orders), min(extra, n_orders)):
            if line_counts[i] < 5:
                line_counts[i] += 1
                extra -= 1
                if extra == 0:
                    break

    orders, lines, payments, refunds = [], [], [], []
    counters: dict[tuple[int, date], int] = {}
    line_id = payment_id = 0
    tz_offset = timedelta(hours=9)  # Asia/Seoul, the bench stores' timezone (no DST)
    # Who sold when, then ids handed out in time order, as a live system writes them: rows of one
    # day sit together in the tables, like in a real database (not scattered over the month).
    sales = []
    for _ in range(n_orders):
        day = MONTH + timedelta(days=rng.randrange(DAYS))
        # 07:00–27:59 local: some sales after midnight belong to the day before (04:00 cutoff).
        local = datetime.combine(day, datetime.min.time()) + timedelta(minutes=rng.randrange(7 * 60, 28 * 60))
        sales.append(((local - tz_offset).replace(tzinfo=UTC), day, rng.randrange(n_stores)))
    sales.sort(key=lambda sale: sale[0])
    for order_id, (count, (paid_at, day, store_index)) in enumerate(zip(line_counts, sales, strict=True), start=1):
        store = stores[store_index]
        counters[(store.pk, day)] = number = counters.get((store.pk, day), 0) + 1
        gross = discount = 0
        order_lines = []
        for _ in range(count):
            product = rng.choice(menu[store.owner_id])
            quantity = rng.choice((1, 1, 1, 2, 3))
            line_gross = quantity * product.base_price
            line_discount = 500 if rng.random() < 0.1 else 0
            line_id += 1
            gross += line_gross
            discount += line_discount
            order_lines.append(
                {
                    "id": line_id,
                    "order_id": order_id,
                    "store_id": store.pk,
                    "business_date": day,
                    "product_id": product.pk,
                    "name": product.name,
                    "tax_type": "TAXABLE",
                    "unit_price": product.base_price,
                    "quantity": quantity,
                    "gross_amount": line_gross,
                    "discount_amount": line_discount,
                    "net_amount": line_gross - line_discount,
                }
            )
        total = gross - discount
        status = "PAID"
        trio = methods[store_index]
        if rng.random() < 0.1 and total >= 2000:
            cash_part = (total // 2000) * 1000
            split = [(trio[0], cash_part), (trio[1], total - cash_part)]
        else:
            split = [(rng.choice(trio), total)]
        order_payments = []
        for method, amount in split:
            payment_id += 1
            order_payments.append(
                {
                    "id": payment_id,
                    "order_id": order_id,
                    "method_id": method.pk,
                    "business_date": day,
                    "kind": method.kind,
                    "amount": amount,
                    "status": "DONE",
                    "approved_at": paid_at,
                }
            )
        refunded = 0
        if rng.random() < 0.02:
            line = order_lines[0]
            payment = order_payments[-1]
            amount = min(line["net_amount"], payment["amount"])
            refunded = amount
            payment["canceled_amount"] = amount
            payment["status"] = "CANCELED" if amount == payment["amount"] else "PARTIAL_CANCELED"
            status = "REFUNDED" if amount == total else "PARTIALLY_REFUNDED"
            line["refunded_quantity"] = line["quantity"] if amount == line["net_amount"] else 0
            done_at = paid_at + timedelta(minutes=rng.randrange(5, 3 * 24 * 60))
            refunds.append(
                {
                    "payment_id": payment["id"],
                    "amount": amount,
                    "reason": "벤치 환불",
                    # As payments.services writes a refund's lines.
                    "lines": [
                        {
                            "line_id": line["id"],
                            "product_id": line["product_id"],
                            "name": line["name"],
                            "quantity": line["refunded_quantity"],
                            "amount": amount,
                            "request": uuid.uuid4().hex,
                        }
                    ],
                    "status": "DONE",
                    "completed_at": done_at,
                }
            )
        orders.append(
            {
                "id": order_id,
                "store_id": store.pk,
                "channel": "POS",
                "status": status,
                "business_date": day,
                "order_number": number,
                "gross_amount": gross,
                "discount_amount": discount,
                "total_amount": total,
                "taxable_amount": total,
                "refunded_amount": refunded,
                "placed_at": paid_at,
                "paid_at": paid_at,
            }
        )
        lines.extend(order_lines)
        payments.extend(order_payments)

    refunds.sort(key=lambda refund: refund["completed_at"])
    for refund_id, refund in enumerate(refunds, start=1):
        refund["id"] = refund_id

    with connection.cursor() as django_cursor:
        raw = django_cursor.connection.cursor()
        for model, rows in ((Order, orders), (OrderLine, lines), (Payment, payments), (Refund, refunds)):
            started = time.perf_counter()
            Copier(raw, model).copy(rows)
            log(f"COPY {model._meta.db_table}: {len(rows):,} rows in {time.perf_counter() - started:.1f}s")
        for model in (Order, OrderLine, Payment, Refund):
            table = model._meta.db_table
            raw.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT MAX(id) FROM \"{table}\"))"
            )
            # As a database that took these sales over a month would be: vacuumed and analysed (and
            # autovacuum not starting on the fresh tables in the middle of the timings).
            raw.execute(f'VACUUM (ANALYZE) "{table}"')
    return {"stores": stores, "orders": len(orders), "lines": len(lines), "refunds": len(refunds)}


def settle_writes() -> None:
    """Let the load reach the disk before anything is timed: PostgreSQL's checkpoint and the
    kernel's write-back of a few GB of fresh pages would otherwise run in the background of (and
    slow) whichever step comes first."""
    from django.db import DatabaseError, connection

    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError as exc:  # CHECKPOINT needs superuser or pg_checkpoint; the sync still helps
        log(f"no CHECKPOINT ({exc.__class__.__name__}); syncing only")
    os.sync()
    log(f"load written out in {time.perf_counter() - started:.1f}s")


def best_of(runs: int, fn) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    args = parse_args()
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url:
        sys.exit("bench/settlement.py needs DATABASE_URL pointing at PostgreSQL")
    bench_url, name = make_database(base_url)
    log(f"throw-away database {name}")
    try:
        os.environ["DATABASE_URL"] = bench_url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pos_project.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from apps.orders.models import OrderStatus
        from apps.settlement import selectors, services

        started = time.perf_counter()
        call_command("migrate", verbosity=0, skip_checks=True)
        log(f"migrated in {time.perf_counter() - started:.1f}s")
        started = time.perf_counter()
        data = generate(args.scale, args.seed)
        log(
            f"generated {len(data['stores'])} stores, {data['orders']:,} orders, {data['lines']:,} lines, "
            f"{data['refunds']:,} refunds in {time.perf_counter() - started:.1f}s"
        )
        settle_writes()
        stores = data["stores"]
        store_ids = [s.pk for s in stores]
        start, end = MONTH, MONTH + timedelta(days=DAYS - 1)
        sold = [OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED]

        def naive():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT o.store_id, l.product_id, l.name, SUM(l.quantity), SUM(l.gross_amount), "
                    "SUM(l.discount_amount), SUM(l.net_amount) "
                    "FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id "
                    "WHERE o.business_date >= %s AND o.business_date <= %s AND o.status = ANY(%s) "
                    "GROUP BY o.store_id, l.product_id, l.name",
                    [start, end, sold],
                )
                return cursor.fetchall()

        def build_one_connection():
            services.rollups_build_stores(stores, start, end)

        def build():
            services.rollups_build_concurrently(stores, start, end, workers=args.workers)

        def from_rollups():
            products = selectors.product_sales(store_ids, start, end, per_store=True)
            settlements = selectors.settlements_compute(store_ids, start, end)
            return products, settlements

        naive_s, naive_rows = best_of(3, naive)
        log(f"(a) naive GROUP BY over raw lines: {naive_s:.3f}s ({len(naive_rows):,} rows)")
        build_s, _ = best_of(1, build)
        log(f"(b) build all daily rollups of the month on {args.workers} connections: {build_s:.3f}s")
        one_s, _ = best_of(1, build_one_connection)
        log(f"(b, for reference) rebuild them on one connection: {one_s:.3f}s")
        rollup_s, (product_rows, settlements) = best_of(3, from_rollups)
        log(f"(c) monthly product stats + settlement from rollups: {rollup_s:.4f}s ({len(product_rows):,} rows)")

        # The two paths must agree, or the timing means nothing.
        naive_net = sum(int(r[6]) for r in naive_rows)
        rollup_net = sum(r.net_amount for r in product_rows)
        if naive_net != rollup_net or len(naive_rows) != len(product_rows):
            sys.exit(f"MISMATCH naive_net={naive_net} rollup_net={rollup_net}")
        payout = sum(s.net_payout for s in settlements.values())
        log(f"checked: net sales {rollup_net:,}원 on both paths; month's net payout {payout:,}원")
        print(
            f"RESULT naive_s={naive_s:.3f} rollup_build_s={build_s:.3f} monthly_from_rollups_s={rollup_s:.4f} "
            f"speedup_monthly={naive_s / rollup_s:.1f}x build_ratio={build_s / naive_s:.2f}",
            flush=True,
        )
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            log(f"kept database {name}")
        else:
            drop_database(base_url, name)


if __name__ == "__main__":
    main()
