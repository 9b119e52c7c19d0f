"""Writing thousands of rows at once on PostgreSQL, several times faster than
`bulk_create` and `bulk_update`, whose Python cost per value and per row dominates at
that size. For an import or a loader; the same results as those two."""

from typing import cast

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Model


def copy_insert(instances: list[Model]) -> None:
    """`bulk_create` through PostgreSQL's COPY: several times faster for thousands of
    rows, as Django neither compiles nor quotes each value. Each instance gets its
    primary key from the table's sequence first, its fields' values as `save` would
    write them (`auto_now` times included), and triggers run as for an INSERT.

    A refused row is reported with COPY's context (its line in the COPY, its column).
    """
    if not instances:
        return
    opts = type(instances[0])._meta
    db = connections[DEFAULT_DB_ALIAS]  # not the proxy: its every use is a lookup
    table, fields = db.ops.quote_name(opts.db_table), opts.concrete_fields
    with db.wrap_database_errors, db.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [opts.db_table, _column(opts.pk), len(instances)],
        )
        for instance, (pk,) in zip(instances, cursor.fetchall(), strict=True):
            instance.pk = pk
        columns = ", ".join(db.ops.quote_name(_column(field)) for field in fields)
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for instance in instances:
                copy.write_row(
                    [field.get_db_prep_save(field.pre_save(instance, True), db) for field in fields]
                )
                instance._state.adding = False
                instance._state.db = db.alias


def array_update(instances: list[Model], names: list[str]) -> None:
    """`bulk_update` in one UPDATE from arrays of the new values, on PostgreSQL: the
    CASE that `bulk_update` builds for each row and field costs seconds of Python for
    a few thousand rows. Triggers run as for any UPDATE of these columns."""
    if not instances:
        return
    opts = type(instances[0])._meta
    db = connections[DEFAULT_DB_ALIAS]
    fields = [
        field for field in opts.concrete_fields if field.primary_key or field.attname in names
    ]
    columns = [db.ops.quote_name(_column(field)) for field in fields]
    # Array types without their length (varchar[], not varchar(300)[]), as Django's own
    # bulk inserts do: the column checks the length and says so in its own words.
    arrays = [f"%s::{str(field.db_type(db)).split('(')[0]}[]" for field in fields]
    with db.cursor() as cursor:
        cursor.execute(
            f"UPDATE {db.ops.quote_name(opts.db_table)} AS old "
            f"SET {', '.join(f'{column} = new.{column}' for column in columns[1:])} "
            f"FROM unnest({', '.join(arrays)}) AS new({', '.join(columns)}) "
            f"WHERE old.{columns[0]} = new.{columns[0]}",
            [
                [field.get_db_prep_save(getattr(row, field.attname), db) for row in instances]
                for field in fields
            ],
        )


def _column(field: Field) -> str:
    """A concrete field's column (the stubs allow None, for fields that have none)."""
    return cast(str, field.column)
