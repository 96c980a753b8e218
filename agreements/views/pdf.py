"""The signed PDF: download (checked), progress while it is made, retry, public verification."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.permissions import editor_required

from ..models import Agreement, AgreementStatus, Amendment, PdfKind, SignedPdf
from ..pdf.addendum import addendum_pdf_retry
from ..pdf.addendum_render import amendment_document_label
from ..pdf.job import pdf_mismatch_report, signed_pdf_retry
from ..pdf.seal import seal_level
from ..pdf.verify import verify_pdf

MAX_VERIFY_BYTES = 20 * 1024 * 1024


@login_required
def pdf_download(request, reference: str, language: str = "ar"):
    """The sealed PDF, for staff and the partner's own users only; never a public URL."""
    agreement = get_object_or_404(Agreement.objects.visible_to(request.user), reference=reference)
    pdf = get_object_or_404(SignedPdf, agreement=agreement, kind=PdfKind.AGREEMENT, language=language)
    return _checked_download(request, pdf, f"{agreement.reference}-{language}.pdf")


def _checked_download(request, pdf: SignedPdf, filename: str):
    """The stored file, once its SHA-256 is the one recorded when it was sealed.

    A file changed on disk or in the object store is refused (409) and reported to the
    administrators, once an hour per file; nobody receives a copy that is not the sealed one.
    """
    try:
        with pdf.file.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise Http404 from None
    found = hashlib.sha256(data).hexdigest()
    if found != pdf.sha256:
        pdf_mismatch_report(pdf=pdf, found=found)
        context = {
            "error_code": 409,
            "error_title": _("This PDF cannot be served"),
            "error_text": _(
                "The stored file no longer matches the signed PDF that was sealed. The administrators "
                "have been told; try again once they have restored it."
            ),
        }
        return render(request, "error.html", context, status=409)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


AMENDMENT_PDF_KINDS = (PdfKind.ADDENDUM, PdfKind.CONSOLIDATED)


@login_required
def amendment_pdf_download(request, reference: str, number: int, kind: str, language: str):
    """A signed amendment's sealed addendum or consolidated text: the same people as the agreement's PDF."""
    if kind not in AMENDMENT_PDF_KINDS:
        raise Http404
    agreement = get_object_or_404(Agreement.objects.visible_to(request.user), reference=reference)
    pdf = get_object_or_404(SignedPdf, agreement=agreement, amendment__number=number, kind=kind, language=language)
    return _checked_download(request, pdf, f"{agreement.reference}-amendment-{number}-{kind}-{language}.pdf")


@editor_required
@require_POST
def amendment_pdf_retry(request, reference: str, number: int):
    amendment = get_object_or_404(Amendment, agreement__reference=reference, number=number)
    if addendum_pdf_retry(amendment=amendment):
        messages.success(request, _("The addendum PDF is being made again."))
    else:
        messages.error(request, _("Only a failed PDF can be made again."))
    return redirect("agreements:amendment", reference, number)


def _document_name(pdf: SignedPdf) -> str:
    """What an issued PDF is, for the verification page."""
    if pdf.kind == PdfKind.ADDENDUM:
        return amendment_document_label(pdf.amendment.number)
    if pdf.kind == PdfKind.CONSOLIDATED:
        return _("Consolidated text after amendment %(number)s") % {"number": pdf.amendment.number}
    return _("The signed agreement")


@never_cache
@login_required
def pdf_status(request, reference: str):
    """The PDF box of the agreement page; polled by htmx while the PDF is being made."""
    agreement = get_object_or_404(
        Agreement.objects.visible_to(request.user).prefetch_related("signed_pdfs"), reference=reference
    )
    return render(request, "agreements/_pdf_status.html", {"agreement": agreement})


@editor_required
@require_POST
def pdf_retry(request, reference: str):
    agreement = get_object_or_404(Agreement, reference=reference)
    if signed_pdf_retry(agreement=agreement):
        messages.success(request, _("The signed PDF is being made again."))
    else:
        messages.error(request, _("Only a failed PDF can be made again."))
    return redirect("agreements:detail", reference)


def verify(request, code: str):
    """Public: is this the PDF the portal issued, and does its seal hold?

    Shows the reference, parties, dates, status and fingerprints, and nothing else.
    """
    agreement = get_object_or_404(Agreement.objects.select_related("partner"), verification_code=code)
    issued_pdfs = list(
        agreement.signed_pdfs.select_related("amendment").order_by("amendment__number", "kind", "language")
    )
    result = None
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("pdf")
        if upload is None:
            error = _("Choose the PDF file to check.")
        elif upload.size > MAX_VERIFY_BYTES:
            error = _("The file is larger than any PDF the portal issues.")
        else:
            data = upload.read()
            issued = {pdf.sha256: pdf for pdf in issued_pdfs}
            digest = hashlib.sha256(data).hexdigest()
            checked = verify_pdf(data, expected_sha256=digest if digest in issued else None)
            result = {
                "exact_match": digest in issued,
                "language": issued[digest].language if digest in issued else "",
                "document": _document_name(issued[digest]) if digest in issued else "",
                "seal_valid": checked.seal_valid,
                "signer": checked.signer,
                "signed_at": checked.signed_at,
                "level": checked.level,
                "timestamp_at": checked.timestamp_at,
                "timestamp_authority": checked.timestamp_authority,
                "timestamp_trusted": checked.timestamp_trusted,
                "chain_trusted": checked.chain_trusted,
                "error": checked.error,
                "sha256": digest,
            }
    agreement_pdfs = [pdf for pdf in issued_pdfs if pdf.kind == PdfKind.AGREEMENT]
    amendments = []
    for amendment in agreement.amendments.signed().order_by("number"):
        pdfs = [pdf for pdf in issued_pdfs if pdf.amendment_id == amendment.pk]
        amendments.append(
            {
                "amendment": amendment,
                "label": amendment_document_label(amendment.number),
                "addendum": [pdf for pdf in pdfs if pdf.kind == PdfKind.ADDENDUM],
                "consolidated": [pdf for pdf in pdfs if pdf.kind == PdfKind.CONSOLIDATED],
            }
        )
    context = {
        "agreement": agreement,
        "agreement_pdfs": agreement_pdfs,
        "amendments": amendments,
        "result": result,
        "error": error,
        "in_force": agreement.status == AgreementStatus.ACTIVE,
        "max_mb": MAX_VERIFY_BYTES // (1024 * 1024),
        "seal_level": seal_level(),
        "site_url": settings.SITE_URL,
    }
    response = render(request, "agreements/verify.html", context, status=400 if error else 200)
    response["Cache-Control"] = "no-store"
    return response
