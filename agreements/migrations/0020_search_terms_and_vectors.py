"""Search by stems: refill every search column with terms, and on PostgreSQL add full-text vectors.

The `search_text` columns now hold stemmed terms (common.search.document), not normalised
text; every row is refilled. On PostgreSQL each table gets a stored, generated tsvector of
those terms (the 'simple' configuration: they are already stemmed, so Python and the
database agree), weighted by what the row is, with a GIN index; the tables new to search
get the trigram index the others have, for the misspelling fallback.
"""

from django.db import migrations

from common.search import document

# table → weight of its rows in a ranking (A: titles, references, names; B: clause text;
# C: commitments, progress notes, amendments).
VECTORS = {
    "agreements_agreement": "A",
    "partners_partner": "A",
    "partners_contact": "A",
    "agreements_clause": "B",
    "agreements_commitment": "C",
    "agreements_progressupdate": "C",
    "agreements_amendment": "C",
}
NEW_TRIGRAM = ["agreements_commitment", "agreements_progressupdate", "agreements_amendment", "partners_contact"]

FIELDS = {
    ("agreements", "Agreement"): ("reference", "title_ar", "title_en", "summary_ar", "summary_en"),
    ("agreements", "Clause"): ("text_ar", "text_en"),
    ("agreements", "Commitment"): ("description_ar", "description_en"),
    ("agreements", "ProgressUpdate"): ("note",),
    ("agreements", "Amendment"): ("title_ar", "title_en", "text_ar", "text_en"),
    ("partners", "Partner"): ("name_ar", "name_en", "city", "registration_number"),
    ("partners", "Contact"): ("name_ar", "name_en", "title_ar", "title_en", "email"),
}


def refill(apps, schema_editor):
    for (app, name), fields in FIELDS.items():
        model = apps.get_model(app, name)
        batch = []
        for row in model.objects.only("pk", *fields).iterator(chunk_size=1000):
            row.search_text = document(*(getattr(row, field) for field in fields))
            batch.append(row)
            if len(batch) == 1000:
                model.objects.bulk_update(batch, ["search_text"])
                batch = []
        model.objects.bulk_update(batch, ["search_text"])


def add_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, weight in VECTORS.items():
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
            f"(setweight(to_tsvector('simple'::regconfig, search_text), '{weight}')) STORED"
        )
        schema_editor.execute(f"CREATE INDEX {table}_search_vector ON {table} USING gin (search_vector)")
    for table in NEW_TRIGRAM:
        schema_editor.execute(f"CREATE INDEX {table}_search_trgm ON {table} USING gin (search_text gin_trgm_ops)")


def drop_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in NEW_TRIGRAM:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")
    for table in VECTORS:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0019_search_text_everywhere"),
        ("partners", "0003_contact_search_text"),
    ]

    operations = [
        migrations.RunPython(refill, migrations.RunPython.noop),
        migrations.RunPython(add_vectors, drop_vectors),
    ]
