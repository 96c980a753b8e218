"""The partner list's counts, and the partner portal's commitments page in pages of 100."""

import pytest
from django.urls import reverse

from agreements.models import Agreement, AgreementStatus
from portal.views import COMMITMENTS_PAGE_SIZE
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    ContactFactory,
    PartnerFactory,
    PartnerUserFactory,
)

pytestmark = pytest.mark.django_db


def test_partner_list_counts_each_agreement_once_whatever_the_number_of_contacts(staff_client):
    partner = PartnerFactory(name_ar="جمعية العطاء النسائية بالقطيف")
    ContactFactory.create_batch(3, partner=partner)
    AgreementFactory.create_batch(2, partner=partner)
    active = AgreementFactory(partner=partner)
    Agreement.objects.filter(pk=active.pk).update(status=AgreementStatus.ACTIVE)

    response = staff_client.get(reverse("partners:list"))

    listed = {p.pk: p for p in response.context["partners"]}[partner.pk]
    # Counted through a join with the contacts, 3 agreements with 3 contacts read as 9.
    assert (listed.agreement_count, listed.active_count, listed.contact_count) == (3, 1, 3)


def test_portal_commitments_come_in_pages_and_the_second_page_has_the_rest(client):
    user = PartnerUserFactory()
    agreement = AgreementFactory(partner=user.partner)
    clause = ClauseFactory(agreement=agreement)
    total = COMMITMENTS_PAGE_SIZE + 5
    CommitmentFactory.create_batch(total, clause=clause)
    Agreement.objects.filter(pk=agreement.pk).update(status=AgreementStatus.ACTIVE)
    client.force_login(user)

    def shown(page: int) -> int:
        response = client.get(reverse("portal:commitments"), {"page": page})
        assert response.status_code == 200
        return sum(len(items) for _agreement, _kind, items in response.context["groups"])

    assert shown(1) == COMMITMENTS_PAGE_SIZE
    assert shown(2) == total - COMMITMENTS_PAGE_SIZE
