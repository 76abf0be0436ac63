"""The embedded default sells: `make run` serves CloudPOS on SQLite, fakeredis and eager Celery, and a
kiosk order placed there is paid in cash at the counter and reaches the kitchen, and so does a table's
tab.

The rest of the suite runs on PostgreSQL, so a PostgreSQL-only statement on the sale's path passes
every other test and breaks only the demo: the placement's advisory lock did (no such function:
pg_advisory_xact_lock), and so would the order number's INSERT inside WITH. This runs the sale in a
fresh process with the embedded settings, on a SQLite file of its own."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow

SALE = """
from apps.carts import services as carts
from apps.inventory.models import StoreProduct
from apps.kitchen.models import Ticket
from apps.orders import services as orders
from apps.orders import tabs
from apps.orders.models import Order, OrderStatus
from apps.payments import services as payments
from apps.payments.models import PaymentMethod
from apps.stores.management.commands.seed_demo import DEMO_EMAIL
from apps.stores.models import Device, Store
from apps.tables.models import Table

store = Store.objects.get(owner__email=DEMO_EMAIL)
kiosk = Device.objects.filter(store=store, kind=Device.Kind.KIOSK).first()
cart = carts.cart_create(store=store, device=kiosk)
for listing in StoreProduct.objects.filter(store=store, is_listed=True).order_by("id"):
    try:  # the first product a kiosk can add without choosing an option
        carts.cart_line_add(cart.id, device=kiosk, product_id=listing.product_id, qty=2)
        break
    except Exception:
        continue
product_id = listing.product_id
order, created = orders.order_place(cart.id, device=kiosk)
again, created_again = orders.order_place(cart.id, device=kiosk)
cash = PaymentMethod.objects.get(store=store, kind=PaymentMethod.Kind.CASH)
payments.payment_create(order, cash, channel="POS")
order.refresh_from_db()
print("SALE", order.order_number, created, again.pk == order.pk, created_again, order.status,
      Ticket.objects.filter(order=order).count() > 0)

pos = Device.objects.filter(store=store, kind=Device.Kind.POS).first()
table = Table.objects.filter(store=store, is_active=True).exclude(
    pk__in=Order.objects.filter(status=OrderStatus.OPEN).values("table_id")
).first()
tab = tabs.tab_open(table, guests=2, device=pos)
tabs.tab_round_add(tab, [{"productId": product_id, "qty": 1}], device=pos)
tabs.tab_freeze_for_payment(tab)
payments.payment_create(tab, cash, channel="POS")
tab.refresh_from_db()
print("TAB", tab.order_number, tab.status, Ticket.objects.filter(order=tab).count() > 0)
"""


def _manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result.stdout


def test_a_kiosk_sale_on_the_embedded_default(tmp_path):
    # given the embedded default: no DATABASE_URL server, no REDIS_URL, eager Celery — on a SQLite
    # file of this test's own instead of the checkout's db.sqlite3
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_TASK_ALWAYS_EAGER")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "seed_demo", "--once")
    # when a kiosk places an order (twice: the same cart is the same order) and the counter takes
    # cash, then a table's tab gets a round, its bill and a cash payment
    out = _manage(env, "shell", "-c", SALE)
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.startswith(("SALE ", "TAB "))}
    # then the sale is order 1, placed once, paid, and its ticket is in the kitchen; the tab is
    # number 2 (the day's one counter), paid, and its round reached the kitchen
    assert lines.get("SALE") == ["1", "True", "True", "False", "PAID", "True"], out
    assert lines.get("TAB") == ["2", "PAID", "True"], out
