"""Amendments as change sets: the editor, the stored changes, the diff, the rules, audit and history."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.amendments import ChangeConflict, apply_changes, change_rows, content_as_amended
from agreements.amendments.content import changes_between, content_from_json, content_of, same_content
from agreements.amendments.services import amendment_create, amendment_in_force
from agreements.history import agreement_timeline
from agreements.lifecycle import TransitionError
from agreements.models import Agreement, Amendment, AmendmentStatus, AuditEvent, AuditKind, Clause, Commitment
from tests.agreements.amendment_helpers import (
    add_clause,
    add_commitment,
    clause_prefix,
    commitment_prefix,
    editor_fields,
)
from tests.factories import AgreementFactory, ClauseFactory, CommitmentFactory, StaffFactory, set_status

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def agreement():
    """In force from 16 March 2026 to 15 March 2028; clause 1 with two commitments, clause 2 with one."""
    agreement = AgreementFactory(starts_on=D(2026, 3, 16), ends_on=D(2028, 3, 15))
    first = ClauseFactory(agreement=agreement, order=1, kind="training", text_ar="تقدم الجهة التدريب للمستفيدين.")
    second = ClauseFactory(agreement=agreement, order=2, kind="jobs", text_ar="توفير الفرص الوظيفية.")
    CommitmentFactory(clause=first, description_ar="تدريب المستفيدين", description_en="Training beneficiaries")
    CommitmentFactory(clause=first, description_ar="ورش العمل", target_quantity=4, unit="workshops")
    CommitmentFactory(clause=second, description_ar="فرص وظيفية", target_quantity=10, unit="job_opportunities")
    return set_status(agreement, "active")


def _url(name, agreement, *args):
    return reverse(f"agreements:{name}", args=[agreement.reference, *args])


def _save(client, agreement, fields, number=None, **extra):
    url = _url("amendment_edit", agreement, number) if number else _url("amendment_create", agreement)
    return client.post(url, fields, **extra)


def _reason(fields, effective_on="2027-01-01"):
    fields.update({"effective_on": effective_on, "text_ar": "تعديل الأهداف بعد المراجعة", "text_en": ""})
    return fields


def _clause(agreement, order):
    return agreement.clauses.get(order=order)


def _commitment(agreement, description):
    return Commitment.objects.get(clause__agreement=agreement, description_ar=description)


def _page(client, url) -> str:
    """The page's HTML without the `<bdi>` isolating each text run."""
    return client.get(url).content.decode().replace("<bdi>", "").replace("</bdi>", "")


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


# The editor ---------------------------------------------------------------------------------


def test_the_editor_is_pre_filled_with_the_agreements_current_content(staff_client, agreement):
    fields = editor_fields(staff_client, agreement)
    first, training = _clause(agreement, 1), _commitment(agreement, "تدريب المستفيدين")
    prefix = clause_prefix(fields, first.pk)
    assert fields[f"{prefix}-text_ar"] == "تقدم الجهة التدريب للمستفيدين."
    assert fields[f"{prefix}-kind"] == "training"
    assert fields["clauses-TOTAL_FORMS"] == "2"
    cprefix = commitment_prefix(fields, training.pk)
    assert cprefix.startswith(prefix)
    assert (fields[f"{cprefix}-target_quantity"], fields[f"{cprefix}-unit"], fields[f"{cprefix}-due_on"]) == (
        "20",
        "trainees",
        "2027-01-31",
    )
    assert fields["ends_on"] == "2028-03-15"
    page = staff_client.get(_url("amendment_create", agreement)).content.decode()
    # The effective date and the new end date show the Hijri date beside them.
    assert 'data-other-calendar="id_effective_on_other_calendar"' in page
    assert 'data-other-calendar="id_ends_on_other_calendar"' in page


def test_an_unchanged_editor_saves_nothing(staff_client, agreement):
    events = agreement.audit_count
    response = _save(staff_client, agreement, _reason(editor_fields(staff_client, agreement)), follow=True)
    assert "هذا الملحق لا يغيّر شيئًا" in response.content.decode()
    assert not Amendment.objects.exists()
    agreement.refresh_from_db()
    assert agreement.audit_count == events


# Each kind of change: stored as a change set, shown in the diff ----------------------------------


