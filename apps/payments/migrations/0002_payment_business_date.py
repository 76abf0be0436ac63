# Payment gets a copy of its order's business date (see Payment): added nullable, filled from the
# orders, then made required.

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_from_orders(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    Payment = apps.get_model("payments", "Payment")
    Payment.objects.update(
        business_date=Subquery(Order.objects.filter(pk=OuterRef("order_id")).values("business_date")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
        ("orders", "0004_orderline_store_business_date_required"),
    ]

    operations = [
        migrations.AddField(model_name="payment", name="business_date", field=models.DateField(null=True)),
        migrations.RunPython(copy_from_orders, migrations.RunPython.noop),
        migrations.AlterField(model_name="payment", name="business_date", field=models.DateField()),
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(fields=["method", "business_date"], name="payment_method_day"),
        ),
    ]
