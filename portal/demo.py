"""Demo accounts, one per role, created by `manage.py load_demo` for `make run`."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

DEMO_PASSWORD = "demo-portal-2026"

# (email, first name, last name, is_staff, is_superuser, role shown to the developer)
DEMO_ACCOUNTS = [
    ("admin@hub.example", "Hélène", "Admin", True, True, "hub administrator"),
    ("reviewer@hub.example", "Rémi", "Instructeur", True, False, "reviewer"),
    ("sponsor@chu-exemple.fr", "Sophie", "Martin", False, False, "sponsor (project owner)"),
    ("colleague@chu-exemple.fr", "Karim", "Benali", False, False, "sponsor (team member)"),
]


def load_accounts() -> dict[str, object]:
    """Creates missing demo accounts with confirmed addresses; existing ones are left as
    they are, password included. Returns the accounts by email."""
    User = get_user_model()
    users = {}
    for email, first, last, is_staff, is_superuser, _role in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "is_staff": is_staff,
                "is_superuser": is_superuser,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if is_staff and not is_superuser:
            user.groups.add(Group.objects.get(name="reviewers"))
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        users[email] = user
    return users
