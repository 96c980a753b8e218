from django.core.management.base import BaseCommand, CommandError

from agreements.audit import audit_verify, sealed_pdfs_verify
from agreements.models import Agreement


class Command(BaseCommand):
    help = (
        "Verify the audit trail of agreements (all, or the references given): the keyed hash chain, "
        "and each stored sealed PDF against the event that issued it."
    )

    def add_arguments(self, parser):
        parser.add_argument("references", nargs="*", help="agreement references, e.g. QC-2026-0001")

    def handle(self, *args, references, **options):
        agreements = Agreement.objects.order_by("reference")
        if references:
            agreements = agreements.filter(reference__in=references)
            missing = set(references) - set(agreements.values_list("reference", flat=True))
            if missing:
                raise CommandError(f"unknown reference(s): {', '.join(sorted(missing))}")
        broken = 0
        for agreement in agreements.only("pk", "reference"):
            check = audit_verify(agreement)
            problems = check.problems + sealed_pdfs_verify(agreement)
            if not problems:
                self.stdout.write(f"{agreement.reference}: ok ({check.count} events)")
            else:
                broken += 1
                self.stdout.write(self.style.ERROR(f"{agreement.reference}: BROKEN"))
                for problem in problems:
                    self.stdout.write(f"  - {problem}")
        if broken:
            raise CommandError(f"{broken} audit trail(s) do not verify")
