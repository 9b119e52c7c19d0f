"""Data holders decide for themselves: their invitations, the history of their
decisions (append-only in the database too, as the audit trail is: migration 0010),
and what the hub's groups may do with them."""

from django.contrib.auth.management import create_permissions
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


# The one UPDATE allowed: the request the decision was on is gone (the sponsor team
# dropped the base), and the history keeps its project and base.
FORWARD = """
CREATE OR REPLACE FUNCTION projects_holderdecision_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.requested_id IS NULL
     AND (NEW.id, NEW.project_id, NEW.base_id, NEW.decision, NEW.note, NEW.decided_on,
          NEW.delivered_on, NEW.recorded_by_id, NEW.by_the_hub, NEW.recorded_at, NEW.event_id)
     IS NOT DISTINCT FROM
         (OLD.id, OLD.project_id, OLD.base_id, OLD.decision, OLD.note, OLD.decided_on,
          OLD.delivered_on, OLD.recorded_by_id, OLD.by_the_hub, OLD.recorded_at, OLD.event_id)
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the holders'' decisions are append-only: % of decision % refused', TG_OP, OLD.id
    USING HINT = 'A decision is never updated or deleted: record a new one instead.';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER projects_holderdecision_append_only
  BEFORE UPDATE OR DELETE ON projects_holderdecision
  FOR EACH ROW EXECUTE FUNCTION projects_holderdecision_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS projects_holderdecision_append_only ON projects_holderdecision;
DROP FUNCTION IF EXISTS projects_holderdecision_append_only();
"""

# (group, app, model, actions): reviewers read the members and the decisions (they
# record decisions through the requested bases); hub administrators also add members
# and invite people to a holder.
PERMISSIONS = [
    ("reviewers", "catalog", "holdermembership", ["view"]),
    ("reviewers", "projects", "holderdecision", ["view"]),
    ("reviewers", "projects", "holderinvitation", ["view"]),
    ("hub administrators", "catalog", "holdermembership", ["view", "add", "change", "delete"]),
    ("hub administrators", "projects", "holderdecision", ["view"]),
    ("hub administrators", "projects", "holderinvitation", ["view", "add"]),
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, app_label, model, actions in PERMISSIONS:
        group, _created = Group.objects.get_or_create(name=name)
        for action in actions:
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=f"{action}_{model}"
                )
            )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0003_holder_membership'),
        ('projects', '0012_evidence_and_unread'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='requestedbase',
            name='delivered_on',
            field=models.DateField(blank=True, null=True, verbose_name='data delivered on'),
        ),
        migrations.AddField(
            model_name='requestedbase',
            name='set_aside',
            field=models.BooleanField(default=False, help_text='Refused by its holder: the project goes on without this base.', verbose_name='set aside by the hub'),
        ),
        migrations.AlterField(
            model_name='requestedbase',
            name='decision',
            field=models.CharField(choices=[('pending', 'Pending'), ('agreed', 'Agreed'), ('conditions', 'Agreed with conditions'), ('refused', 'Refused'), ('delivered', 'Delivered')], default='pending', max_length=10, verbose_name="data holder's decision"),
        ),
        migrations.AlterField(
            model_name='requestedbase',
            name='decision_note',
            field=models.TextField(blank=True, help_text="The holder's conditions to an agreement, or its reason for a refusal.", verbose_name='conditions or reason'),
        ),
        migrations.CreateModel(
            name='HolderDecision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decision', models.CharField(choices=[('pending', 'Pending'), ('agreed', 'Agreed'), ('conditions', 'Agreed with conditions'), ('refused', 'Refused'), ('delivered', 'Delivered')], max_length=10, verbose_name='decision')),
                ('note', models.TextField(blank=True, verbose_name='conditions or reason')),
                ('decided_on', models.DateField(null=True, verbose_name='decided on')),
                ('delivered_on', models.DateField(null=True, verbose_name='data delivered on')),
                ('by_the_hub', models.BooleanField(default=False, verbose_name='recorded by the hub for the holder')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='recorded at')),
                ('base', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.base', verbose_name='base')),
                ('event', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='projects.event')),
                ('project', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='holder_decisions', to='projects.project')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
                ('requested', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='history', to='projects.requestedbase')),
            ],
            options={
                'verbose_name': "data holder's decision",
                'verbose_name_plural': "data holders' decisions",
                'ordering': ['recorded_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='HolderInvitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email', models.EmailField(max_length=254, verbose_name='email address')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('accepted_at', models.DateTimeField(blank=True, null=True)),
                ('holder', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='catalog.dataholder', verbose_name='data holder')),
                ('invited_by', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'invitation to a data holder',
                'verbose_name_plural': 'invitations to a data holder',
                'ordering': ['-created_at'],
                'abstract': False,
            },
        ),
        migrations.RunPython(forward, backward),
    ]
