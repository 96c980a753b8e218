"""Migration 0004 turns the partner-admin flag into roles: admins become authorised officers,
other partner users editors, staff keep no role; invitations carry the role they promised."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("accounts", "0003_reminder_emails")]
AFTER = [("accounts", "0004_partner_roles")]


def test_partner_admins_become_officers_and_other_partner_users_editors():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Partner = apps.get_model("partners", "Partner")
    User = apps.get_model("accounts", "User")
    Invitation = apps.get_model("accounts", "Invitation")
    partner = Partner.objects.create(name_ar="جمعية")
    User.objects.create(
        username="admin@partner.example", email="admin@partner.example", partner=partner, is_partner_admin=True
    )
    User.objects.create(username="plain@partner.example", email="plain@partner.example", partner=partner)
    staff = User.objects.create(username="staff", email="staff@charity.example")
    expires = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    for email, admin in (("to-admin@partner.example", True), ("to-plain@partner.example", False)):
        Invitation.objects.create(
            partner=partner,
            email=email,
            make_partner_admin=admin,
            token_hash=email,
            expires_at=expires,
            invited_by=staff,
        )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    roles = dict(apps.get_model("accounts", "User").objects.values_list("username", "partner_role"))
    assert roles == {"admin@partner.example": "officer", "plain@partner.example": "editor", "staff": ""}
    invited = dict(apps.get_model("accounts", "Invitation").objects.values_list("email", "role"))
    assert invited == {"to-admin@partner.example": "officer", "to-plain@partner.example": "editor"}

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
