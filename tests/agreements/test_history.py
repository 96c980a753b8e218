import pytest
from django.urls import reverse
from freezegun import freeze_time

from tests.agreements.formdata import agreement_post
from tests.agreements.signing_helpers import sent_agreement
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_every_change_is_in_the_timeline_with_who_and_before_after(staff_client, staff_user):
    partner = PartnerFactory()
    staff_client.post(
        reverse("agreements:create"),
        agreement_post(partner_id=partner.pk, title_ar="العنوان الأول", clauses=[{"text_ar": "نص أول"}]),
    )
    from agreements.models import Agreement

    agreement = Agreement.objects.get()
    clause = agreement.clauses.get()
    staff_client.post(
        reverse("agreements:edit", args=[agreement.reference]),
        agreement_post(
            partner_id=partner.pk,
            title_ar="العنوان الثاني",
            initial_clauses=1,
            clauses=[{"id": clause.pk, "order": 1, "text_ar": "نص ثان"}],
        ),
    )
    response = staff_client.get(reverse("agreements:history", args=[agreement.reference]), HTTP_HX_REQUEST="true")
    timeline = response.context["timeline"]
    changes = {(c.field, c.old, c.new) for entry in timeline for c in entry.changes}
    assert ("العنوان (بالعربية)", "العنوان الأول", "العنوان الثاني") in changes
    assert ("النص (بالعربية)", "نص أول", "نص ثان") in changes
    assert {entry.user for entry in timeline} == {staff_user.display_name}
    assert any(entry.action == "أنشأ" and entry.subject == "الاتفاقية" for entry in timeline)
    body = response.content.decode()
    assert "<html" not in body  # the fragment for the agreement page


def test_partner_users_do_not_see_the_internal_history(client):
    from tests.factories import AgreementFactory, PartnerUserFactory

    user = PartnerUserFactory()
    agreement = AgreementFactory(partner=user.partner)
    client.force_login(user)
    assert client.get(reverse("agreements:history", args=[agreement.reference])).status_code == 404


def test_history_shows_moments_in_riyadh_time_with_the_time_of_day(staff_client, settings):
    """21:42 UTC on 1 December is 00:42 on 2 December in Riyadh: the history says the 2nd, at 00:42."""
    with freeze_time("2026-12-01 21:42:00", tz_offset=0):
        agreement, _contact, _chairman = sent_agreement()
    url = reverse("agreements:history", args=[agreement.reference])

    response = staff_client.get(url)
    sent = next(
        change
        for entry in response.context["timeline"]
        for change in entry.changes
        if change.field == "وقت الإرسال للتوقيع"
    )
    assert sent.new == "2 ديسمبر 2026 00:42 (22 جمادى الآخرة 1448 هـ)"
    body = response.content.decode()
    assert '<time datetime="2026-12-02T00:42+03:00">2 ديسمبر 2026 00:42</time>' in body
    assert "1 ديسمبر" not in body

    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = staff_client.get(url).content.decode()
    assert "2 December 2026 00:42 (22 Jumada al-Akhirah 1448 AH)" in body
    assert "1 December" not in body
