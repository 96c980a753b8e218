"""Emails about agreements: Arabic first, English below, plain text and HTML."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from common.mail import bilingual_message, send_bilingual

from .models import ProgressComment, ProgressCommentKind, SigningRequest
from .progress import review_outcome_path


def send_signing_invitation(request: SigningRequest, token: str, *, reminder: bool = False) -> None:
    agreement = request.agreement
    link = settings.SITE_URL + reverse("signing:link", args=[token])
    prefix_ar, prefix_en = ("تذكير بطلب توقيع", "Reminder: please sign") if reminder else ("طلب توقيع", "Please sign")
    title_ar, title_en = agreement.title_ar, agreement.title_en or agreement.title_ar
    if request.amendment_id:
        number = request.amendment.number
        title_ar, title_en = f"الملحق رقم {number} لـ {title_ar}", f"Amendment {number} to {title_en}"
    send_bilingual(
        subject_ar=f"{prefix_ar}: {title_ar}",
        subject_en=f"{prefix_en}: {title_en}",
        to=[request.email],
        template="signing_request",
        context={
            "request": request,
            "agreement": agreement,
            "amendment": request.amendment if request.amendment_id else None,
            "link": link,
            "expires": request.token_expires_at,
            "reminder": reminder,
        },
    )


def send_signer_code_email(request: SigningRequest, code: str) -> None:
    """The one-time code that proves the signer reads the signatory's mailbox."""
    send_bilingual(
        subject_ar=f"رمز التحقق للتوقيع: {code}",
        subject_en=f"Your signing code: {code}",
        to=[request.email],
        template="signer_code",
        context={
            "request": request,
            "agreement": request.agreement,
            "amendment": request.amendment if request.amendment_id else None,
            "code": code,
            "minutes": settings.SIGNER_CODE_MINUTES,
        },
    )


def send_decline_notice(request: SigningRequest) -> None:
    agreement = request.agreement
    owner = agreement.owner
    if not owner.email:
        return
    send_bilingual(
        subject_ar=f"اعتذار عن التوقيع: {agreement.reference}",
        subject_en=f"Signature declined: {agreement.reference}",
        to=[owner.email],
        template="signing_declined",
        context={
            "request": request,
            "agreement": agreement,
            "link": settings.SITE_URL + reverse("agreements:detail", args=[agreement.reference]),
        },
    )


def send_signed_pdf_email(agreement) -> None:
    """The sealed PDF (Arabic, and English) to every signatory, once the agreement is in force."""
    from .models import SigningStatus

    recipients = sorted(
        set(
            agreement.signing_requests.filter(amendment=None, status=SigningStatus.SIGNED).values_list(
                "email", flat=True
            )
        )
    )
    if not recipients:
        return
    pdfs = agreement.signed_pdfs.filter(kind="agreement").order_by("language")
    _send_each(
        recipients,
        [(f"{agreement.reference}-{pdf.language}.pdf", pdf) for pdf in pdfs],
        subject_ar=f"الاتفاقية الموقعة: {agreement.title_ar}",
        subject_en=f"Signed agreement: {agreement.title_en or agreement.title_ar}",
        template="signed_pdf",
        context={
            "agreement": agreement,
            "link": settings.SITE_URL + reverse("verify", args=[agreement.verification_code]),
        },
    )


def _send_each(recipients: list[str], pdfs: list, **message) -> None:
    """One message to each recipient, with the sealed PDFs attached: a signatory's address is
    not shown to the others. Each file is read once."""
    attachments = []
    for name, pdf in pdfs:
        with pdf.file.open("rb") as handle:
            attachments.append((name, handle.read()))
    for recipient in recipients:
        email = bilingual_message(to=[recipient], **message)
        for name, content in attachments:
            email.attach(name, content, "application/pdf")
        email.send()


def send_addendum_pdf_email(amendment) -> None:
    """The sealed addendum (Arabic, and English) to every signatory of the amendment."""
    from .models import PdfKind, SigningStatus

    agreement = amendment.agreement
    recipients = sorted(
        set(amendment.signing_requests.filter(status=SigningStatus.SIGNED).values_list("email", flat=True))
    )
    if not recipients:
        return
    pdfs = amendment.signed_pdfs.filter(kind=PdfKind.ADDENDUM).order_by("language")
    _send_each(
        recipients,
        [(f"{agreement.reference}-amendment-{amendment.number}-{pdf.language}.pdf", pdf) for pdf in pdfs],
        subject_ar=f"الملحق التعديلي رقم {amendment.number} الموقع: {agreement.title_ar}",
        subject_en=f"Signed amendment {amendment.number}: {agreement.title_en or agreement.title_ar}",
        template="addendum_pdf",
        context={
            "agreement": agreement,
            "amendment": amendment,
            "link": settings.SITE_URL + reverse("verify", args=[agreement.verification_code]),
        },
    )


def send_pdf_mismatch_notice(pdf, found: str) -> None:
    from accounts.models import User

    admins = sorted(
        set(User.objects.filter(is_superuser=True, is_active=True).exclude(email="").values_list("email", flat=True))
    )
    if not admins:
        return
    agreement = pdf.agreement
    send_bilingual(
        subject_ar=f"ملف PDF موقّع تغيّر على الخادم: {agreement.reference}",
        subject_en=f"A stored signed PDF was changed: {agreement.reference}",
        to=admins,
        template="pdf_mismatch",
        context={
            "agreement": agreement,
            "pdf": pdf,
            "found": found,
            "link": settings.SITE_URL + reverse("agreements:detail", args=[agreement.reference]),
        },
    )


def send_progress_review_email(comment: ProgressComment) -> None:
    """The reporter of a progress report hears the decision, the comment and where to act on it."""
    update = comment.update
    commitment = update.commitment
    accepted = comment.kind == ProgressCommentKind.ACCEPTED
    if accepted:
        subject_ar, subject_en = "قُبل تقرير الإنجاز", "Progress report accepted"
    else:
        subject_ar, subject_en = "أُعيد تقرير الإنجاز للتصحيح", "Progress report sent back"
    send_bilingual(
        subject_ar=f"{subject_ar}: {commitment.description_ar}",
        subject_en=f"{subject_en}: {commitment.description_en or commitment.description_ar}",
        to=[update.reported_by.email],
        template="progress_reviewed",
        context={
            "comment": comment,
            "update": update,
            "commitment": commitment,
            "agreement": commitment.clause.agreement,
            "accepted": accepted,
            "link": settings.SITE_URL + review_outcome_path(update),
        },
    )
