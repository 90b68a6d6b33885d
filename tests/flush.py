"""A faster end for the transactional tests (browser, integration, migrations) on PostgreSQL.

Django empties the database after each such test (its `flush`): one TRUNCATE of every table,
then the `post_migrate` signal, which writes the content types and permissions again; the
conftest then loads the category taxonomy of the data migration again. On ~110 tables that cost
~1.2 s a test (TRUNCATE ~0.5 s even on empty tables, each table and index getting a new file;
the permissions' queries ~0.3 s; the taxonomy ~0.4 s), against ~0.1 s now:

- right after the test database is migrated, the rows the migrations left (content types,
  permissions, the taxonomy: whichever tables hold rows then) are copied into a schema of their
  own (`keep_seeded_rows`);
- the flush DELETEs the rows of each table, all sent at once inside its one transaction (the
  foreign keys Django creates are DEFERRABLE INITIALLY DEFERRED, so their order does not
  matter), and copies the kept rows back, with their ids: the database is as the migrations
  left it, as before;
- the `post_migrate` signal after the flush is then not needed, and is not sent.

A flush that resets the sequences, and any database but PostgreSQL, keep Django's own.
"""

from __future__ import annotations

from typing import Any

SCHEMA = "sinergi_seeded"
_kept: dict[str, tuple[str, ...]] = {}  # database alias -> the tables whose rows were kept


def keep_seeded_rows(connection: Any) -> None:
    """Copy the rows of every table that holds some (but the migrations' own record) into SCHEMA."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    tables = [t for t in connection.introspection.django_table_names(only_existing=True) if t != "django_migrations"]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        cursor.execute(f"CREATE SCHEMA {SCHEMA}")
        # The tables' names come from Django's introspection, quoted.
        holds = (f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(t)})" for t in tables)  # noqa: S608
        cursor.execute(" UNION ALL ".join(holds), tables)
        seeded = tuple(sorted(row[0] for row in cursor.fetchall()))
        for table in seeded:
            cursor.execute(f"CREATE TABLE {SCHEMA}.{quote(table)} AS TABLE public.{quote(table)}")
    _kept[connection.alias] = seeded


def install() -> None:
    from django.core.management.commands import flush
    from django.db import connections
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush
    emit_post_migrate = flush.emit_post_migrate_signal

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        kept = _kept.get(self.connection.alias)
        if reset_sequences or kept is None:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        quote = self.quote_name
        deletes = [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(quote(t))};" for t in tables]
        restores = [
            f"INSERT INTO {quote(t)} SELECT * FROM {SCHEMA}.{quote(t)};"  # noqa: S608 (introspected names)
            for t in kept
            if t in tables
        ]
        return ["\n".join(deletes + restores)]  # one round trip (psycopg's client-side cursor)

    def emit_post_migrate_signal(verbosity, interactive, db, **kwargs):
        if db in _kept and connections[db].vendor == "postgresql":
            return  # the flush put back what the migrations (and their post_migrate) wrote
        emit_post_migrate(verbosity, interactive, db, **kwargs)

    DatabaseOperations.sql_flush = sql_flush
    flush.emit_post_migrate_signal = emit_post_migrate_signal
