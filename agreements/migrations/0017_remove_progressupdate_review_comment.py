from django.db import migrations


class Migration(migrations.Migration):
    """The review comment lives in the report's thread now (agreements.ProgressComment)."""

    dependencies = [
        ("agreements", "0016_review_comments_into_thread"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="progressupdate",
            name="review_comment",
        ),
    ]
