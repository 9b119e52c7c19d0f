from django.core.management.base import BaseCommand

from catalog.demo import load_catalog
from portal.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_accounts


class Command(BaseCommand):
    help = "Loads the demo data (catalog, accounts). Idempotent: a second run changes nothing."

    def handle(self, *args, **options):
        load_catalog()
        load_accounts()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for email, _first, _last, _staff, _superuser, role in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:<28} {role}")
