"""The audit trail is append-only in the database itself.

`Event.save` and `Event.delete` already refuse to change a row, but a queryset's
`update()` and `delete()`, raw SQL or a database shell go around the model. A
trigger on `projects_event` refuses every UPDATE and DELETE, whoever runs it.
INSERT stays open (the trail grows) and TRUNCATE is not a row operation, so
Django's test flush and the benchmark's reset still empty the table. Nothing
happens on SQLite, where `make run` keeps its demo data.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION projects_event_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only: % of event % refused', TG_OP, OLD.id
    USING HINT = 'Events are never updated or deleted: append a new one instead.';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER projects_event_append_only
  BEFORE UPDATE OR DELETE ON projects_event
  FOR EACH ROW EXECUTE FUNCTION projects_event_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS projects_event_append_only ON projects_event;
DROP FUNCTION IF EXISTS projects_event_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("projects", "0009_organisation_verification")]

    operations = [migrations.RunPython(forward, backward)]
