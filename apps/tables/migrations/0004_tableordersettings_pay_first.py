from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tables", "0003_tableordersettings_confirm_first_round"),
    ]

    operations = [
        migrations.AddField(
            model_name="tableordersettings",
            name="pay_first",
            field=models.BooleanField(
                default=False,
                help_text="켜면 손님이 휴대폰에서 카드로 먼저 결제해야 주문이 주방으로 들어갑니다. 끄면 식사 후 계산합니다.",
                verbose_name="선결제 (휴대폰에서 결제 후 주문)",
            ),
        ),
    ]
