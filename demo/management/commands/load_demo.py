from django.core.management.base import BaseCommand

from demo.data import demo_load


class Command(BaseCommand):
    help = "Load (or refresh) the demo charity, partners, agreements and users; prints the logins."

    def handle(self, *args, **options):
        logins = demo_load()
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Logins (username / password):"))
        for login in logins:
            suffix = f"  ({login.partner})" if login.partner else ""
            self.stdout.write(f"  {login.username:<14} {login.password:<18} {login.role}{suffix}")
