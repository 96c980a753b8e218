"""The staff agreement page as amended: the amendments in force, the text before, what was removed."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from freezegun import freeze_time

from agreements.models import AmendmentStatus, Clause, Commitment, SignedPdf
from tests.agreements.amendment_helpers import change_end, change_target, drop_commitment, signed_amendment
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
TODAY = datetime.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def today():
    with freeze_time(TODAY):
        yield


@pytest.fixture
def world():
    staff = StaffFactory()
    chairman = StaffFactory(email="chair@charity.example")
    agreement = AgreementFactory(owner=staff)
    training = ClauseFactory(agreement=agreement, order=1, text_ar="بند التدريب")
    trainees = CommitmentFactory(clause=training, description_ar="تدريب المستفيدين", target_quantity=20)
    awareness = ClauseFactory(agreement=agreement, order=2, kind="awareness", text_ar="بند التوعية")
    CommitmentFactory(clause=awareness, description_ar="ورش التوعية", target_quantity=4, unit="workshops")
    workshops = CommitmentFactory(
        clause=awareness, description_ar="ورش ملغاة لاحقًا", target_quantity=3, unit="workshops"
    )
    set_status(agreement, "active")
    contact = ContactFactory(partner=agreement.partner, email="rep@partner.example")
    return {
        "staff": staff,
        "chairman": chairman,
        "contact": contact,
        "agreement": agreement,
        "trainees": trainees,
        "workshops": workshops,
    }


def amend(world, edit, effective_on=datetime.date(2026, 10, 1), **kwargs):
    return signed_amendment(
        world["agreement"],
        edit=edit,
        effective_on=effective_on,
        by=world["staff"],
        chairman=world["chairman"],
        contact=world["contact"],
        **kwargs,
    )


def first(world):
    """Amendment 1: training target 20 → 30, the extra workshops removed."""
    return amend(world, lambda c: drop_commitment(change_target(c, world["trainees"].pk, 30), world["workshops"].pk))


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return re.sub(r"\s+", " ", response.content.decode())


def detail(world) -> str:
    return reverse("agreements:detail", args=[world["agreement"].reference])


def test_an_amendment_in_force_is_named_above_the_text_with_links(client, world):
    amendment = first(world)
    assert amendment.status == AmendmentStatus.ACTIVE
    client.force_login(world["staff"])
    html = page(client, detail(world))
    assert "كما عُدّلت بالملحق رقم" in html
    link = reverse("agreements:amendment", args=[world["agreement"].reference, 1])
    assert f'<a href="{link}" data-testid="amended-by-1">1</a>' in html
    assert reverse("agreements:amendment_before", args=[world["agreement"].reference, 1]) in html


def test_the_agreement_page_shows_the_new_target_and_not_the_removed_commitment_as_current(client, world):
    first(world)
    client.force_login(world["staff"])
    html = page(client, detail(world))
    text, removed = html.split('data-testid="removed-items"', 1)[0], html.split('data-testid="removed-items"', 1)[1]
    assert "30 متدربًا" in html
    assert "20 متدربًا" not in html
    assert f'id="commitment-{world["workshops"].pk}"' not in html
    assert "ورش ملغاة لاحقًا" not in text
    assert "أُلغي بالملحق رقم 1: <bdi>ورش ملغاة لاحقًا</bdi>" in removed.split("</ul>", 1)[0]


def test_two_amendments_read_as_a_dual_in_arabic_and_a_list_in_english(client, world):
    first(world)
    amend(world, lambda c: change_end(c, datetime.date(2028, 6, 30)), effective_on=datetime.date(2026, 10, 15))
    client.force_login(world["staff"])
    html = page(client, detail(world))
    assert "كما عُدّلت بالملحقين رقمي" in html
    assert re.search(r'data-testid="amended-by-1">1</a> و<a [^>]*data-testid="amended-by-2">2</a>', html)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = page(client, detail(world))
    assert re.search(r"As amended by amendments <a [^>]*>1</a> and <a [^>]*>2</a>", html)


def test_no_banner_while_the_amendment_waits_for_its_date(client, world):
    amendment = amend(
        world, lambda c: change_target(c, world["trainees"].pk, 30), effective_on=datetime.date(2027, 1, 1)
    )
    assert amendment.status == AmendmentStatus.SIGNED
    client.force_login(world["staff"])
    html = page(client, detail(world))
    assert 'data-testid="as-amended"' not in html
    assert "20 متدربًا" in html  # not yet in force: the text is the one signed
    assert "موقّع — يسري من" in html
    assert "1 يناير 2027" in html


def test_the_amendments_table_shows_status_effective_and_signed_dates(client, world):
    first(world)
    client.force_login(world["staff"])
    html = page(client, detail(world))
    row = html.split('data-testid="amendment-row-1"', 1)[1].split("</tr>", 1)[0]
    assert "ساري" in row or "نافذ" in row
    assert "1 أكتوبر 2026" in row  # effective on
    assert "1 نوفمبر 2026" in row  # signed on (today)


def test_the_addendum_is_linked_only_once_its_pdf_exists(client, world, settings, tmp_path):
    amendment = first(world)
    client.force_login(world["staff"])
    assert 'data-testid="addendum-pdf-ar"' not in page(client, detail(world))
    SignedPdf.objects.create(
        agreement=world["agreement"],
        amendment=amendment,
        kind="addendum",
        language="ar",
        file=SimpleUploadedFile("addendum.pdf", b"%PDF-1.4"),
        sha256="a" * 64,
        size=8,
    )
    html = page(client, detail(world))
    url = reverse("agreements:amendment_pdf", args=[world["agreement"].reference, 1, "addendum", "ar"])
    assert f'href="{url}"' in html
    assert 'data-testid="consolidated-pdf-ar"' not in html


def test_the_text_before_shows_the_old_target_and_the_removed_commitment_marked_superseded(client, world):
    first(world)
    client.force_login(world["staff"])
    html = page(client, reverse("agreements:amendment_before", args=[world["agreement"].reference, 1]))
    assert "النص قبل الملحق رقم 1" in html
    assert 'data-testid="superseded"' in html and "لم يعد ساريًا" in html
    assert "20 متدربًا" in html
    assert "ورش ملغاة لاحقًا" in html
    assert "15 مارس 2028" in html and "هـ" in html  # the term, both calendars


def test_the_text_before_an_amendment_not_in_force_is_not_found(client, world):
    amend(world, lambda c: change_target(c, world["trainees"].pk, 30), effective_on=datetime.date(2027, 1, 1))
    client.force_login(world["staff"])
    url = reverse("agreements:amendment_before", args=[world["agreement"].reference, 1])
    assert client.get(url).status_code == 404


def test_partner_users_do_not_reach_the_staff_text_before(client, world):
    first(world)
    client.force_login(PartnerUserFactory(partner=world["agreement"].partner))
    url = reverse("agreements:amendment_before", args=[world["agreement"].reference, 1])
    assert client.get(url).status_code == 404


def test_progress_on_a_removed_commitment_is_refused_with_the_reason(client, world):
    first(world)
    client.force_login(world["staff"])
    response = client.get(reverse("agreements:report_progress", args=[world["workshops"].pk]), follow=True)
    assert "أزال الملحق رقم 1 هذا الالتزام" in response.content.decode()
    assert Commitment.objects.get(pk=world["workshops"].pk).removed_by.number == 1
    assert Clause.objects.filter(agreement=world["agreement"], removed_by=None).count() == 2
