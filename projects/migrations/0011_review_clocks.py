"""The review's clocks: the hub's deadlines (one row, edited by the hub
administrators), extensions granted once per clock, the reviewers' daily reminders,
and each project's due dates, stored for the admin's sorting and filtering.

For the projects already there, the events their key dates imply are written first
where the audit trail lacks them (records imported before the import wrote them:
`submitted` at `submitted_on`, and so on, at noon, hub time), as `import_projects`
now does, so that every clock counts from those dates; then the due dates are
computed from the trail with `projects.clocks`, which reads plain values only.
"""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

from projects import clocks

# (key date, action, from, to): the transitions each key date stands for.
KEY_DATES = [
    ("submitted_on", "submitted", "draft", "submitted"),
    ("opinion_on", "opinion_given", "under_review", "awaiting_authorisation"),
    ("authorised_on", "authorised", "awaiting_authorisation", "approved"),
    ("launched_on", "launched", "approved", "in_progress"),
    ("completed_on", "completed", "in_progress", "completed"),
]
PERMISSIONS = {
    "reviewers": ["view_reviewdeadlines", "view_deadlineextension"],
    "hub administrators": [
        "view_reviewdeadlines",
        "change_reviewdeadlines",
        "view_deadlineextension",
        "view_reviewreminder",
    ],
}


def give_permissions(apps):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in PERMISSIONS.items():
        for group in Group.objects.filter(name=name):
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label="projects", codename__in=codenames)
            )


def write_implied_events(apps, tz):
    Project = apps.get_model("projects", "Project")
    Event = apps.get_model("projects", "Event")
    reached = set(
        Event.objects.exclude(from_status="").exclude(to_status="").values_list("project_id", "to_status")
    )
    missing = []
    for project in Project.objects.exclude(submitted_on=None).iterator():
        for field, action, frm, to in KEY_DATES:
            day = getattr(project, field)
            if day is not None and (project.pk, to) not in reached:
                missing.append(
                    Event(
                        project_id=project.pk,
                        at=datetime.combine(day, time(12), tzinfo=tz),
                        action=action,
                        from_status=frm,
                        to_status=to,
                        visibility="public",
                    )
                )
    Event.objects.bulk_create(missing, batch_size=1000)


def compute_due_dates(apps, tz):
    Project = apps.get_model("projects", "Project")
    Event = apps.get_model("projects", "Event")
    today = clocks.hub_today()
    changed = []
    for project in Project.objects.filter(status__in=clocks.OPEN):
        changes = [
            clocks.Change(at=at, to_status=to_status)
            for at, to_status in Event.objects.filter(project_id=project.pk)
            .exclude(to_status="")
            .order_by("at", "pk")
            .values_list("at", "to_status")
        ]
        clock = clocks.compute(changes, deadlines=clocks.Deadlines(), extensions={}, today=today, tz=tz)
        project.stage_due_on = clock.stage_due_on
        project.decision_due_on = clock.decision_due_on
        project.clock_paused_on = clock.paused_since
        changed.append(project)
    Project.objects.bulk_update(changed, ["stage_due_on", "decision_due_on", "clock_paused_on"], batch_size=500)


def forward(apps, schema_editor):
    tz = ZoneInfo(settings.TIME_ZONE)
    give_permissions(apps)
    apps.get_model("projects", "ReviewDeadlines").objects.get_or_create(pk=1)
    write_implied_events(apps, tz)
    compute_due_dates(apps, tz)


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0010_event_append_only'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='project',
            name='clock_paused_on',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='clock paused since'),
        ),
        migrations.AddField(
            model_name='project',
            name='decision_due_on',
            field=models.DateField(blank=True, db_index=True, editable=False, null=True, verbose_name='decision due on'),
        ),
        migrations.AddField(
            model_name='project',
            name='stage_due_on',
            field=models.DateField(blank=True, db_index=True, editable=False, null=True, verbose_name='stage due on'),
        ),
        migrations.CreateModel(
            name='ReviewDeadlines',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, editable=False, primary_key=True, serialize=False)),
                ('admissibility_days', models.PositiveSmallIntegerField(default=15, help_text='Calendar days, from submission, to check the application is complete.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(365)], verbose_name='admissibility check (days)')),
                ('opinion_months', models.PositiveSmallIntegerField(default=1, help_text='Calendar months from the start of the review (under review).', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(24)], verbose_name='CESREES opinion (months)')),
                ('authorisation_months', models.PositiveSmallIntegerField(default=2, help_text='Calendar months from the opinion (awaiting authorisation).', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(24)], verbose_name='authorisation (months)')),
                ('authorisation_extension_months', models.PositiveSmallIntegerField(default=2, help_text='Granted once per file, with a reason told to the sponsor.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(24)], verbose_name='extension of the authorisation deadline (months)')),
                ('decision_months', models.PositiveSmallIntegerField(default=3, help_text='Calendar months from the first complete submission (EHDS: 3).', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(24)], verbose_name='overall decision (months)')),
                ('decision_extension_months', models.PositiveSmallIntegerField(default=3, help_text='Granted once per file, with a reason told to the sponsor (EHDS: 3).', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(24)], verbose_name='extension of the decision deadline (months)')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='last change')),
            ],
            options={
                'verbose_name': 'review deadlines',
                'verbose_name_plural': 'review deadlines',
                'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='review_deadlines_single')],
            },
        ),
        migrations.CreateModel(
            name='DeadlineExtension',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('clock', models.CharField(choices=[('authorisation', 'authorisation deadline'), ('decision', 'decision deadline')], max_length=20, verbose_name='deadline')),
                ('months', models.PositiveSmallIntegerField(verbose_name='months added')),
                ('reason', models.TextField(verbose_name='reason')),
                ('granted_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='granted at')),
                ('event', models.OneToOneField(editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='projects.event')),
                ('granted_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='granted by')),
                ('project', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='extensions', to='projects.project')),
            ],
            options={
                'verbose_name': 'deadline extension',
                'verbose_name_plural': 'deadline extensions',
                'ordering': ['granted_at', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('project', 'clock'), name='deadline_extended_once')],
            },
        ),
        migrations.CreateModel(
            name='ReviewReminder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sent_on', models.DateField(verbose_name='sent on')),
                ('recipients', models.TextField(blank=True, verbose_name='sent to')),
                ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='projects.project')),
            ],
            options={
                'verbose_name': 'review reminder',
                'verbose_name_plural': 'review reminders',
                'ordering': ['-sent_on', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('project', 'sent_on'), name='reminder_once_a_day')],
            },
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
