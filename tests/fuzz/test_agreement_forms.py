"""Fuzzing the agreement editor (header + clause and commitment formsets) and the
lifecycle actions: send, recall, terminate, renew, amendments, attachments, reminders."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import assume, given
from hypothesis import strategies as st

from agreements.models import ClauseKind, Party, ResponsibleParty, Unit
from tests.fuzz import strategies as s
from tests.fuzz.harness import exercise
from tests.fuzz.registry import covers

KINDS = ClauseKind.values
PARTIES = Party.values
RESPONSIBLE = ResponsibleParty.values
UNITS = Unit.values


def reference(world):
    return st.one_of(st.sampled_from(world.references), st.sampled_from(world.references), s.text())


def url_or_404(name, *args):
    try:
        return reverse(name, args=args)
    except Exception:
        return None


@st.composite
def agreement_post(draw, world, agreement=None):
    """The editor's whole POST: header, clauses (existing ids or new) and their commitments."""
    header = draw(
        s.fields(
            {
                "title_ar": s.text(),
                "title_en": s.text(),
                "partner": s.pk([world.partner.pk]),
                "owner": st.one_of(st.just(""), s.pk([world.staff.pk, world.partner_admin.pk])),
                "starts_on": s.date(),
                "ends_on": s.date(),
                "renewal_notice_days": s.integer(0, 400),
                "summary_ar": s.text(),
                "summary_en": s.text(),
            },
            valid={
                "title_ar": "اتفاقية شراكة",
                "partner": str(world.partner.pk),
                "starts_on": "2026-12-01",
                "ends_on": "2027-11-30",
                "renewal_notice_days": "90",
            },
        )
    )
    clauses = list(agreement.clauses.order_by("order")) if agreement is not None and agreement.pk else []
    count = draw(st.integers(0, 3))
    initial = min(len(clauses), count) if draw(st.booleans()) else draw(st.integers(0, 3))
    header.update(draw(s.management_form("clauses", count, initial)))
    for i in range(count):
        prefix = f"clauses-{i}"
        existing = clauses[i] if i < len(clauses) else None
        commitments = list(existing.commitments.order_by("id")) if existing else []
        header.update(
            draw(
                s.fields(
                    {
                        f"{prefix}-id": st.one_of(
                            st.just(str(existing.pk) if existing else ""), s.pk([c.pk for c in clauses])
                        ),
                        f"{prefix}-order": s.integer(1, 20),
                        f"{prefix}-kind": s.choice(KINDS),
                        f"{prefix}-responsible_party": s.choice(RESPONSIBLE),
                        f"{prefix}-text_ar": s.text(),
                        f"{prefix}-text_en": s.text(),
                        f"{prefix}-DELETE": st.one_of(st.just(s.ABSENT), s.checkbox()),
                    },
                    valid={
                        f"{prefix}-order": str(i + 1),
                        f"{prefix}-kind": "training",
                        f"{prefix}-responsible_party": "both",
                        f"{prefix}-text_ar": "نص البند",
                        f"{prefix}-DELETE": s.ABSENT,
                    },
                )
            )
        )
        ccount = draw(st.integers(0, 2))
        header.update(draw(s.management_form(f"{prefix}-commitments", ccount, min(ccount, len(commitments)))))
        for j in range(ccount):
            cprefix = f"{prefix}-commitments-{j}"
            header.update(
                draw(
                    s.fields(
                        {
                            f"{cprefix}-id": st.one_of(
                                st.just(str(commitments[j].pk) if j < len(commitments) else ""),
                                s.pk([c.pk for c in commitments]),
                            ),
                            f"{cprefix}-party": s.choice(PARTIES),
                            f"{cprefix}-description_ar": s.text(),
                            f"{cprefix}-description_en": s.text(),
                            f"{cprefix}-target_quantity": s.integer(1, 1000),
                            f"{cprefix}-unit": s.choice(UNITS),
                            f"{cprefix}-due_on": s.date(),
                            f"{cprefix}-DELETE": st.one_of(st.just(s.ABSENT), s.checkbox()),
                        },
                        valid={
                            f"{cprefix}-party": "partner",
                            f"{cprefix}-description_ar": "تدريب المستفيدين",
                            f"{cprefix}-target_quantity": "20",
                            f"{cprefix}-unit": "trainees",
                            f"{cprefix}-due_on": "2027-06-30",
                            f"{cprefix}-DELETE": s.ABSENT,
                        },
                    )
                )
            )
    return header


