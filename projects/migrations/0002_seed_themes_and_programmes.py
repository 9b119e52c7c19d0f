"""The themes and programme the hub reports on; staff can add more in the admin."""

from django.db import migrations

THEMES = [
    ("ai", "Intelligence artificielle"),
    ("prevention", "Prévention"),
    ("covid-19", "Covid-19"),
    ("health-environment", "Santé-environnement"),
    ("boas", "Bibliothèque Ouverte d'Algorithmes en Santé"),
]
PROGRAMMES = [("unibase", "Unibase")]


def seed(apps, schema_editor):
    Theme = apps.get_model("projects", "Theme")
    Programme = apps.get_model("projects", "Programme")
    for slug, name in THEMES:
        Theme.objects.get_or_create(slug=slug, defaults={"name": name})
    for slug, name in PROGRAMMES:
        Programme.objects.get_or_create(slug=slug, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
