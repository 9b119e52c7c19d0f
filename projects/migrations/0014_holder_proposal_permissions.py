"""What the hub's groups may do with the updates of the catalog the data holders
propose: hub administrators read and publish or decline them, reviewers read them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = [
    ("reviewers", ["view"]),
    ("hub administrators", ["view", "change"]),
]


def forward(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, actions in PERMISSIONS:
        group, _created = Group.objects.get_or_create(name=name)
        for action in actions:
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label="catalog", codename=f"{action}_baseproposal"
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0013_holder_decisions"),
        ("catalog", "0004_base_proposals"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
