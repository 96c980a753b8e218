"""Each reviewed report's single review comment becomes the first entry of its thread.

Its own migration (its own transaction): PostgreSQL refuses to alter a table in the same
transaction as rows written with deferred foreign-key checks.
"""

from django.db import migrations


def review_comments_to_thread(apps, schema_editor):
    """Each reviewed report's single comment becomes the first entry of its thread."""
    ProgressUpdate = apps.get_model("agreements", "ProgressUpdate")
    ProgressComment = apps.get_model("agreements", "ProgressComment")
    reviewed = ProgressUpdate.objects.exclude(status="submitted").exclude(reviewed_by=None)
    ProgressComment.objects.bulk_create(
        ProgressComment(
            update_id=update.pk,
            author_id=update.reviewed_by_id,
            kind=update.status,
            text=update.review_comment,
            created_at=update.reviewed_at or update.created_at,
        )
        for update in reviewed.iterator()
    )


def thread_to_review_comments(apps, schema_editor):
    """Going back: each report keeps its latest review comment."""
    ProgressUpdate = apps.get_model("agreements", "ProgressUpdate")
    ProgressComment = apps.get_model("agreements", "ProgressComment")
    for comment in ProgressComment.objects.exclude(kind="resubmitted").order_by("created_at", "id").iterator():
        ProgressUpdate.objects.filter(pk=comment.update_id).update(review_comment=comment.text)


class Migration(migrations.Migration):

    dependencies = [
        ("agreements", "0015_progress_review_thread"),
    ]

    operations = [
        migrations.RunPython(review_comments_to_thread, thread_to_review_comments),
    ]
