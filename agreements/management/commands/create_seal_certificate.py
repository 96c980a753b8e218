from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agreements.pdf.seal import create_self_signed_pkcs12, write_seal_certificate
from partners.models import CharityProfile


class Command(BaseCommand):
    help = (
        "Create a self-signed seal certificate for development and demos, written as a PKCS#12 file "
        "to SEAL_PKCS12_PATH and protected by SEAL_PKCS12_PASSWORD. Production uses a CA-issued one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Replace an existing file.")
        parser.add_argument("--days", type=int, default=3 * 365, help="Validity in days (default: three years).")

    def handle(self, *args, force: bool, days: int, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        path = Path(settings.SEAL_PKCS12_PATH)
        if path.exists() and not force:
            raise CommandError(f"{path} already exists; pass --force to replace it.")
        profile = CharityProfile.load()
        common_name = profile.name_en or profile.name_ar
        data = create_self_signed_pkcs12(
            common_name=common_name, password=settings.SEAL_PKCS12_PASSWORD or "", days=days
        )
        write_seal_certificate(path, data, force=force)
        self.stdout.write(self.style.SUCCESS(f"Seal certificate for “{common_name}” written to {path}"))
        if not settings.SEAL_PKCS12_PASSWORD:
            self.stdout.write(self.style.WARNING("SEAL_PKCS12_PASSWORD is empty: the file is not encrypted."))
