"""The search box's indexes (PostgreSQL only; coordination/search/selectors.py reads them).

- the `unaccent` extension (trusted: the database owner may create it), and `pg_trgm` if it is not
  there yet (incidents 0007 created it first and owns it: going back, this migration drops
  `unaccent` only, never pg_trgm, which that migration's indexes still need);
- two IMMUTABLE functions: `sinergi_search_text(VARIADIC text[])`, the fields joined, without
  accents (unaccent with its dictionary named, so that the result depends on the arguments
  only: what an index expression requires) and lower-cased; `sinergi_search_tsv(VARIADIC
  text[])`, its `simple` tsvector (no stemming: Indonesian words stay as written);
- per document of every kind (coordination/search/kinds.py), a GIN index of its tsvector and a
  GIN trigram index of its typo fields. Expression indexes rather than generated columns: the
  models (and SQLite, the demo's database) do not change, and PostgreSQL keeps them current on
  every write, whoever writes.

The expressions must be written as the selectors write them (same function, same fields in the
same order), or the planner does not use them. SQLite: nothing runs.
"""

from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION sinergi_search_text(VARIADIC parts text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, array_to_string(parts, ' '))) $$;
CREATE OR REPLACE FUNCTION sinergi_search_tsv(VARIADIC parts text[]) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT to_tsvector('simple'::regconfig, sinergi_search_text(VARIADIC parts)) $$;
"""

# (name, table, indexed expression)
INDEXES = [
    ("incident_search_tsv", "incidents_incident", "sinergi_search_tsv(reference, title, description)"),
    ("incident_search_trgm", "incidents_incident", "sinergi_search_text(title) gin_trgm_ops"),
    ("report_search_tsv", "incidents_citizenreport", "sinergi_search_tsv(tracking_code, description)"),
    ("report_search_trgm", "incidents_citizenreport", "sinergi_search_text(description) gin_trgm_ops"),
    (
        "threat_search_tsv",
        "incidents_threat",
        "sinergi_search_tsv(headline, description, instruction, headline_en, description_en)",
    ),
    ("threat_search_trgm", "incidents_threat", "sinergi_search_text(headline) gin_trgm_ops"),
    ("bulletin_search_tsv", "coordination_bulletin", "sinergi_search_tsv(title, body)"),
    ("bulletin_search_trgm", "coordination_bulletin", "sinergi_search_text(title) gin_trgm_ops"),
    (
        "bulletin_rel_search_tsv",
        "coordination_bulletin",
        "sinergi_search_tsv(releasable_title, releasable_body)",
    ),
    ("bulletin_rel_search_trgm", "coordination_bulletin", "sinergi_search_text(releasable_title) gin_trgm_ops"),
    ("operation_search_tsv", "coordination_jointoperation", "sinergi_search_tsv(name, objectives, command_post)"),
    ("operation_search_trgm", "coordination_jointoperation", "sinergi_search_text(name) gin_trgm_ops"),
    ("meeting_search_tsv", "coordination_meeting", "sinergi_search_tsv(title, agenda, place)"),
    ("meeting_search_trgm", "coordination_meeting", "sinergi_search_text(title) gin_trgm_ops"),
    ("agency_search_tsv", "agencies_agency", "sinergi_search_tsv(name, code, address)"),
    ("agency_search_trgm", "agencies_agency", "sinergi_search_text(name) gin_trgm_ops"),
    ("area_search_tsv", "agencies_area", "sinergi_search_tsv(name, code, postal_code)"),
    ("area_search_trgm", "agencies_area", "sinergi_search_text(name) gin_trgm_ops"),
    ("user_search_tsv", "auth_user", "sinergi_search_tsv(first_name, last_name, username)"),
    ("user_search_trgm", "auth_user", "sinergi_search_text(first_name, last_name) gin_trgm_ops"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(FUNCTIONS)
    for name, table, expression in INDEXES:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ({expression})')
    # Statistics of the indexed expressions now (the planner's guess of how many rows a word
    # matches decides between walking the primary key and reading the index's bitmap).
    for table in sorted({table for _name, table, _expression in INDEXES}):
        schema_editor.execute(f'ANALYZE "{table}"')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expression in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    schema_editor.execute("DROP FUNCTION IF EXISTS sinergi_search_tsv(VARIADIC text[])")
    schema_editor.execute("DROP FUNCTION IF EXISTS sinergi_search_text(VARIADIC text[])")
    schema_editor.execute("DROP EXTENSION IF EXISTS unaccent")


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0009_agency_two_factor_required"),
        ("incidents", "0014_threat_expires_index"),
        ("coordination", "0007_meetings"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
