"""Partner roles replace the partner-admin flag: admins become authorised officers, other partner
users editors; an invitation carries the role. Usernames and e-mails become unique in any case."""

import django.db.models.functions.text
from django.db import migrations, models


def flags_to_roles(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Invitation = apps.get_model("accounts", "Invitation")
    User.objects.filter(partner__isnull=False, is_partner_admin=True).update(partner_role="officer")
    User.objects.filter(partner__isnull=False, is_partner_admin=False).update(partner_role="editor")
    Invitation.objects.filter(make_partner_admin=True).update(role="officer")


def roles_to_flags(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Invitation = apps.get_model("accounts", "Invitation")
    User.objects.filter(partner_role="officer").update(is_partner_admin=True)
    Invitation.objects.filter(role="officer").update(make_partner_admin=True)


ROLES = [("officer", "authorised officer"), ("editor", "editor"), ("viewer", "viewer")]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_reminder_emails"),
        ("partners", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="user", name="partner_admin_has_partner"),
        migrations.AddField(
            model_name="user",
            name="partner_role",
            field=models.CharField(
                blank=True,
                choices=ROLES,
                default="",
                help_text=(
                    "For partner users only. An authorised officer signs from the account and manages colleagues; "
                    "an editor reports progress; a viewer only reads."
                ),
                max_length=10,
                verbose_name="role at the partner",
            ),
        ),
        migrations.AddField(
            model_name="invitation",
            name="role",
            field=models.CharField(
                choices=ROLES, default="editor", max_length=10, verbose_name="role at the partner"
            ),
        ),
        migrations.RunPython(flags_to_roles, roles_to_flags),
        migrations.RemoveField(model_name="user", name="is_partner_admin"),
        migrations.RemoveField(model_name="invitation", name="make_partner_admin"),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(("partner__isnull", True), ("partner_role", ""))
                | models.Q(("partner__isnull", False), ("partner_role__in", ["officer", "editor", "viewer"])),
                name="partner_user_has_role",
                violation_error_message="A partner user needs a role at the partner, and only a partner user has one.",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("username"),
                name="username_unique_any_case",
                violation_error_message="A user with this username already exists.",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                condition=models.Q(("email", ""), _negated=True),
                name="email_unique_any_case",
                violation_error_message="A user with this e-mail address already exists.",
            ),
        ),
    ]
