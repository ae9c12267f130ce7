from django.contrib.postgres.operations import BtreeGistExtension, TrigramExtension
from django.db import migrations

ROLE_GROUPS = ("front_desk", "surgeon")


def create_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    initial = True

    dependencies = [("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        BtreeGistExtension(),
        TrigramExtension(),
        migrations.RunPython(create_role_groups, migrations.RunPython.noop),
    ]