@covers("agreements:create")
def test_agreement_create(world):
    @given(data=agreement_post(world))
    def run(data):
        exercise(world.login(world.staff), "POST", reverse("agreements:create"), data)

    run()


@covers("agreements:edit")
def test_agreement_edit(world):
    @given(which=st.sampled_from(world.agreements), data=st.data())
    def run(which, data):
        post = data.draw(agreement_post(world, which))
        exercise(world.login(world.staff), "POST", reverse("agreements:edit", args=[which.reference]), post)

    run()


def _user(world):
    """Mostly an editor; sometimes read-only staff or a partner's user (refused with a message)."""
    return st.sampled_from([world.staff] * 6 + [world.readonly, world.partner_admin])


@covers("agreements:send")
def test_send_for_signature(world):
    contacts = [world.contact.pk]

    @given(
        which=reference(world),
        user=_user(world),
        data=s.fields(
            {
                "charity_name": s.text(),
                "charity_title": s.text(),
                "charity_email": s.email(),
                "charity_user": st.one_of(st.just(""), s.pk([world.chairman.pk, world.partner_admin.pk])),
                "partner_contacts": st.one_of(s.pk(contacts), st.lists(s.pk(contacts), max_size=3)),
            },
            valid={
                "charity_name": "أسامة الزاير",
                "charity_email": "chair@charity.example",
                "partner_contacts": str(world.contact.pk),
            },
        ),
    )
    def run(which, user, data):
        url = url_or_404("agreements:send", which)
        assume(url)
        exercise(world.login(user), "POST", url, data)

    run()


@covers("agreements:recall", "agreements:renew", "agreements:pdf_retry")
def test_one_click_actions(world):
    @given(
        name=st.sampled_from(["agreements:recall", "agreements:renew", "agreements:pdf_retry"]),
        which=reference(world),
        user=_user(world),
        data=s.fields({"confirm": s.text()}),
    )
    def run(name, which, user, data):
        url = url_or_404(name, which)
        assume(url)
        exercise(world.login(user), "POST", url, data)

    run()


@covers("agreements:terminate")
def test_terminate(world):
    @given(
        which=reference(world),
        user=_user(world),
        data=s.fields({"on": s.date(), "reason": s.text()}, valid={"on": "2026-12-01", "reason": "انتهاء الحاجة"}),
    )
    def run(which, user, data):
        url = url_or_404("agreements:terminate", which)
        assume(url)
        exercise(world.login(user), "POST", url, data)

    run()


@covers("agreements:reporting_schedule")
def test_reporting_schedule(world):
    @given(
        which=reference(world),
        user=_user(world),
        data=s.fields({"reporting_schedule": s.text()}, valid={"reporting_schedule": "quarterly"}),
    )
    def run(which, user, data):
        url = url_or_404("agreements:reporting_schedule", which)
        assume(url)
        exercise(world.login(user), "POST", url, data)

    run()


@covers("board_reports:list")
def test_board_report_request(world):
    @given(
        user=_user(world),
        data=s.fields(
            {"calendar": s.text(), "year": s.integer(0, 3000), "part": s.text(), "language": s.text()},
            valid={"calendar": "hijri", "year": "1448", "part": "q2", "language": "ar"},
        ),
    )
    def run(user, data):
        exercise(world.login(user), "POST", reverse("board_reports:list"), data)

    run()


