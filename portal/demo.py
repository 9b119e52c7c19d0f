"""Demo accounts, one per role, created by `manage.py load_demo` for `make run`."""

from django.contrib.auth import get_user_model

# (username, password, email, is_staff, is_superuser, role shown to the developer)
DEMO_ACCOUNTS = [
    ("admin", "demo-admin", "admin@health-data-hub.example", True, True, "hub administrator"),
]


def load_accounts() -> None:
    """Creates missing demo accounts; an existing account is left as it is, password included."""
    User = get_user_model()
    for username, password, email, is_staff, is_superuser, _role in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"email": email, "is_staff": is_staff, "is_superuser": is_superuser},
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
