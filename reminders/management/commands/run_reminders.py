import datetime

from django.core.management.base import BaseCommand, CommandError

from agreements.models import Agreement
from reminders.services import reminder_batches, reminder_send_batch, reminders_sweep


class Command(BaseCommand):
    help = (
        "Run the reminder sweep now, in this process (for cron where Celery beat is not used). "
        "With --dry-run, list what would be sent and change nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list what would be sent; change nothing")
        parser.add_argument("--today", help="take this date (YYYY-MM-DD) as today")

    def handle(self, *args, dry_run: bool, today: str | None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError("--today must be a date like 2027-01-31") from None
        report = reminders_sweep(today=day, dry_run=dry_run)
        references = dict(
            Agreement.objects.filter(pk__in={p.agreement_id for p in report.planned}).values_list("pk", "reference")
        )
        for reference in report.started_agreements:
            self.stdout.write(f"{'would bring into force' if dry_run else 'in force'}: agreement {reference}")
        verb = "would expire" if dry_run else "expired"
        for reference in report.expired_agreements:
            self.stdout.write(f"{verb} agreement {reference}")
        for planned in report.planned:
            self.stdout.write(
                f"{'would send' if dry_run else 'planned'} {planned.kind} (offset {planned.offset_days}) "
                f"for {references[planned.agreement_id]} to {planned.email}"
            )
        if dry_run:
            self.stdout.write(f"{len(report.planned)} reminder(s) would be sent for {report.today}.")
            return
        sent = sum(reminder_send_batch(reminder_ids=ids) for ids in reminder_batches(report.new_reminders))
        self.stdout.write(self.style.SUCCESS(f"{sent} reminder(s) sent for {report.today}."))
