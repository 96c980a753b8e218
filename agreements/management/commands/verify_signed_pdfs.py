from django.core.management.base import BaseCommand, CommandError

from agreements.models import SignedPdf
from agreements.pdf.verify import VerificationResult, verify_pdf


def describe(result: VerificationResult) -> str:
    """The seal's level, timestamp and trust in one line (English, for operators)."""
    parts = [f"sealed by {result.signer}", f"PAdES {result.level}"]
    if result.timestamp_at:
        trusted = "" if result.timestamp_trusted else " (authority NOT trusted)"
        parts.append(f"timestamp {result.timestamp_at.isoformat()} by {result.timestamp_authority}{trusted}")
    else:
        parts.append("no timestamp: the signing time is the server's own claim")
    parts.append(
        "chain trusted (SEAL_TRUST_ROOTS)"
        if result.chain_trusted
        else "chain not trusted by a certification authority (self-signed or no SEAL_TRUST_ROOTS)"
    )
    return ", ".join(parts)


class Command(BaseCommand):
    help = (
        "Check every stored signed PDF (or those of the references given): the file is there, "
        "is exactly the one issued (SHA-256), and the charity's seal on it validates; prints the seal's "
        "PAdES level, its timestamp and authority, and whether its chain is trusted. Run it after a restore."
    )

    def add_arguments(self, parser):
        parser.add_argument("references", nargs="*", help="agreement references, e.g. QC-2026-0001")

    def handle(self, *args, references, **options):
        pdfs = SignedPdf.objects.select_related("agreement").order_by("agreement__reference", "language")
        if references:
            pdfs = pdfs.filter(agreement__reference__in=references)
        broken = 0
        for pdf in pdfs:
            label = f"{pdf.agreement.reference} ({pdf.language})"
            try:
                with pdf.file.open("rb") as handle:
                    data = handle.read()
            except OSError as error:
                broken += 1
                self.stdout.write(self.style.ERROR(f"{label}: MISSING {pdf.file.name} ({error})"))
                continue
            result = verify_pdf(data, expected_sha256=pdf.sha256)
            if result.exact_match and result.seal_valid:
                self.stdout.write(f"{label}: ok, {describe(result)}")
            else:
                broken += 1
                problem = "not the file issued" if not result.exact_match else result.error or "seal not valid"
                self.stdout.write(self.style.ERROR(f"{label}: BROKEN: {problem}"))
        if broken:
            raise CommandError(f"{broken} signed PDF(s) do not verify")
