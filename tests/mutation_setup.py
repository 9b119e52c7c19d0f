"""Prepares `make mutation`: a migrated database that each mutant's test database is
copied from (settings read it from TEST_DATABASE_TEMPLATE), created if missing and
migrated to the current models."""

import os
import sys

import psycopg
from django.core.management import call_command


def main() -> None:
    url = os.environ["DATABASE_URL"]
    server, name = url.rsplit("/", 1)
    template = f"{name}_mutation_template"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [template]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{template}"')
    os.environ["DATABASE_URL"] = f"{server}/{template}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    # Connections to the template would stop PostgreSQL from copying it.
    from django.db import connections

    connections.close_all()
    sys.stdout.write(template + "\n")


if __name__ == "__main__":
    main()
