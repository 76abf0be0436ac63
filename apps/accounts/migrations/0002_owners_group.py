from django.db import migrations


def create_owners_group(apps, schema_editor):
    # The group's permissions are synced after every migrate (accounts.receivers), so models added
    # by later migrations are covered without another data migration each.
    apps.get_model("auth", "Group").objects.get_or_create(name="Owners")


def drop_owners_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Owners").delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_owners_group, drop_owners_group)]
