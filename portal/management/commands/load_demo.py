from django.core.management.base import BaseCommand

from catalog.demo import load_catalog
from portal.demo import DEMO_ACCOUNTS, load_accounts


class Command(BaseCommand):
    help = "Loads the demo data (catalog, accounts). Idempotent: a second run changes nothing."

    def handle(self, *args, **options):
        load_catalog()
        load_accounts()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write("Demo accounts (username / password, role):")
        for username, password, _email, _staff, _superuser, role in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username} / {password}  ({role})")
