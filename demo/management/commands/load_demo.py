from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.data import demo_load

PRODUCTION_FLAG = "--i-know-this-is-production"


class Command(BaseCommand):
    help = "Load (or refresh) the demo charity, partners, agreements and users; prints the logins."

    def add_arguments(self, parser):
        parser.add_argument(
            PRODUCTION_FLAG,
            action="store_true",
            dest="production",
            help="Load the demo data although DEBUG is off (a trial or test installation, never a live portal).",
        )

    def handle(self, *args, production: bool = False, **options):
        # The demo creates an admin with a published password and four partners with agreements:
        # on a live portal that is a way in and false records.
        if not settings.DEBUG and not production:
            raise CommandError(
                f"DEBUG is off: this looks like production, so no demo data was loaded. "
                f"Run with {PRODUCTION_FLAG} if this really is a trial installation."
            )
        logins = demo_load()
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Logins (username / password):"))
        for login in logins:
            suffix = f"  ({login.partner})" if login.partner else ""
            self.stdout.write(f"  {login.username:<14} {login.password:<18} {login.role}{suffix}")
