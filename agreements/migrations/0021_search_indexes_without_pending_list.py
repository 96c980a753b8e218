"""Search indexes without a pending list: every search reads the GIN indexes alone.

By default a GIN index gathers new rows in an unsorted "pending list" until VACUUM (or 4 MB
of them) moves them into the index proper, and every search reads that list row by row.
After a bulk load (an import; the search benchmark's 10 000 agreements) all of them sat
there: each search of the agreements' index read 464 pages instead of a few. The portal
writes rows rarely and searches them often, so each write goes into the index at once
(`fastupdate = off`) and what is pending now is moved in.
"""

from django.db import migrations

# The GIN indexes of the search (tsvector and trigram) of migrations 0016 to 0020.
TABLES = [
    "agreements_agreement",
    "agreements_clause",
    "agreements_commitment",
    "agreements_progressupdate",
    "agreements_amendment",
    "partners_partner",
    "partners_contact",
]
GIN_INDEXES = """
    SELECT index.relname FROM pg_index
    JOIN pg_class index ON index.oid = pg_index.indexrelid
    JOIN pg_class tbl ON tbl.oid = pg_index.indrelid
    JOIN pg_am ON pg_am.oid = index.relam
    WHERE pg_am.amname = 'gin' AND tbl.relname = ANY(%s) AND tbl.relnamespace = current_schema()::regnamespace
"""


def _gin_indexes(schema_editor) -> list[str]:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(GIN_INDEXES, [TABLES])
        return [name for (name,) in cursor.fetchall()]


def without_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in _gin_indexes(schema_editor):
        schema_editor.execute(f'ALTER INDEX "{index}" SET (fastupdate = off)')
        schema_editor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])


def with_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in _gin_indexes(schema_editor):
        schema_editor.execute(f'ALTER INDEX "{index}" RESET (fastupdate)')


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0020_search_terms_and_vectors"),
        ("partners", "0003_contact_search_text"),
    ]

    operations = [migrations.RunPython(without_pending_list, with_pending_list)]