def _every_kind_of_change(client, agreement) -> Amendment:
    fields = _reason(editor_fields(client, agreement))
    first, second = _clause(agreement, 1), _clause(agreement, 2)
    training, workshops = _commitment(agreement, "تدريب المستفيدين"), _commitment(agreement, "ورش العمل")
    one = clause_prefix(fields, first.pk)
    fields[f"{one}-text_ar"] = "تقدم الجهة التدريب والتأهيل للمستفيدين."
    fields[f"{one}-text_en"] = "The partner trains and qualifies beneficiaries."
    t = commitment_prefix(fields, training.pk)
    fields.update(
        {
            f"{t}-target_quantity": "30",
            f"{t}-due_on": "2027-06-30",
            f"{t}-party": "charity",
            f"{t}-description_ar": "تدريب المستفيدين والمستفيدات",
        }
    )
    fields[f"{commitment_prefix(fields, workshops.pk)}-DELETE"] = "on"
    add_commitment(fields, one, description_ar="برامج توعوية", target_quantity=3, unit="programmes")
    fields[f"{clause_prefix(fields, second.pk)}-DELETE"] = "on"
    add_clause(
        fields,
        order=3,
        kind="volunteering",
        text_ar="إتاحة الفرص التطوعية للشباب.",
        text_en="Volunteering opportunities for young people.",
        commitments=[
            {"description_ar": "متطوعون", "target_quantity": 15, "unit": "volunteers", "due_on": "2027-09-30"}
        ],
    )
    fields["ends_on"] = "2029-03-15"
    response = _save(client, agreement, fields)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Amendment.objects.get(agreement=agreement)


def test_each_kind_of_change_is_stored_as_what_changed(staff_client, agreement):
    first, second = _clause(agreement, 1), _clause(agreement, 2)
    training, workshops = _commitment(agreement, "تدريب المستفيدين"), _commitment(agreement, "ورش العمل")
    amendment = _every_kind_of_change(staff_client, agreement)
    assert (amendment.number, amendment.status, amendment.effective_on) == (1, "draft", D(2027, 1, 1))
    ops = {(op["op"], op.get("clause"), op.get("commitment")): op for op in amendment.changes}
    assert ops[("term", None, None)]["old"] == {"ends_on": "2028-03-15"}
    assert ops[("term", None, None)]["new"] == {"ends_on": "2029-03-15"}
    change = ops[("clause_change", first.pk, None)]
    assert set(change["new"]) == {"text_ar", "text_en"}
    assert change["old"]["text_ar"] == "تقدم الجهة التدريب للمستفيدين."
    target = ops[("commitment_change", first.pk, training.pk)]
    assert target["old"]["target_quantity"] == 20
    assert target["new"] == {
        "target_quantity": 30,
        "due_on": "2027-06-30",
        "party": "charity",
        "description_ar": "تدريب المستفيدين والمستفيدات",
    }
    assert ops[("commitment_remove", first.pk, workshops.pk)]["old"]["description_ar"] == "ورش العمل"
    assert ops[("commitment_add", first.pk, "n1")]["new"]["description_ar"] == "برامج توعوية"
    removed = ops[("clause_remove", second.pk, None)]
    assert [m["description_ar"] for m in removed["old"]["commitments"]] == ["فرص وظيفية"]
    assert ops[("clause_add", "n2", None)]["new"]["kind"] == "volunteering"
    assert ops[("commitment_add", "n2", "n3")]["new"]["target_quantity"] == 15
    # The agreement itself is untouched: its rows are locked, the amendment holds the change.
    assert _clause(agreement, 1).text_ar == "تقدم الجهة التدريب للمستفيدين."
    assert Commitment.objects.get(pk=training.pk).target_quantity == 20
    assert Clause.objects.filter(pk=second.pk).exists()
    assert Agreement.objects.get(pk=agreement.pk).ends_on == D(2028, 3, 15)


