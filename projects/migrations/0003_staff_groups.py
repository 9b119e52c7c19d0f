"""The two staff groups and what they may do. Permissions are enforced by the admin
and by the transition service, not just hidden."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REVIEWERS = "reviewers"
ADMINISTRATORS = "hub administrators"

REVIEW = [
    ("projects", "project", ["view", "change", "transition"]),
    ("projects", "opinion", ["view", "add", "change"]),
    ("projects", "authorisation", ["view", "add", "change"]),
    ("projects", "requestedbase", ["view", "change"]),
    ("projects", "internalnote", ["view", "add"]),
    ("projects", "message", ["view", "add"]),
    ("projects", "event", ["view"]),
    ("projects", "projectversion", ["view"]),
    ("projects", "organisation", ["view"]),
    ("projects", "theme", ["view"]),
    ("projects", "programme", ["view"]),
    ("catalog", "base", ["view"]),
    ("catalog", "dataholder", ["view"]),
    ("catalog", "milestone", ["view"]),
]
ADMINISTRATION = REVIEW + [
    ("catalog", "base", ["add", "change", "delete"]),
    ("catalog", "dataholder", ["add", "change", "delete"]),
    ("catalog", "milestone", ["add", "change", "delete"]),
    ("projects", "theme", ["add", "change", "delete"]),
    ("projects", "programme", ["add", "change", "delete"]),
    ("projects", "organisation", ["add", "change"]),
    ("portal", "user", ["view", "add", "change"]),
    ("auth", "group", ["view"]),
]


def codename(action: str, model: str) -> str:
    return "transition_project" if action == "transition" else f"{action}_{model}"


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, table in [(REVIEWERS, REVIEW), (ADMINISTRATORS, ADMINISTRATION)]:
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, model, actions in table:
            for action in actions:
                group.permissions.add(
                    Permission.objects.get(
                        content_type__app_label=app_label, codename=codename(action, model)
                    )
                )


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[REVIEWERS, ADMINISTRATORS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0002_seed_themes_and_programmes"),
        ("catalog", "0001_initial"),
        ("portal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
