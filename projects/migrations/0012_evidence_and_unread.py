"""Evidence before decisions, and the reviewer's unread marker.

- `Event.ground`: the rule a rejection rests on (with a database default, so rows
  written outside Django need not name it; adding the column updates no row, so the
  append-only trigger of 0010 is not involved).
- `Authorisation.decision_number` is checked as DR-YYYY-NNN by the forms. Rows
  already stored are not refused here: the ones that only differ by blanks or case
  (` dr-2025-104`) are normalised; any other format stays as it is, and the review
  refuses to approve on it until staff correct it (`services.transition_blockers`).
- `Project.sponsor_answered_at` and `ThreadRead`: what makes a file unread for a
  staff member.
"""

import re

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


NUMBER = re.compile(r"DR-[0-9]{4}-[0-9]{3,}")


def normalise_decision_numbers(apps, schema_editor):
    Authorisation = apps.get_model("projects", "Authorisation")
    for authorisation in Authorisation.objects.filter(kind="cnil").exclude(decision_number=""):
        normalised = "".join(authorisation.decision_number.split()).upper()
        if normalised != authorisation.decision_number and NUMBER.fullmatch(normalised):
            authorisation.decision_number = normalised
            authorisation.save(update_fields=["decision_number"])


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0011_review_clocks'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='event',
            name='ground',
            field=models.CharField(blank=True, choices=[('not_admissible', 'Not admissible or incomplete'), ('no_public_interest', 'No public interest shown'), ('methodology', 'Methodology unsound'), ('unfavourable_opinion', 'Unfavourable CESREES opinion'), ('cnil_refusal', 'Authorisation refused by the CNIL'), ('other', 'Other ground')], db_default='', default='', max_length=30, verbose_name='ground'),
        ),
        migrations.AddField(
            model_name='project',
            name='sponsor_answered_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='sponsor last wrote or resubmitted at'),
        ),
        migrations.AlterField(
            model_name='authorisation',
            name='decided_on',
            field=models.DateField(help_text='The date of the CNIL decision, or of the declaration.', verbose_name='date'),
        ),
        migrations.AlterField(
            model_name='authorisation',
            name='decision_number',
            field=models.CharField(blank=True, help_text='For a CNIL decision: its number, DR-YYYY-NNN (for example DR-2025-104).', max_length=40, validators=[django.core.validators.RegexValidator(code='cnil_decision_number', message='A CNIL decision number is written DR-YYYY-NNN, for example DR-2025-104.', regex='\\ADR-(?P<year>[0-9]{4})-[0-9]{3,}\\Z')], verbose_name='CNIL decision number'),
        ),
        migrations.AlterField(
            model_name='authorisation',
            name='methodology',
            field=models.CharField(blank=True, choices=[('MR-001', 'MR-001'), ('MR-002', 'MR-002'), ('MR-003', 'MR-003'), ('MR-004', 'MR-004'), ('MR-005', 'MR-005'), ('MR-006', 'MR-006'), ('MR-007', 'MR-007'), ('MR-008', 'MR-008')], help_text='For a project that declares it follows a reference methodology: no CESREES opinion nor CNIL decision is then needed.', max_length=6, verbose_name='reference methodology'),
        ),
        migrations.CreateModel(
            name='ThreadRead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('read_at', models.DateTimeField(verbose_name='read at')),
                ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reads', to='projects.project')),
                ('reader', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'thread read',
                'verbose_name_plural': 'threads read',
                'constraints': [models.UniqueConstraint(fields=('reader', 'project'), name='thread_read_once')],
            },
        ),
        migrations.RunPython(normalise_decision_numbers, migrations.RunPython.noop),
    ]
