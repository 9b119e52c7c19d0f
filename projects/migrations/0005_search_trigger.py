"""French full-text search on PostgreSQL: accents ignored, words stemmed, ranked.

A text search configuration `portal_french` chains unaccent and the French
stemmer, so "donnees" finds "Données" and "cancers" finds "cancer". A trigger
keeps `projects_project.search_vector` up to date from the title (weight A),
the sponsor's name (B) and the public summary (C); renaming an organisation
refreshes its projects. A GIN index serves the searches. Nothing happens on
SQLite, where `make run` falls back to a simpler search.
"""

from django.db import migrations

FORWARD = """
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'portal_french') THEN
    CREATE TEXT SEARCH CONFIGURATION portal_french (COPY = french);
    ALTER TEXT SEARCH CONFIGURATION portal_french
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
  END IF;
END $$;

CREATE OR REPLACE FUNCTION projects_project_search_update() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('portal_french', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('portal_french', coalesce(
      (SELECT name FROM projects_organisation WHERE id = NEW.sponsor_id), '')), 'B') ||
    setweight(to_tsvector('portal_french', coalesce(NEW.summary, '')), 'C');
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER projects_project_search
  BEFORE INSERT OR UPDATE OF title, summary, sponsor_id ON projects_project
  FOR EACH ROW EXECUTE FUNCTION projects_project_search_update();

CREATE OR REPLACE FUNCTION projects_organisation_renamed() RETURNS trigger AS $$
BEGIN
  UPDATE projects_project SET sponsor_id = sponsor_id WHERE sponsor_id = NEW.id;
  RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER projects_organisation_search
  AFTER UPDATE OF name ON projects_organisation
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
  EXECUTE FUNCTION projects_organisation_renamed();

CREATE INDEX project_search_gin ON projects_project USING gin (search_vector);
UPDATE projects_project SET title = title;
"""

BACKWARD = """
DROP INDEX IF EXISTS project_search_gin;
DROP TRIGGER IF EXISTS projects_organisation_search ON projects_organisation;
DROP FUNCTION IF EXISTS projects_organisation_renamed();
DROP TRIGGER IF EXISTS projects_project_search ON projects_project;
DROP FUNCTION IF EXISTS projects_project_search_update();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("projects", "0004_search_fields")]

    operations = [migrations.RunPython(forward, backward)]
