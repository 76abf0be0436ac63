# OrderLine gets copies of its order's store and business date (see OrderLine): added nullable and
# filled from the orders here, made required in 0004 (PostgreSQL cannot ALTER a table in the
# transaction that queued foreign-key checks for it).

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_from_orders(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    OrderLine = apps.get_model("orders", "OrderLine")
    order = Order.objects.filter(pk=OuterRef("order_id"))
    OrderLine.objects.update(
        store_id=Subquery(order.values("store_id")[:1]), business_date=Subquery(order.values("business_date")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_cart_version_one_pending_per_cart"),
        ("stores", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="orderline",
            name="store",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="stores.store",
            ),
        ),
        migrations.AddField(model_name="orderline", name="business_date", field=models.DateField(null=True)),
        migrations.RunPython(copy_from_orders, migrations.RunPython.noop),
    ]
