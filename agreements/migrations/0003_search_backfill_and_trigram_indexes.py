"""Fill the search columns of existing rows; on PostgreSQL, index them for substring search."""

from django.db import migrations

from common.search import document

TRIGRAM_INDEXES = [
    ("agreements_agreement_search_trgm", "agreements_agreement"),
    ("agreements_clause_search_trgm", "agreements_clause"),
    ("partners_partner_search_trgm", "partners_partner"),
]


def backfill(apps, schema_editor):
    Agreement = apps.get_model("agreements", "Agreement")
    Clause = apps.get_model("agreements", "Clause")
    Partner = apps.get_model("partners", "Partner")
    for a in Agreement.objects.all():
        a.search_text = document(a.reference, a.title_ar, a.title_en, a.summary_ar, a.summary_en)
        a.save(update_fields=["search_text"])
    for c in Clause.objects.all():
        c.search_text = document(c.text_ar, c.text_en)
        c.save(update_fields=["search_text"])
    for p in Partner.objects.all():
        p.search_text = document(p.name_ar, p.name_en, p.city, p.registration_number)
        p.save(update_fields=["search_text"])


def create_trigram_indexes(apps, schema_editor):
    # `LIKE '%word%'` can use a trigram GIN index; SQLite (the demo) simply scans.
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table in TRIGRAM_INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_text gin_trgm_ops)")


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0002_agreement_activated_at_agreement_content_hash_and_more"),
        ("partners", "0002_partner_search_text_historicalcontact_and_more"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
