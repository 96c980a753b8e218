"""Fuzzing progress reports (staff and partner), their review, signing and declining
(by link and from an account) and the public PDF verification upload."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import assume, given
from hypothesis import strategies as st

from agreements.views.signing import SESSION_KEY
from tests.fuzz import strategies as s
from tests.fuzz.harness import exercise
from tests.fuzz.registry import covers
from tests.fuzz.world import SIGN_TOKEN


@st.composite
def progress_post(draw):
    data = draw(
        s.fields(
            {"amount": s.integer(1, 1_000_000), "reported_on": s.date(), "note": s.text()},
            valid={"amount": "5", "reported_on": "2026-06-01", "note": "دفعة أولى"},
        )
    )
    files = draw(
        st.lists(
            st.builds(
                lambda name, content, ctype: SimpleUploadedFile(name, content, content_type=ctype),
                s.file_name(),
                s.upload_bytes(),
                st.sampled_from(["application/pdf", "image/png", "image/jpeg", "text/plain"]),
            ),
            max_size=7,
        )
    )
    if files:
        data["files"] = files
    return data


@covers("agreements:report_progress")
def test_staff_report_progress(world):
    pks = [world.partner_commitment.pk, world.charity_commitment.pk]

    @given(pk=st.one_of(st.sampled_from(pks), st.integers(0, 2**31 - 1)), data=progress_post())
    def run(pk, data):
        exercise(world.login(world.staff), "POST", reverse("agreements:report_progress", args=[pk]), data)

    run()


@covers("portal:report_progress")
def test_partner_report_progress(world):
    pks = [world.partner_commitment.pk, world.charity_commitment.pk]

    @given(
        pk=st.one_of(st.sampled_from(pks), st.integers(0, 2**31 - 1)),
        user=st.sampled_from([world.partner_admin, world.partner_member]),
        data=progress_post(),
    )
    def run(pk, user, data):
        exercise(world.login(user), "POST", reverse("portal:report_progress", args=[pk]), data)

    run()


@covers("agreements:progress_review")
def test_progress_review(world):
    @given(
        pk=st.one_of(st.just(world.submitted_update_id), st.integers(0, 2**31 - 1)),
        data=s.fields({"decision": s.choice(["accept", "return"]), "comment": s.text()}, valid={"decision": "accept"}),
    )
    def run(pk, data):
        exercise(world.login(world.staff), "POST", reverse("agreements:progress_review", args=[pk]), data)

    run()


def resubmit_post():
    return progress_post().map(lambda data: {**data, "comment": "صححنا", "confirm_over_target": "on"})


@covers("portal:progress_resubmit")
def test_partner_resubmit_progress(world):
    @given(
        pk=st.one_of(st.just(world.returned_update_id), st.integers(0, 2**31 - 1)),
        user=st.sampled_from([world.partner_admin, world.partner_member]),
        data=st.one_of(resubmit_post(), progress_post()),
    )
    def run(pk, user, data):
        exercise(world.login(user), "POST", reverse("portal:progress_resubmit", args=[pk]), data)

    run()


@covers("agreements:progress_resubmit")
def test_staff_resubmit_progress(world):
    @given(
        pk=st.one_of(st.just(world.returned_update_id), st.integers(0, 2**31 - 1)),
        data=st.one_of(resubmit_post(), progress_post()),
    )
    def run(pk, data):
        exercise(world.login(world.staff), "POST", reverse("agreements:progress_resubmit", args=[pk]), data)

    run()


def sign_or_decline(world):
    good = {
        "action": "sign",
        "name": "ممثل الشريك",
        "title": "المدير",
        "consent": "on",
        "method": "drawn",
        "drawn": s.GOOD_SIGNATURE,
        "typed": "ممثل الشريك",
        "content_hash": world.awaiting.content_hash,
    }
    return st.one_of(
        s.fields(
            {
                "action": st.one_of(st.just("sign"), st.just("sign"), s.text()),
                "name": s.text(),
                "title": s.text(),
                "consent": s.checkbox(),
                "method": s.choice(["drawn", "typed"]),
                "drawn": s.signature_payload(),
                "typed": s.text(),
                "content_hash": s.content_hash(world.awaiting.content_hash),
            },
            valid=good,
        ),
        s.fields(
            {"action": st.one_of(st.just("decline"), s.text()), "reason": s.text()},
            valid={"action": "decline", "reason": "البنود تحتاج مراجعة"},
        ),
    )


@covers("signing:page")
def test_sign_by_link(world):
    @given(data=sign_or_decline(world), with_session=st.integers(0, 9))
    def run(data, with_session):
        session = {SESSION_KEY: world.partner_request.pk} if with_session else None
        exercise(None, "POST", reverse("signing:page"), data, session=session)

    run()


@covers("agreements:sign", "agreements:amendment_sign")
def test_sign_from_account(world):
    """The agreement's signing form from an account, and an amendment's (none awaits signatures
    here: every amendment number is refused with a message, never an error)."""

    @given(
        data=sign_or_decline(world),
        user=st.sampled_from([world.chairman, world.chairman, world.staff, world.partner_admin]),
        which=st.one_of(st.just(world.awaiting.reference), st.sampled_from(world.references), s.text()),
        amendment=st.sampled_from([None, None, 1, 2]),
    )
    def run(data, user, which, amendment):
        try:
            if amendment is None:
                url = reverse("agreements:sign", args=[which])
            else:
                url = reverse("agreements:amendment_sign", args=[which, amendment])
        except Exception:
            assume(False)
        exercise(world.login(user), "POST", url, data)

    run()


@covers("signing:link")
def test_signing_link_tokens(world):
    """The emailed link (GET): any token is answered with a page, never an error."""

    @given(token=st.one_of(st.just(SIGN_TOKEN), s.text(), st.text(alphabet="abcdefABCDEF0123456789-_", max_size=120)))
    def run(token):
        try:
            url = reverse("signing:link", args=[token])
        except Exception:
            assume(False)
        exercise(None, "GET", url)
        exercise(None, "POST", url, {}, silent_ok=True)

    run()


@covers("verify")
def test_verification_upload(world):
    code = world.active.verification_code

    @given(
        which=st.one_of(st.just(code), s.text()),
        content=s.upload_bytes(),
        name=s.file_name(),
        with_file=st.integers(0, 9),
        data=s.fields({"note": s.text()}),
    )
    def run(which, content, name, with_file, data):
        try:
            url = reverse("verify", args=[which])
        except Exception:
            assume(False)
        if with_file:
            data["pdf"] = SimpleUploadedFile(name, content, content_type="application/pdf")
        exercise(None, "POST", url, data, result_ok=True)

    run()


@st.composite
def period_report_post(draw, commitment_pk: int):
    prefix = f"c{commitment_pk}-"
    data = draw(
        s.fields(
            {
                "narrative": s.text(),
                f"{prefix}amount": s.integer(0, 1_000_000),
                f"{prefix}b_male": s.integer(0, 1000),
                f"{prefix}b_female": s.integer(0, 1000),
                f"{prefix}b_nonsense": s.integer(0, 1000),
                f"{prefix}note": s.text(),
                "confirm_over_target": st.sampled_from(["", "on", "x"]),
            },
            valid={
                "narrative": "ما أنجز في الربع",
                f"{prefix}amount": "5",
                f"{prefix}b_male": "2",
                f"{prefix}b_female": "3",
            },
        )
    )
    files = draw(
        st.lists(
            st.builds(
                lambda name, content, ctype: SimpleUploadedFile(name, content, content_type=ctype),
                s.file_name(),
                s.upload_bytes(),
                st.sampled_from(["application/pdf", "image/png", "image/jpeg", "text/plain"]),
            ),
            max_size=3,
        )
    )
    if files:
        data[f"{prefix}files"] = files
    return data


@covers("portal:period_report", "agreements:period_report")
def test_period_reports(world):
    partner, charity = world.partner_period_report, world.charity_period_report

    @given(
        route=st.sampled_from(["portal:period_report", "agreements:period_report"]),
        pk=st.one_of(st.sampled_from([partner.pk, charity.pk]), st.integers(0, 2**31 - 1)),
        user=st.sampled_from([world.partner_admin, world.partner_member, world.staff, world.readonly]),
        data=period_report_post(world.partner_commitment.pk),
    )
    def run(route, pk, user, data):
        exercise(world.login(user), "POST", reverse(route, args=[pk]), data)

    run()


@covers("portal:period_report_upload")
def test_period_report_sheets(world):
    """The filled sheet's upload: any bytes as the sheet, any token to confirm, by any user."""
    partner, charity = world.partner_period_report, world.charity_period_report

    @given(
        pk=st.one_of(st.sampled_from([partner.pk, charity.pk]), st.integers(0, 2**31 - 1)),
        user=st.sampled_from([world.partner_admin, world.partner_member, world.staff, world.readonly]),
        sheet=st.builds(
            lambda name, content: SimpleUploadedFile(name, content, content_type="application/octet-stream"),
            s.file_name(),
            s.upload_bytes(),
        ),
        fields=s.fields({"token": s.text(), "narrative": s.text(), "confirm_over_target": s.text()}),
        confirm=st.booleans(),
    )
    def run(pk, user, sheet, fields, confirm):
        data = dict(fields)
        if not confirm:
            data.pop("token", None)
            data["sheet"] = sheet
        exercise(world.login(user), "POST", reverse("portal:period_report_upload", args=[pk]), data)

    run()
