"""Demo accounts, one per role, created by `manage.py load_demo` for `make run`."""

from allauth.account.models import EmailAddress
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group

from portal.models import User

DEMO_PASSWORD = "demo-portal-2026"
# The demo staff accounts' authenticator app secret (base32), public on purpose: a
# tester adds it to an app, or runs `oathtool --totp -b SECRET`, to get the code
# that signing in asks of staff. Never reuse it outside the demo.
DEMO_TOTP_SECRET = "JBCEQIDQN5ZHIYLMEBSGK3LPEAZEMQJB"

# (email, first name, last name, is_staff, is_superuser, role shown to the developer)
DEMO_ACCOUNTS = [
    ("admin@hub.example", "Hélène", "Admin", True, True, "hub administrator"),
    ("reviewer@hub.example", "Rémi", "Instructeur", True, False, "reviewer"),
    ("sponsor@chu-exemple.fr", "Sophie", "Martin", False, False, "sponsor (project owner)"),
    ("colleague@chu-exemple.fr", "Karim", "Benali", False, False, "sponsor (team member)"),
]


def load_accounts() -> dict[str, User]:
    """Creates missing demo accounts with confirmed addresses; existing ones are left as
    they are, password included. Returns the accounts by email."""
    users = {}
    for email, first, last, is_staff, is_superuser, _role in DEMO_ACCOUNTS:
        user = confirmed_account(
            email,
            first_name=first,
            last_name=last,
            is_staff=is_staff,
            is_superuser=is_superuser,
        )
        if is_staff and not is_superuser:
            user.groups.add(Group.objects.get(name="reviewers"))
        if is_staff:
            _give_demo_authenticator(user)
        users[email] = user
    return users


def confirmed_account(email: str, **fields) -> User:
    """The demo account with this address, created with the demo password and `fields`
    when missing (an existing one is left as it is), its address confirmed."""
    user, created = User.objects.get_or_create(email=email, defaults=fields)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _give_demo_authenticator(user) -> None:
    """An authenticator app with the demo secret, and recovery codes, unless the
    account already has an app (then it is left as it is)."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
    RecoveryCodes.activate(user)


def demo_totp_uri(user) -> str:
    """The otpauth:// address an authenticator app reads (as its QR code would give)."""
    return get_mfa_adapter().build_totp_url(user, DEMO_TOTP_SECRET)
