from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from portal.demo.accounts import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    demo_totp_uri,
    load_accounts,
)
from portal.demo.algorithms import load_algorithms
from portal.demo.catalog import load_catalog
from portal.demo.directory import load_directory
from portal.demo.holders import (
    HOLDER_ACCOUNTS,
    load_holder_accounts,
    load_holder_proposals,
    load_holder_requests,
)
from portal.demo.names import load_english_names
from portal.demo.projects import load_projects
from portal.demo.results import load_results

SILENT = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}


class Command(BaseCommand):
    help = (
        "Loads the demo data (catalog, accounts, applications). "
        "Idempotent: a second run changes nothing."
    )

    def handle(self, *args, **options):
        load_catalog()
        load_english_names()
        users = load_accounts()
        users |= load_holder_accounts()
        # The demo's transitions would notify its made-up sponsor team: send nothing.
        with override_settings(MAILERS=SILENT):
            load_projects(
                owner=users["sponsor@chu-exemple.fr"],
                member=users["colleague@chu-exemple.fr"],
                staff=users["admin@hub.example"],
                reviewer=users["reviewer@hub.example"],
            )
            load_directory(staff=users["admin@hub.example"], reviewer=users["reviewer@hub.example"])
            load_algorithms(reviewer=users["reviewer@hub.example"])
            load_holder_requests(
                owner=users["sponsor@chu-exemple.fr"],
                member=users["colleague@chu-exemple.fr"],
                staff=users["admin@hub.example"],
                reviewer=users["reviewer@hub.example"],
            )
            load_holder_proposals()
            load_results(
                owner=users["sponsor@chu-exemple.fr"], reviewer=users["reviewer@hub.example"]
            )
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for email, _first, _last, _staff, _superuser, role in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:<28} {role}")
        for email, _first, _last, _holder, role in HOLDER_ACCOUNTS:
            self.stdout.write(f"  {email:<28} {role}")
        staff = [users[email] for email, _f, _l, is_staff, *_rest in DEMO_ACCOUNTS if is_staff]
        self.stdout.write(
            f"Staff accounts also ask for the code of an authenticator app with the secret "
            f"{DEMO_TOTP_SECRET} (or: oathtool --totp -b {DEMO_TOTP_SECRET}):"
        )
        for user in staff:
            self.stdout.write(f"  {demo_totp_uri(user)}")