def test_the_amendment_page_shows_the_diff_in_arabic(staff_client, agreement):
    amendment = _every_kind_of_change(staff_client, agreement)
    page = _page(staff_client, _url("amendment", agreement, amendment.number))
    assert "الملحق رقم 1" in page
    assert "<del>20 متدربًا</del>" in page and "<ins>30 متدربًا</ins>" in page
    # Clause text compared word by word: only the new words are marked.
    assert "<ins>والتأهيل</ins>" in page
    assert "<del>15 مارس 2028" in page and "<ins>15 مارس 2029" in page
    assert "<del>ورش العمل</del>" in page  # a removed commitment, struck
    assert "<del>توفير الفرص الوظيفية.</del>" in page  # a removed clause, struck
    assert "<ins>إتاحة الفرص التطوعية للشباب.</ins>" in page  # an added clause
    assert "<ins>15 متطوعًا</ins>" in page  # its commitment
    assert "<ins>برامج توعوية</ins>" in page  # a commitment added to a kept clause
    assert "أُضيف" in page and "حُذف" in page and "عُدّل" in page
    # The effective date in both calendars.
    assert "1 يناير 2027" in page and "1448 هـ" in page


def test_the_amendment_page_shows_the_diff_in_english(staff_client, agreement):
    amendment = _every_kind_of_change(staff_client, agreement)
    _english(staff_client)
    page = _page(staff_client, _url("amendment", agreement, amendment.number))
    assert "Amendment 1" in page
    assert "<del>20 trainees</del>" in page and "<ins>30 trainees</ins>" in page
    assert "The partner <del>provides qualification</del> <ins>trains</ins> and" in page
    assert "<del>15 March 2028" in page and "<ins>15 March 2029" in page
    assert "Commitment, The partner: Training beneficiaries" in page
    assert "<ins>Volunteering opportunities for young people.</ins>" in page
    assert "<ins>15 volunteers</ins>" in page
    assert "removed" in page and "added" in page and "changed" in page


def test_change_rows_go_clause_by_clause(staff_client, agreement):
    amendment = _every_kind_of_change(staff_client, agreement)
    rows = [(row.level, row.action) for row in change_rows(amendment)]
    assert rows == [
        ("term", "changed"),
        ("clause", "changed"),  # clause 1: its text
        ("commitment", "removed"),
        ("commitment", "changed"),
        ("commitment", "added"),
        ("clause", "removed"),  # clause 2, with its commitment
        ("commitment", "removed"),
        ("clause", "added"),  # the new clause 3, with its commitment
        ("commitment", "added"),
    ]


def test_the_agreement_page_lists_its_amendments(staff_client, agreement):
    amendment = _every_kind_of_change(staff_client, agreement)
    page = staff_client.get(reverse("agreements:detail", args=[agreement.reference])).content.decode()
    assert _url("amendment", agreement, amendment.number) in page
    assert "الملحق رقم 1" in page and "مسودة" in page
    assert '<time datetime="2027-01-01">1 يناير 2027</time>' in page and "1448 هـ" in page


# Editing and deleting a draft -------------------------------------------------------------------


def test_a_draft_amendment_reopens_as_it_amends_and_can_be_changed(staff_client, agreement):
    amendment = _every_kind_of_change(staff_client, agreement)
    fields = editor_fields(staff_client, agreement, amendment.number)
    training = _commitment(agreement, "تدريب المستفيدين")
    t = commitment_prefix(fields, training.pk)
    assert fields[f"{t}-target_quantity"] == "30"
    assert fields["ends_on"] == "2029-03-15"
    # Clause 2 is shown with its removal ticked (it can be undone); clause 3 is a new row.
    assert fields["clauses-TOTAL_FORMS"] == "3"
    assert fields[f"{clause_prefix(fields, _clause(agreement, 2).pk)}-DELETE"] == "on"
    assert fields[f"{commitment_prefix(fields, _commitment(agreement, 'ورش العمل').pk)}-DELETE"] == "on"
    assert "إتاحة الفرص التطوعية للشباب." in fields.values()
    fields[f"{t}-target_quantity"] = "40"
    fields["effective_on"] = "2027-02-01"
    response = _save(staff_client, agreement, fields, amendment.number, REMOTE_ADDR="203.0.113.20")
    assert response.status_code == 302
    amendment.refresh_from_db()
    assert amendment.effective_on == D(2027, 2, 1)
    target = next(op for op in amendment.changes if op.get("commitment") == training.pk)
    assert target["new"]["target_quantity"] == 40 and target["old"]["target_quantity"] == 20
    assert len(amendment.changes) == 8  # the same changes, with the new target
    event = AuditEvent.objects.filter(agreement=agreement).latest("sequence")
    assert (event.kind, event.ip, event.details["number"]) == (AuditKind.AMENDMENT_EDITED, "203.0.113.20", 1)


