# See 0003: the copied store and business date become required once filled.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_orderline_store_business_date")]

    operations = [
        migrations.AlterField(
            model_name="orderline",
            name="store",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="stores.store"
            ),
        ),
        migrations.AlterField(model_name="orderline", name="business_date", field=models.DateField()),
        migrations.AddIndex(
            model_name="orderline",
            index=models.Index(fields=["store", "business_date"], name="orderline_store_day"),
        ),
    ]
