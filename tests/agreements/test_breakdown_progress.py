"""Beneficiary breakdowns outside the period report (#20): the single progress report and the
correction of a returned one ask for the breakdown too and check it adds up, in Arabic."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from agreements.models import ProgressStatus, ProgressUpdate
from agreements.progress import progress_review
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    PartnerUserFactory,
    StaffFactory,
    set_status,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def by_sex(settings):
    settings.PORTAL_TODAY = "2026-06-10"
    agreement = AgreementFactory(starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2027, 12, 31))
    commitment = CommitmentFactory(
        clause=ClauseFactory(agreement=agreement, order=1), party="partner", target_quantity=40, breakdown="sex"
    )
    set_status(agreement, "active")
    return commitment, PartnerUserFactory(partner=agreement.partner)


def test_a_single_report_asks_for_the_breakdown_and_refuses_one_that_does_not_add_up(by_sex, client):
    commitment, user = by_sex
    client.force_login(user)
    url = reverse("portal:report_progress", args=[commitment.pk])
    page = client.get(url).content.decode()
    assert 'name="b_male"' in page and 'name="b_female"' in page
    data = {"amount": 8, "reported_on": "2026-06-01", "note": "", "b_male": 3, "b_female": 4}
    page = client.post(url, data).content.decode()
    assert "مجموع التوزيع (7) لا يساوي الكمية (8)." in page
    assert not ProgressUpdate.objects.exists()
    assert client.post(url, data | {"b_female": 5}).status_code == 302
    assert ProgressUpdate.objects.get().breakdown == {"male": 3, "female": 5}


def test_a_corrected_report_carries_its_corrected_breakdown(by_sex, client):
    commitment, user = by_sex
    update = ProgressUpdate.objects.create(
        commitment=commitment,
        amount=8,
        reported_on=datetime.date(2026, 6, 1),
        reported_by=user,
        status=ProgressStatus.SUBMITTED,
        breakdown={"male": 3, "female": 5},
    )
    progress_review(update=update, accept=False, comment="العدد ستة فقط", by=StaffFactory(is_superuser=True))
    client.force_login(user)
    url = reverse("portal:progress_resubmit", args=[update.pk])
    page = client.get(url).content.decode()
    assert 'name="b_male" value="3"' in page and 'name="b_female" value="5"' in page  # prefilled
    # The amount corrected, the breakdown left as it was: refused, nothing changes.
    data = {"amount": 6, "reported_on": "2026-06-01", "note": "", "b_male": 3, "b_female": 5, "comment": "ستة"}
    page = client.post(url, data).content.decode()
    assert "مجموع التوزيع (8) لا يساوي الكمية (6)." in page
    update.refresh_from_db()
    assert (update.status, update.amount, update.breakdown) == ("returned", 8, {"male": 3, "female": 5})
    assert client.post(url, data | {"b_female": 3}).status_code == 302
    update.refresh_from_db()
    assert (update.status, update.amount, update.breakdown) == ("submitted", 6, {"male": 3, "female": 3})