def test_a_draft_amendment_is_deleted_after_confirmation(staff_client, agreement):
    amendment = _every_kind_of_change(staff_client, agreement)
    confirm = staff_client.get(_url("amendment_delete", agreement, 1))
    assert confirm.status_code == 200 and "حذف" in confirm.content.decode()
    assert Amendment.objects.filter(pk=amendment.pk).exists()
    response = staff_client.post(
        _url("amendment_delete", agreement, 1), HTTP_USER_AGENT="Mozilla/5.0 (delete test)", follow=True
    )
    assert not Amendment.objects.filter(pk=amendment.pk).exists()
    assert "حُذفت مسودة الملحق رقم 1" in response.content.decode()
    event = AuditEvent.objects.filter(agreement=agreement).latest("sequence")
    assert (event.kind, event.user_agent) == (AuditKind.AMENDMENT_DELETED, "Mozilla/5.0 (delete test)")


@pytest.mark.parametrize("status", [AmendmentStatus.AWAITING_SIGNATURES, AmendmentStatus.ACTIVE])
def test_an_amendment_past_draft_is_neither_changed_nor_deleted(staff_client, agreement, status):
    amendment = _every_kind_of_change(staff_client, agreement)
    Amendment.objects.filter(pk=amendment.pk).update(status=status)
    changes = Amendment.objects.get(pk=amendment.pk).changes
    events = Agreement.objects.get(pk=agreement.pk).audit_count
    response = staff_client.get(_url("amendment_edit", agreement, 1), follow=True)
    assert "لم يعد الملحق رقم 1 مسودة" in response.content.decode()
    response = staff_client.post(_url("amendment_delete", agreement, 1), follow=True)
    assert "لم يعد الملحق رقم 1 مسودة" in response.content.decode()
    assert Amendment.objects.get(pk=amendment.pk).changes == changes
    assert Agreement.objects.get(pk=agreement.pk).audit_count == events
    page = staff_client.get(_url("amendment", agreement, 1)).content.decode()
    assert _url("amendment_edit", agreement, 1) not in page


# Refusals: a clear Arabic message, nothing changed ---------------------------------------------------


def _target_changed(client, agreement, **header):
    fields = _reason(editor_fields(client, agreement))
    t = commitment_prefix(fields, _commitment(agreement, "تدريب المستفيدين").pk)
    fields[f"{t}-target_quantity"] = "25"
    fields.update(header)
    return fields


def _nothing_changed(agreement, events):
    assert not Amendment.objects.filter(agreement=agreement).exists()
    assert Agreement.objects.get(pk=agreement.pk).audit_count == events


@pytest.mark.parametrize(
    ("effective_on", "message"),
    [
        ("2020-05-01", "لا يسري الملحق قبل بدء الاتفاقية في 16 مارس 2026"),
        ("2026-03-15", "لا يسري الملحق قبل بدء الاتفاقية في 16 مارس 2026"),
        ("2028-03-16", "يجب أن يقع تاريخ السريان ضمن مدة الاتفاقية، حتى 15 مارس 2028"),
    ],
)
def test_an_effective_date_outside_the_term_is_refused_at_the_field(staff_client, agreement, effective_on, message):
    events = agreement.audit_count
    response = _save(staff_client, agreement, _target_changed(staff_client, agreement, effective_on=effective_on))
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert 'id="id_effective_on"' in page and "is-invalid" in page
    _nothing_changed(agreement, events)


def test_a_shortened_term_must_still_cover_the_effective_date_and_due_dates(staff_client, agreement):
    events = agreement.audit_count
    fields = _target_changed(staff_client, agreement, ends_on="2027-03-31", effective_on="2027-06-01")
    page = _save(staff_client, agreement, fields).content.decode()
    assert "يجب أن يقع تاريخ السريان ضمن مدة الاتفاقية، حتى 31 مارس 2027" in page
    # Ending before the commitments are due: each due date is marked at its field.
    fields = _target_changed(staff_client, agreement, ends_on="2026-12-31", effective_on="2026-12-01")
    page = _save(staff_client, agreement, fields).content.decode()
    assert page.count("يجب أن تقع تواريخ الاستحقاق ضمن مدة الاتفاقية، من 16 مارس 2026") == 3
    _nothing_changed(agreement, events)


