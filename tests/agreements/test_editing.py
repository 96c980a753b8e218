"""Staff create and edit agreements on one page; bad input changes nothing."""

import pytest
from django.urls import reverse

from agreements.models import Agreement, AgreementStatus, Clause, Commitment
from tests.agreements.formdata import agreement_post
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    PartnerFactory,
    PartnerUserFactory,
    agreement_with_clauses,
    set_status,
)

pytestmark = pytest.mark.django_db

CREATE = reverse("agreements:create")


def five_clauses():
    kinds = ["training", "jobs", "volunteering", "awareness", "media"]
    return [
        {"kind": kind, "text_ar": f"نص بند {kind}", "commitments": [{"target_quantity": 5 + i}]}
        for i, kind in enumerate(kinds)
    ]


def test_staff_creates_an_agreement_with_clauses_and_commitments(staff_client, staff_user):
    partner = PartnerFactory()
    response = staff_client.post(CREATE, agreement_post(partner_id=partner.pk, clauses=five_clauses()))
    agreement = Agreement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("agreements:detail", args=[agreement.reference])
    assert agreement.status == AgreementStatus.DRAFT
    assert agreement.owner == staff_user
    assert list(agreement.clauses.values_list("order", "kind")) == [
        (1, "training"),
        (2, "jobs"),
        (3, "volunteering"),
        (4, "awareness"),
        (5, "media"),
    ]
    assert sorted(Commitment.objects.values_list("target_quantity", flat=True)) == [5, 6, 7, 8, 9]


def test_reordering_existing_clauses_swaps_their_numbers(staff_client):
    agreement = agreement_with_clauses(clauses=2, commitments_per_clause=1)
    first, second = agreement.clauses.order_by("order")
    data = agreement_post(
        partner_id=agreement.partner_id,
        title_ar=agreement.title_ar,
        initial_clauses=2,
        clauses=[
            {"id": first.pk, "order": 2, "kind": first.kind, "text_ar": first.text_ar},
            {"id": second.pk, "order": 1, "kind": second.kind, "text_ar": second.text_ar},
        ],
    )
    response = staff_client.post(reverse("agreements:edit", args=[agreement.reference]), data)
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.order, second.order) == (2, 1)
    # Commitments stay with their clause.
    assert first.commitments.count() == 1 and second.commitments.count() == 1


def test_removing_a_clause_removes_its_commitments(staff_client):
    agreement = agreement_with_clauses(clauses=2, commitments_per_clause=2)
    first, second = agreement.clauses.order_by("order")
    data = agreement_post(
        partner_id=agreement.partner_id,
        initial_clauses=2,
        clauses=[
            {"id": first.pk, "order": 1, "text_ar": first.text_ar},
            {"id": second.pk, "order": 2, "text_ar": second.text_ar, "DELETE": True},
        ],
    )
    assert staff_client.post(reverse("agreements:edit", args=[agreement.reference]), data).status_code == 302
    assert list(agreement.clauses.values_list("pk", flat=True)) == [first.pk]
    assert Commitment.objects.filter(clause_id=second.pk).count() == 0


BAD_INPUT = [
    ("dates in the wrong order", {"ends_on": "2026-01-01"}, "ends_on", "يجب أن يكون تاريخ الانتهاء بعد تاريخ البدء"),
    ("a target of -3", {"clauses": [{"commitments": [{"target_quantity": -3}]}]}, None, "تحقق من أن تكون هذه القيمة"),
    ("a clause with no text", {"clauses": [{"text_ar": ""}]}, None, "هذا الحقل مطلوب"),
    ("200 000 characters of text", {"clauses": [{"text_ar": "ن" * 200_000}]}, None, "10000"),
    ("a bidi override in the title", {"title_ar": "اتفاقية \u202eمعكوسة"}, "title_ar", "رموز اتجاه النص"),
    (
        "duplicate clause order",
        {"clauses": [{"order": 1}, {"order": 1, "text_ar": "بند آخر"}]},
        None,
        "لا يمكن أن يحمل بندان الرقم نفسه",
    ),
    # Found by the fuzz tests: "¹" passed str.isdigit() when the clauses were sorted for
    # the page, then failed int() with a 500.
    ("a superscript clause number", {"clauses": [{"order": "¹"}]}, None, "أدخل رقما صحيحا"),
]


@pytest.mark.parametrize(("case", "overrides", "field", "message"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_refused_with_a_message_and_saves_nothing(staff_client, case, overrides, field, message):
    partner = PartnerFactory()
    data = agreement_post(partner_id=partner.pk, clauses=overrides.pop("clauses", [{}]), **overrides)
    response = staff_client.post(CREATE, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "لم يُحفظ شيء" in body
    if field:
        assert response.context["form"].errors[field]
    assert Agreement.objects.count() == 0
    assert Clause.objects.count() == 0


def test_values_typed_are_kept_when_another_field_is_invalid(staff_client):
    partner = PartnerFactory()
    data = agreement_post(
        partner_id=partner.pk,
        ends_on="2020-01-01",
        clauses=[{"text_ar": "نص محفوظ", "commitments": [{"description_ar": "التزام محفوظ"}]}],
    )
    body = staff_client.post(CREATE, data).content.decode()
    assert "نص محفوظ" in body
    assert 'value="التزام محفوظ"' in body


def test_read_only_staff_cannot_create_or_edit(client, readonly_user):
    client.force_login(readonly_user)
    agreement = AgreementFactory()
    assert client.get(CREATE).status_code == 403
    data = agreement_post(partner_id=agreement.partner_id, title_ar="تغيير")
    assert client.post(reverse("agreements:edit", args=[agreement.reference]), data).status_code == 403
    agreement.refresh_from_db()
    assert agreement.title_ar != "تغيير"


def test_partner_user_cannot_reach_the_editor(client):
    user = PartnerUserFactory()
    agreement = AgreementFactory(partner=user.partner)
    client.force_login(user)
    assert client.get(CREATE).status_code == 404
    assert client.get(reverse("agreements:edit", args=[agreement.reference])).status_code == 404


def test_a_locked_agreement_cannot_be_edited_through_the_page(staff_client):
    agreement = set_status(agreement_with_clauses(clauses=1), AgreementStatus.AWAITING_SIGNATURES)
    url = reverse("agreements:edit", args=[agreement.reference])
    response = staff_client.get(url, follow=True)
    assert "لم يعد ممكنًا تغيير محتواها" in response.content.decode()
    clause = agreement.clauses.get()
    data = agreement_post(
        partner_id=agreement.partner_id,
        title_ar="عنوان آخر",
        initial_clauses=1,
        clauses=[{"id": clause.pk, "order": 1, "text_ar": "نص آخر"}],
    )
    staff_client.post(url, data)
    agreement.refresh_from_db()
    clause.refresh_from_db()
    assert agreement.title_ar != "عنوان آخر"
    assert clause.text_ar != "نص آخر"


def test_commitment_content_cannot_change_after_sending_but_status_can():
    commitment = CommitmentFactory()
    set_status(commitment.clause.agreement, AgreementStatus.ACTIVE)
    commitment = Commitment.objects.get(pk=commitment.pk)
    commitment.status = "in_progress"
    commitment.save()
    commitment.target_quantity = 999
    from agreements.models import AgreementLocked

    with pytest.raises(AgreementLocked):
        commitment.save()
    with pytest.raises(AgreementLocked):
        ClauseFactory(agreement=commitment.clause.agreement, order=9)
    with pytest.raises(AgreementLocked):
        commitment.clause.delete()
