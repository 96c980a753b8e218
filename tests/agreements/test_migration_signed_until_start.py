"""Migration 0011 puts right what the old rules left: signed-early agreements shown active, and
predecessors marked renewed before their renewal started."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("agreements", "0010_pdf_claimed_by"), ("accounts", "0002_invitation")]


def test_old_statuses_are_put_right(settings):
    settings.PORTAL_TODAY = "2026-12-07"
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Agreement = apps.get_model("agreements", "Agreement")
    Partner = apps.get_model("partners", "Partner")
    User = apps.get_model("accounts", "User")
    partner = Partner.objects.create(name_ar="جمعية")
    owner = User.objects.create(username="owner")

    def agreement(reference, status, starts_on, ends_on, renews=None):
        return Agreement.objects.create(
            reference=reference,
            title_ar="اتفاقية",
            partner=partner,
            owner=owner,
            status=status,
            starts_on=starts_on,
            ends_on=ends_on,
            renews=renews,
        )

    running = agreement("QC-2026-0007", "renewed", datetime.date(2026, 12, 15), datetime.date(2027, 12, 14))
    agreement("QC-2026-0008", "active", datetime.date(2027, 12, 15), datetime.date(2028, 12, 14), renews=running)
    ended = agreement("QC-2025-0001", "renewed", datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    agreement("QC-2026-0001", "active", datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), renews=ended)

    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(latest)
    apps = executor.loader.project_state(latest).apps
    statuses = dict(apps.get_model("agreements", "Agreement").objects.values_list("reference", "status"))
    assert statuses == {
        "QC-2026-0007": "active",  # in force until its renewal starts
        "QC-2026-0008": "signed",  # signed early: in force from 15 December 2027
        "QC-2025-0001": "renewed",  # its renewal did start: unchanged
        "QC-2026-0001": "active",
    }