def test_a_second_amendment_is_refused_while_one_is_in_progress(staff_client, agreement):
    staff_client.post(_url("amendment_create", agreement), _target_changed(staff_client, agreement))
    first = Amendment.objects.get(agreement=agreement)
    events = Agreement.objects.get(pk=agreement.pk).audit_count
    for status in (AmendmentStatus.DRAFT, AmendmentStatus.AWAITING_SIGNATURES):
        Amendment.objects.filter(pk=first.pk).update(status=status)
        response = staff_client.get(_url("amendment_create", agreement), follow=True)
        assert "الملحق رقم 1 لم يكتمل بعد" in response.content.decode()
        response = staff_client.post(_url("amendment_create", agreement), {"effective_on": "2027-01-01"}, follow=True)
        assert "الملحق رقم 1 لم يكتمل بعد" in response.content.decode()
    assert list(Amendment.objects.filter(agreement=agreement)) == [first]
    assert Agreement.objects.get(pk=agreement.pk).audit_count == events


def _in_force(amendment: Amendment) -> Amendment:
    """Amendment signed (rows as the signing services leave them) and brought into force on its date."""
    Amendment.objects.filter(pk=amendment.pk).update(status=AmendmentStatus.SIGNED)
    assert amendment_in_force(amendment=amendment, today=amendment.effective_on)
    return Amendment.objects.get(pk=amendment.pk)


def test_after_one_is_in_force_the_next_amendment_is_number_2_and_builds_on_it(staff_client, agreement):
    staff_client.post(_url("amendment_create", agreement), _target_changed(staff_client, agreement))
    _in_force(Amendment.objects.get(agreement=agreement))
    fields = editor_fields(staff_client, agreement)
    t = commitment_prefix(fields, _commitment(agreement, "تدريب المستفيدين").pk)
    assert fields[f"{t}-target_quantity"] == "25"  # as amendment 1 left it
    fields[f"{t}-target_quantity"] = "35"
    _save(staff_client, agreement, _reason(fields, "2027-03-01"))
    second = Amendment.objects.get(agreement=agreement, number=2)
    assert second.changes[0]["old"]["target_quantity"] == 25
    assert content_as_amended(agreement, [second]).commitments()[0].target_quantity == 35


@pytest.mark.parametrize("status", ["draft", "awaiting_signatures", "expired", "terminated", "renewed"])
def test_only_a_running_or_signed_agreement_can_be_amended(staff_client, agreement, status):
    fields = _target_changed(staff_client, agreement)
    set_status(agreement, status)
    events = Agreement.objects.get(pk=agreement.pk).audit_count
    for response in (
        staff_client.get(_url("amendment_create", agreement), follow=True),
        staff_client.post(_url("amendment_create", agreement), fields, follow=True),
    ):
        assert "لا يُعدَّل إلا اتفاقية سارية، أو موقّعة لم يبدأ سريانها بعد" in response.content.decode()
    _nothing_changed(agreement, events)
    with pytest.raises(TransitionError):
        amendment_create(
            agreement=agreement,
            by=StaffFactory(),
            changes=[{"op": "term", "old": {"ends_on": "2028-03-15"}, "new": {"ends_on": "2029-03-15"}}],
            effective_on=D(2027, 1, 1),
            text_ar="تمديد",
        )


def test_a_signed_agreement_not_yet_started_can_be_amended_from_its_start(staff_client):
    agreement = AgreementFactory(starts_on=D(2027, 1, 1), ends_on=D(2027, 12, 31))
    CommitmentFactory(clause=ClauseFactory(agreement=agreement, order=1), due_on=D(2027, 6, 30))
    set_status(agreement, "signed")
    page = staff_client.get(reverse("agreements:detail", args=[agreement.reference])).content.decode()
    assert _url("amendment_create", agreement) in page
    fields = _reason(editor_fields(staff_client, agreement), effective_on="2026-12-20")
    fields["ends_on"] = "2028-12-31"
    assert "لا يسري الملحق قبل بدء الاتفاقية" in _save(staff_client, agreement, fields).content.decode()
    fields["effective_on"] = "2027-01-01"
    assert _save(staff_client, agreement, fields).status_code == 302
    assert Amendment.objects.get(agreement=agreement).changes == [
        {"op": "term", "old": {"ends_on": "2027-12-31"}, "new": {"ends_on": "2028-12-31"}}
    ]


