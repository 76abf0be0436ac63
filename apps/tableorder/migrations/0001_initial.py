import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("orders", "0005_table_tabs_rounds_voids"),
        ("tables", "0004_tableordersettings_pay_first"),
    ]

    operations = [
        migrations.CreateModel(
            name="PrepaidRound",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("guests", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("phone", models.CharField(blank=True, max_length=64)),
                (
                    "status",
                    models.CharField(
                        choices=[("WAITING", "결제 대기"), ("LANDED", "주문 접수")], default="WAITING", max_length=10
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("landed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "order",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE, related_name="prepaid_round", to="orders.order"
                    ),
                ),
                (
                    "round",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="orders.orderround",
                    ),
                ),
                (
                    "tab",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="orders.order",
                    ),
                ),
                (
                    "table",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="prepaid_rounds", to="tables.table"
                    ),
                ),
            ],
            options={
                "verbose_name": "선결제 주문",
                "verbose_name_plural": "선결제 주문",
                "indexes": [models.Index(fields=["status", "created_at"], name="prepaidround_status_created")],
            },
        ),
    ]
