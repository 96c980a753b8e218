import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from common import clock


class Command(BaseCommand):
    help = (
        "Demos and tests: move the date every portal process takes as today (the file named by "
        "PORTAL_TODAY_FILE). `portal_clock 2027-01-31` sets it, `portal_clock --real` goes back to "
        "the real date, `portal_clock` alone prints the portal's today."
    )

    def add_arguments(self, parser):
        parser.add_argument("date", nargs="?", help="the new today, YYYY-MM-DD")
        parser.add_argument("--real", action="store_true", help="go back to the real date")

    def handle(self, *args, date: str | None, real: bool, **options):
        if date or real:
            path = settings.PORTAL_TODAY_FILE
            if not path:
                raise CommandError("Set PORTAL_TODAY_FILE (in every process) to move the portal's date.")
            try:
                day = None if real else datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError("The date must look like 2027-01-31.") from None
            clock.set_today(path, day)
        self.stdout.write(clock.today().isoformat())