def test_a_tampered_key_is_refused(staff_client, agreement):
    events = agreement.audit_count
    fields = _target_changed(staff_client, agreement)
    other = CommitmentFactory(clause=ClauseFactory(agreement=AgreementFactory()))
    t = commitment_prefix(fields, _commitment(agreement, "تدريب المستفيدين").pk)
    fields[f"{t}-key"] = str(other.pk)
    assert "لم تعد الصفحة تطابق محتوى الاتفاقية" in _save(staff_client, agreement, fields).content.decode()
    _nothing_changed(agreement, events)


def test_readonly_staff_and_partner_users_cannot_amend(client, agreement):
    from tests.factories import PartnerUserFactory, ReadOnlyStaffFactory

    client.force_login(ReadOnlyStaffFactory())
    assert client.get(_url("amendment_create", agreement)).status_code == 403
    client.force_login(PartnerUserFactory(partner=agreement.partner))
    assert client.get(_url("amendment_create", agreement)).status_code == 404


# The apply function -------------------------------------------------------------------------------


def test_in_force_writes_every_kind_of_change_into_the_rows_and_keeps_the_text_before(staff_client, agreement):
    training, workshops = _commitment(agreement, "تدريب المستفيدين"), _commitment(agreement, "ورش العمل")
    jobs_clause = _clause(agreement, 2)
    before = content_of(agreement)
    first = _every_kind_of_change(staff_client, agreement)
    with CaptureQueriesContext(connection) as queries:
        expected = content_as_amended(agreement, [first])
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)
    assert content_of(agreement) == before  # nothing is written before the amendment is in force

    first = _in_force(first)
    assert first.status == AmendmentStatus.ACTIVE and first.in_force_at is not None
    assert content_from_json(first.content_before) == before
    agreement.refresh_from_db()
    now = content_of(agreement)
    assert same_content(now, expected)
    assert now.ends_on == D(2029, 3, 15) == Agreement.objects.get(pk=agreement.pk).ends_on
    # Changed rows keep their ids; removed rows are kept, marked and cancelled; new ones are rows.
    training.refresh_from_db()
    assert (training.target_quantity, training.due_on, training.party) == (30, D(2027, 6, 30), "charity")
    workshops.refresh_from_db()
    assert workshops.removed_by == first and workshops.status == "cancelled"
    jobs_clause.refresh_from_db()
    assert jobs_clause.removed_by == first
    assert set(first.new_rows) == {"n1", "n2", "n3"}
    added = Clause.objects.get(pk=first.new_rows["n2"])
    assert (added.order, added.kind, added.removed_by) == (3, "volunteering", None)
    assert added.commitments.get().pk == first.new_rows["n3"]
    audit = AuditEvent.objects.filter(agreement=agreement).order_by("-sequence").first()
    assert audit.kind == AuditKind.AMENDMENT_IN_FORCE and audit.details["number"] == 1

    # Amendment 2 changes what amendment 1 added: by its row, now an ordinary clause.
    fields = _reason(editor_fields(staff_client, agreement), "2027-05-01")
    volunteering = clause_prefix(fields, added.pk)
    fields[f"{volunteering}-text_ar"] = "إتاحة الفرص التطوعية للشباب والشابات."
    _save(staff_client, agreement, fields)
    second = Amendment.objects.get(agreement=agreement, number=2)
    assert [op["op"] for op in second.changes] == ["clause_change"] and second.changes[0]["clause"] == added.pk


def test_a_change_set_that_no_longer_fits_is_refused():
    agreement = AgreementFactory(starts_on=D(2026, 3, 16), ends_on=D(2028, 3, 15))
    commitment = CommitmentFactory(clause=ClauseFactory(agreement=agreement, order=1))
    base = content_of(agreement)
    edited = base.__class__(
        base.starts_on,
        base.ends_on,
        (base.clauses[0].__class__(**{**base.clauses[0].__dict__, "commitments": ()}),),
    )
    changes = changes_between(base, edited)
    assert changes[0]["op"] == "commitment_remove" and changes[0]["commitment"] == commitment.pk
    assert apply_changes(base, changes, number=1).commitments() == []
    with pytest.raises(ChangeConflict):
        apply_changes(apply_changes(base, changes, number=1), changes, number=2)  # removed already
    stale = [{**changes[0], "old": {**changes[0]["old"], "target_quantity": 99}}]
    with pytest.raises(ChangeConflict):
        apply_changes(base, stale, number=1)
    with pytest.raises(ChangeConflict):
        apply_changes(base, [{"op": "clause_change", "clause": 10**9, "old": {}, "new": {}}], number=1)


