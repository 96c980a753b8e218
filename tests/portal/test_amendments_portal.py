"""Amendments in the partner portal: the partner's users see them (not drafts), sign, read the text in force."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from freezegun import freeze_time

from agreements.amendments.services import amendment_create
from agreements.models import AmendmentStatus, SignedPdf
from tests.agreements.amendment_helpers import change_target, drop_commitment, signed_amendment
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    ContactFactory,
    PartnerUserFactory,
    StaffFactory,
    set_status,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with freeze_time(datetime.date(2026, 11, 1)):
        yield


@pytest.fixture
def world():
    staff = StaffFactory()
    agreement = AgreementFactory(owner=staff)
    clause = ClauseFactory(agreement=agreement, order=1)
    trainees = CommitmentFactory(clause=clause, description_ar="تدريب المستفيدين", target_quantity=20)
    workshops = CommitmentFactory(clause=clause, description_ar="ورش ملغاة", target_quantity=3, unit="workshops")
    set_status(agreement, "active")
    contact = ContactFactory(partner=agreement.partner, email="rep@partner.example")
    return {
        "staff": staff,
        "chairman": StaffFactory(email="chair@charity.example"),
        "contact": contact,
        "agreement": agreement,
        "trainees": trainees,
        "workshops": workshops,
        "partner_user": PartnerUserFactory(partner=agreement.partner, email="someone@partner.example"),
        "signer": PartnerUserFactory(partner=agreement.partner, email="rep@partner.example", partner_role="officer"),
        "other": PartnerUserFactory(),
    }


def amend(world, effective_on=datetime.date(2026, 10, 1), **kwargs):
    return signed_amendment(
        world["agreement"],
        edit=lambda c: drop_commitment(change_target(c, world["trainees"].pk, 30), world["workshops"].pk),
        effective_on=effective_on,
        by=world["staff"],
        chairman=world["chairman"],
        contact=world["contact"],
        **kwargs,
    )


def url(world, name, *args):
    return reverse(name, args=[world["agreement"].reference, *args])


def page(client, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200, address
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_partner_sees_the_amendment_in_force_with_its_diff_in_arabic(client, world):
    amend(world)
    client.force_login(world["partner_user"])
    html = page(client, url(world, "portal:agreement"))
    assert "كما عُدّلت بالملحق رقم" in html
    assert url(world, "portal:amendment", 1) in html
    html = page(client, url(world, "portal:amendment", 1))
    assert 'data-testid="amendment-diff"' in html
    assert "20 متدربًا" in html and "30 متدربًا" in html  # old struck, new marked
    assert "ورش ملغاة" in html
    assert 'data-testid="sign-amendment"' not in html


def test_removed_commitments_are_not_open_work_in_the_portal(client, world):
    amend(world)
    client.force_login(world["partner_user"])
    agreement_page = page(client, url(world, "portal:agreement"))
    assert f'id="commitment-{world["workshops"].pk}"' not in agreement_page
    assert "30 متدربًا" in agreement_page  # the new target
    commitments = page(client, reverse("portal:commitments"))
    assert "تدريب المستفيدين" in commitments
    assert "ورش ملغاة" not in commitments
    assert f"/portal/commitments/{world['workshops'].pk}/report/" not in commitments


def test_progress_on_a_removed_commitment_is_refused_in_arabic(client, world):
    amend(world)
    client.force_login(world["partner_user"])
    report = reverse("portal:report_progress", args=[world["workshops"].pk])
    response = client.post(report, {"amount": "1", "reported_on": "2026-10-20", "note": "x"}, follow=True)
    assert "أزال الملحق رقم 1 هذا الالتزام من الاتفاقية" in response.content.decode()
    assert not world["workshops"].updates.exists()


def test_the_text_before_shows_the_old_target(client, world):
    amend(world)
    client.force_login(world["partner_user"])
    html = page(client, url(world, "portal:amendment_before", 1))
    assert "النص قبل الملحق رقم 1" in html and "لم يعد ساريًا" in html
    assert "20 متدربًا" in html and "ورش ملغاة" in html


def test_the_partner_signatory_gets_a_sign_button_while_signatures_are_awaited(client, world):
    amend(world, sign=False)
    client.force_login(world["signer"])
    sign = url(world, "agreements:amendment_sign", 1)
    assert f'href="{sign}"' in page(client, url(world, "portal:amendment", 1))
    assert f'href="{sign}"' in page(client, url(world, "portal:agreement"))
    client.force_login(world["partner_user"])  # a colleague not asked to sign
    assert f'href="{sign}"' not in page(client, url(world, "portal:amendment", 1))


def test_a_signed_amendment_waiting_for_its_date_shows_when_it_takes_effect(client, world):
    amendment = amend(world, effective_on=datetime.date(2027, 1, 1))
    assert amendment.status == AmendmentStatus.SIGNED
    client.force_login(world["partner_user"])
    html = page(client, url(world, "portal:amendment", 1))
    assert "موقّع — يسري من" in html and "1 يناير 2027" in html
    assert "20 متدربًا" in page(client, url(world, "portal:agreement"))  # not yet in force
    assert client.get(url(world, "portal:amendment_before", 1)).status_code == 404


def test_pdfs_are_offered_once_ready(client, world):
    amendment = amend(world)
    client.force_login(world["partner_user"])
    assert "addendum-pdf-ar" not in page(client, url(world, "portal:amendment", 1))
    for kind, sha in (("addendum", "b"), ("consolidated", "c")):
        SignedPdf.objects.create(
            agreement=world["agreement"],
            amendment=amendment,
            kind=kind,
            language="ar",
            file=SimpleUploadedFile(f"{kind}.pdf", b"%PDF-1.4"),
            sha256=sha * 64,
            size=8,
        )
    html = page(client, url(world, "portal:amendment", 1))
    assert url(world, "agreements:amendment_pdf", 1, "addendum", "ar") in html
    assert url(world, "agreements:amendment_pdf", 1, "consolidated", "ar") in html


def test_drafts_stay_internal(client, world):
    amendment_create(
        agreement=world["agreement"],
        by=world["staff"],
        changes=[{"op": "term", "old": {"ends_on": "2028-03-15"}, "new": {"ends_on": "2028-06-30"}}],
        effective_on=datetime.date(2027, 1, 1),
        text_ar="مسودة داخلية",
    )
    client.force_login(world["partner_user"])
    assert client.get(url(world, "portal:amendment", 1)).status_code == 404
    assert "مسودة داخلية" not in page(client, url(world, "portal:agreement"))


def test_another_partners_user_gets_404_on_every_amendment_page(client, world):
    amend(world)
    client.force_login(world["other"])
    for name, args in (
        ("portal:agreement", ()),
        ("portal:amendment", (1,)),
        ("portal:amendment_before", (1,)),
        ("agreements:amendment", (1,)),
        ("agreements:amendment_before", (1,)),
    ):
        response = client.get(url(world, name, *args))
        assert response.status_code in (302, 404), name
        assert "تعديل الأهداف" not in response.content.decode()


def test_staff_see_the_same_amendment_on_their_pages_but_not_the_portal(client, world):
    amend(world)
    client.force_login(world["staff"])
    assert client.get(url(world, "portal:amendment", 1)).status_code == 404
    assert "تعديل الأهداف" in page(client, url(world, "agreements:amendment", 1))