@st.composite
def amendment_post(draw, world):
    """The amendment editor's whole POST over the active agreement: mostly its current content
    (rows keyed by their ids) with a field or two changed, sometimes a row added or a key forged."""
    agreement = world.active
    clauses = list(agreement.clauses.order_by("order"))
    clause_keys = [c.pk for c in clauses]
    data = draw(
        s.fields(
            {"effective_on": s.date(), "ends_on": s.date(), "text_ar": s.text(), "text_en": s.text()},
            valid={"effective_on": "2026-12-01", "ends_on": agreement.ends_on.isoformat(), "text_ar": "سبب التعديل"},
        )
    )
    count = len(clauses) + draw(st.integers(-1, 1))
    data.update(draw(s.management_form("clauses", max(count, 0), len(clauses))))
    for i in range(max(count, 0)):
        prefix = f"clauses-{i}"
        existing = clauses[i] if i < len(clauses) else None
        commitments = list(existing.commitments.order_by("id")) if existing else []
        data.update(
            draw(
                s.fields(
                    {
                        f"{prefix}-key": st.one_of(s.pk(clause_keys), s.text(), st.just("1.n1")),
                        f"{prefix}-order": s.integer(1, 20),
                        f"{prefix}-kind": s.choice(KINDS),
                        f"{prefix}-responsible_party": s.choice(RESPONSIBLE),
                        f"{prefix}-text_ar": s.text(),
                        f"{prefix}-text_en": s.text(),
                        f"{prefix}-DELETE": st.one_of(st.just(s.ABSENT), s.checkbox()),
                    },
                    valid={
                        f"{prefix}-key": str(existing.pk) if existing else "",
                        f"{prefix}-order": str(existing.order if existing else i + 1),
                        f"{prefix}-kind": existing.kind if existing else "training",
                        f"{prefix}-responsible_party": existing.responsible_party if existing else "both",
                        f"{prefix}-text_ar": existing.text_ar if existing else "نص البند الجديد",
                        f"{prefix}-DELETE": s.ABSENT,
                    },
                    drop=False,
                )
            )
        )
        ccount = len(commitments) + draw(st.integers(0, 1))
        data.update(draw(s.management_form(f"{prefix}-commitments", ccount, len(commitments))))
        for j in range(ccount):
            cprefix = f"{prefix}-commitments-{j}"
            old = commitments[j] if j < len(commitments) else None
            data.update(
                draw(
                    s.fields(
                        {
                            f"{cprefix}-key": st.one_of(s.pk([c.pk for c in commitments]), s.text()),
                            f"{cprefix}-party": s.choice(PARTIES),
                            f"{cprefix}-description_ar": s.text(),
                            f"{cprefix}-description_en": s.text(),
                            f"{cprefix}-target_quantity": s.integer(1, 1000),
                            f"{cprefix}-unit": s.choice(UNITS),
                            f"{cprefix}-due_on": s.date(),
                            f"{cprefix}-DELETE": st.one_of(st.just(s.ABSENT), s.checkbox()),
                        },
                        valid={
                            f"{cprefix}-key": str(old.pk) if old else "",
                            f"{cprefix}-party": old.party if old else "partner",
                            f"{cprefix}-description_ar": old.description_ar if old else "التزام جديد",
                            f"{cprefix}-description_en": old.description_en if old else "",
                            f"{cprefix}-target_quantity": str(old.target_quantity if old else 5),
                            f"{cprefix}-unit": old.unit if old else "trainees",
                            f"{cprefix}-due_on": (old.due_on if old else agreement.ends_on).isoformat(),
                            f"{cprefix}-DELETE": s.ABSENT,
                        },
                        drop=False,
                    )
                )
            )
    return data


@covers("agreements:amendment_create")
def test_amendment(world):
    @given(which=reference(world), user=_user(world), data=amendment_post(world))
    def run(which, user, data):
        url = url_or_404("agreements:amendment_create", which)
        assume(url)
        exercise(world.login(user), "POST", url, data)

    run()


def _draft_amendment(world):
    """Amendment 1 of the active agreement, a draft extending its term by a year."""
    from agreements.amendments.services import amendment_create

    end = world.active.ends_on
    return amendment_create(
        agreement=world.active,
        by=world.staff,
        changes=[{"op": "term", "old": {"ends_on": end.isoformat()}, "new": {"ends_on": f"{end.year + 1}-12-31"}}],
        effective_on=world.active.starts_on,
        text_ar="تمديد المدة",
    )


@covers("agreements:amendment_edit")
def test_amendment_edit(world):
    _draft_amendment(world)

    @given(
        which=reference(world),
        number=st.sampled_from([1, 1, 1, 2, 0]),
        user=_user(world),
        data=amendment_post(world),
    )
    def run(which, number, user, data):
        url = url_or_404("agreements:amendment_edit", which, number)
        assume(url)
        exercise(world.login(user), "POST", url, data)

    run()


@covers("agreements:amendment_delete")
def test_amendment_delete(world):
    _draft_amendment(world)

    @given(
        which=reference(world),
        number=st.sampled_from([1, 1, 1, 2, 0]),
        user=_user(world),
        data=s.fields({"confirm": s.text()}),
    )
    def run(which, number, user, data):
        url = url_or_404("agreements:amendment_delete", which, number)
        assume(url)
        exercise(world.login(user), "POST", url, data)

    run()