# Audit and history --------------------------------------------------------------------------------------


def test_recording_an_amendment_is_audited_with_ip_and_user_agent(staff_client, agreement):
    fields = _target_changed(staff_client, agreement)
    _save(staff_client, agreement, fields, REMOTE_ADDR="203.0.113.10", HTTP_USER_AGENT="Mozilla/5.0 (amendment test)")
    event = AuditEvent.objects.filter(agreement=agreement).latest("sequence")
    assert (event.kind, event.ip, event.user_agent) == (
        AuditKind.AMENDMENT_RECORDED,
        "203.0.113.10",
        "Mozilla/5.0 (amendment test)",
    )
    assert event.details == {"number": 1, "effective_on": "2027-01-01", "changes": 1}
    audit = staff_client.get(reverse("agreements:audit", args=[agreement.reference])).content.decode()
    assert "سُجّل ملحق تعديلي" in audit


def test_the_change_history_shows_amendments_recorded_changed_and_deleted(staff_client, agreement):
    amendment = _every_kind_of_change(staff_client, agreement)
    fields = editor_fields(staff_client, agreement, amendment.number)
    fields["effective_on"] = "2027-02-01"
    _save(staff_client, agreement, fields, amendment.number)
    staff_client.post(_url("amendment_delete", agreement, 1))
    entries = [(e.subject, e.action) for e in agreement_timeline(agreement) if "ملحق" in e.subject]
    assert entries == [("الملحق رقم 1", "حذف"), ("الملحق رقم 1", "عدّل"), ("الملحق رقم 1", "أنشأ")]
    changed = next(e for e in agreement_timeline(agreement) if e.action == "عدّل" and "ملحق" in e.subject)
    assert [(c.old, c.new) for c in changed.changes if "2027" in c.old] != []
    page = staff_client.get(reverse("agreements:history", args=[agreement.reference])).content.decode()
    assert "الملحق رقم 1" in page


def test_an_amendment_recorded_before_change_sets_still_shows_and_can_be_completed(staff_client, agreement):
    """Rows from before the migration: a title and free text, an empty change set."""
    old = Amendment.objects.create(
        agreement=agreement,
        number=1,
        title_ar="تمديد",
        text_ar="يُمدّد البند الأول",
        effective_on=D(2026, 12, 1),
        created_by=StaffFactory(),
    )
    assert old.changes == []
    page = _page(staff_client, _url("amendment", agreement, 1))
    assert "يُمدّد البند الأول" in page and "لا يحمل هذا الملحق تعديلات مفصّلة" in page
    # Still a draft in progress: it is completed with a change set, not duplicated.
    refused = staff_client.post(_url("amendment_create", agreement), {"effective_on": "2027-01-01"}, follow=True)
    assert "الملحق رقم 1 لم يكتمل بعد" in refused.content.decode()
    fields = editor_fields(staff_client, agreement, 1)
    assert fields["text_ar"] == "يُمدّد البند الأول"
    t = commitment_prefix(fields, _commitment(agreement, "تدريب المستفيدين").pk)
    fields[f"{t}-target_quantity"] = "25"
    fields["effective_on"] = "2027-01-01"
    assert _save(staff_client, agreement, fields, 1).status_code == 302
    old.refresh_from_db()
    assert [op["op"] for op in old.changes] == ["commitment_change"] and old.title_ar == "تمديد"


def test_a_rewritten_text_is_shown_whole_old_then_new_an_edited_one_word_by_word():
    from agreements.amendments.diff import _segments

    edited = _segments("text_ar", "تقدم الجهة التدريب للمستفيدين.", "تقدم الجهة التدريب والتأهيل للمستفيدين.")
    assert [(s.kind, s.text) for s in edited if s.kind != "same"] == [("new", "والتأهيل")]
    rewritten = _segments(
        "text_ar", "تقدم الجهة التدريب للمستفيدين.", "يتعاون الطرفان في التغطية الإعلامية لبرامج الشراكة."
    )
    assert [(s.kind, s.text) for s in rewritten] == [
        ("old", "تقدم الجهة التدريب للمستفيدين."),
        ("same", " "),
        ("new", "يتعاون الطرفان في التغطية الإعلامية لبرامج الشراكة."),
    ]