@covers("agreements:amendment_send")
def test_amendment_send(world):
    _draft_amendment(world)
    contacts = [world.contact.pk]

    @given(
        which=reference(world),
        number=st.sampled_from([1, 1, 1, 2, 0]),
        user=_user(world),
        data=s.fields(
            {
                "charity_name": s.text(),
                "charity_title": s.text(),
                "charity_email": s.email(),
                "charity_user": st.one_of(st.just(""), s.pk([world.chairman.pk, world.partner_admin.pk])),
                "partner_contacts": st.one_of(s.pk(contacts), st.lists(s.pk(contacts), max_size=3)),
            },
            valid={
                "charity_name": "أسامة الزاير",
                "charity_email": "chair@charity.example",
                "partner_contacts": str(world.contact.pk),
            },
        ),
    )
    def run(which, number, user, data):
        url = url_or_404("agreements:amendment_send", which, number)
        assume(url)
        exercise(world.login(user), "POST", url, data)

    run()


@covers("agreements:amendment_recall", "agreements:amendment_pdf_retry")
def test_amendment_one_click_actions(world):
    _draft_amendment(world)

    @given(
        name=st.sampled_from(["agreements:amendment_recall", "agreements:amendment_pdf_retry"]),
        which=reference(world),
        number=st.sampled_from([1, 1, 2, 0]),
        user=_user(world),
        data=s.fields({"confirm": s.text()}),
    )
    def run(name, which, number, user, data):
        url = url_or_404(name, which, number)
        assume(url)
        exercise(world.login(user), "POST", url, data)

    run()


@covers("agreements:attachment_upload")
def test_attachment_upload(world):
    @given(
        which=reference(world),
        user=_user(world),
        data=s.fields({"description": s.text()}),
        content=s.upload_bytes(),
        name=s.file_name(),
        content_type=st.sampled_from(["application/pdf", "image/png", "text/html", "application/octet-stream"]),
        with_file=st.integers(0, 9),
    )
    def run(which, user, data, content, name, content_type, with_file):
        url = url_or_404("agreements:attachment_upload", which)
        assume(url)
        if with_file:
            data["file"] = SimpleUploadedFile(name, content, content_type=content_type)
        exercise(world.login(user), "POST", url, data)

    run()


@covers("reminders:offsets")
def test_reminder_offsets(world):
    @given(
        which=reference(world),
        user=_user(world),
        data=s.fields(
            {
                "reminder_offsets": st.one_of(
                    st.lists(s.integer(-5, 400), max_size=6).map(",".join),
                    st.sampled_from(["90,30,7", "", "٩٠,٣٠", "7;30", "1,1,1", "0", "99999999999999999999"]),
                    s.text(),
                )
            }
        ),
    )
    def run(which, user, data):
        url = url_or_404("reminders:offsets", which)
        assume(url)
        exercise(world.login(user), "POST", url, data)

    run()


@covers("agreements:signatory_resend", "agreements:signatory_revoke")
def test_signatory_actions(world):
    pks = [world.partner_request.pk, world.charity_request.pk]

    @given(
        name=st.sampled_from(["agreements:signatory_resend", "agreements:signatory_revoke"]),
        which=reference(world),
        pk=st.one_of(st.sampled_from(pks), st.integers(0, 2**31 - 1)),
        user=_user(world),
    )
    def run(name, which, pk, user):
        url = url_or_404(name, which, pk)
        assume(url)
        exercise(world.login(user), "POST", url, {})

    run()


@covers("admin:agreements_agreement_changelist")
def test_admin_agreement_actions(world):
    """The changelist's actions (expire, pull back to draft) on any selection.

    The delete action answers with its confirmation page first: a page, not a refusal.
    """
    pks = [a.pk for a in world.agreements]

    @given(
        data=s.fields(
            {
                "action": s.choice(["expire_agreements", "recall_agreements", "delete_selected"]),
                "_selected_action": st.lists(s.pk(pks), max_size=4),
                "index": s.integer(0, 3),
                "select_across": s.choice(["0", "1"]),
            }
        )
    )
    def run(data):
        url = reverse("admin:agreements_agreement_changelist")
        exercise(world.login(world.admin), "POST", url, data, result_ok=True)

    run()
