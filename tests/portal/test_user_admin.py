"""Who may do what with accounts in the Django admin: one row per (page, method, target).

Only superusers grant staff status, groups, permissions or superuser, set a
password or delete an account. A hub administrator (group `hub administrators`)
edits the names, language and active flag of non-staff accounts, creates
accounts without a password, and sees staff accounts read-only. Reviewers and
staff without a group see nothing of the accounts. Every POST row also says
what changed in the database, not only the status code.

A URL of the user admin without a row makes `test_every_user_admin_url_is_in_the_table` fail.
"""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from portal.models import User
from tests.conftest import with_totp
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GET, POST = "get", "post"
PERSONAS = ["superuser", "administrator", "reviewer", "staff_without_group"]
NEW_EMAIL = "newcomer@chu-nord.example"
NEW_PASSWORD = "Un nouveau mot de passe, 2026!"

# What a POST may change on the target account (see `changes`).
NOTHING: frozenset[str] = frozenset()
ESCALATED = frozenset({"first_name", "is_staff", "is_superuser", "groups", "user_permissions"})
NAMES = frozenset({"first_name"})
DEACTIVATED = frozenset({"is_active"})
PASSWORD = frozenset({"password"})
DELETED = frozenset({"deleted"})
CREATED_WITH_PASSWORD = frozenset({"created", "usable_password"})
CREATED_WITHOUT_PASSWORD = frozenset({"created"})

# (page, method, target, what the request tries): expected for the superuser, the hub
# administrator, a reviewer and staff without a group. GET: the status code.
# POST: (status code, what changed on the target account).
TABLE = {
    ("changelist", GET, None, ""): (200, 200, 403, 403),
    ("add", GET, None, ""): (200, 200, 403, 403),
    ("add", POST, "newcomer", "create with a password"): (
        (302, CREATED_WITH_PASSWORD),
        (302, CREATED_WITHOUT_PASSWORD),
        (403, NOTHING),
        (403, NOTHING),
    ),
    ("change", GET, "sponsor", ""): (200, 200, 403, 403),
    ("change", GET, "staff member", ""): (200, 200, 403, 403),
    ("change", GET, "other superuser", ""): (200, 200, 403, 403),
    ("change", POST, "sponsor", "escalate"): (
        (302, ESCALATED),
        (302, NAMES),
        (403, NOTHING),
        (403, NOTHING),
    ),
    ("change", POST, "self", "escalate"): (
        (302, ESCALATED - {"is_staff", "is_superuser"}),  # already both
        (403, NOTHING),
        (403, NOTHING),
        (403, NOTHING),
    ),
    ("change", POST, "staff member", "deactivate"): (
        (302, DEACTIVATED),
        (403, NOTHING),
        (403, NOTHING),
        (403, NOTHING),
    ),
    ("change", POST, "other superuser", "deactivate"): (
        (302, DEACTIVATED),
        (403, NOTHING),
        (403, NOTHING),
        (403, NOTHING),
    ),
    ("password", GET, "sponsor", ""): (200, 403, 403, 403),
    ("password", GET, "staff member", ""): (200, 403, 403, 403),
    ("password", POST, "sponsor", "set password"): (
        (302, PASSWORD),
        (403, NOTHING),
        (403, NOTHING),
        (403, NOTHING),
    ),
    ("password", POST, "staff member", "set password"): (
        (302, PASSWORD),
        (403, NOTHING),
        (403, NOTHING),
        (403, NOTHING),
    ),
    ("history", GET, "sponsor", ""): (200, 200, 403, 403),
    ("delete", GET, "sponsor", ""): (200, 403, 403, 403),
    ("delete", POST, "sponsor", "delete"): (
        (302, DELETED),
        (403, NOTHING),
        (403, NOTHING),
        (403, NOTHING),
    ),
}

URL_NAMES = {
    "changelist": "admin:portal_user_changelist",
    "add": "admin:portal_user_add",
    "change": "admin:portal_user_change",
    "history": "admin:portal_user_history",
    "delete": "admin:portal_user_delete",
    "password": "admin:auth_user_password_change",
}


@pytest.fixture
def accounts(staff, administrator, reviewer, staff_without_group, owner):
    """The personas, and the accounts they act on."""
    colleague = with_totp(UserFactory(email="olga@hub.example", first_name="Olga", is_staff=True))
    colleague.groups.add(Group.objects.get(name="reviewers"))
    other_superuser = with_totp(
        UserFactory(email="root@hub.example", is_staff=True, is_superuser=True)
    )
    personas = {
        "superuser": staff,
        "administrator": administrator,
        "reviewer": reviewer,
        "staff_without_group": staff_without_group,
    }
    targets = {"sponsor": owner, "staff member": colleague, "other superuser": other_superuser}
    return personas, targets


def state(email: str) -> dict | None:
    """What a POST could change on the account, or None when there is no such account."""
    user = get_user_model().objects.filter(email=email).first()
    if user is None:
        return None
    return {
        "password": user.password,
        "usable_password": user.has_usable_password(),
        "first_name": user.first_name,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": set(user.groups.values_list("name", flat=True)),
        "user_permissions": set(user.user_permissions.values_list("codename", flat=True)),
    }


def changes(before: dict | None, after: dict | None) -> frozenset[str]:
    if before is None and after is None:
        return NOTHING
    if before is None:
        return frozenset({"created"} | ({"usable_password"} if after["usable_password"] else set()))
    if after is None:
        return DELETED
    return frozenset(key for key in before if before[key] != after[key])


def change_form_data(user: User, **overrides) -> dict:
    """Every field of the change form as the account stands, then `overrides`."""
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "groups": [group.pk for group in user.groups.all()],
        "user_permissions": [permission.pk for permission in user.user_permissions.all()],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    }
    for flag in ["is_active", "is_staff", "is_superuser"]:
        if getattr(user, flag):
            data[flag] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def post_data(attempt: str, target: User | None) -> dict:
    if attempt == "create with a password":
        return {"email": NEW_EMAIL, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    if attempt == "escalate":
        return change_form_data(
            target,
            first_name="Changed",
            is_staff="on",
            is_superuser="on",
            groups=[Group.objects.get(name="hub administrators").pk],
            user_permissions=[Permission.objects.get(codename="delete_user").pk],
        )
    if attempt == "deactivate":
        return change_form_data(target, is_active=None)
    if attempt == "set password":
        return {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    if attempt == "delete":
        return {"post": "yes"}
    raise AssertionError(attempt)


def cases():
    for (page, method, target, attempt), expected in TABLE.items():
        for persona, outcome in zip(PERSONAS, expected, strict=True):
            label = f"{persona}-{method}-{page}-{target or 'none'}-{attempt or 'read'}"
            yield pytest.param(page, method, target, attempt, persona, outcome, id=label)


@pytest.mark.parametrize(
    ("page", "method", "target", "attempt", "persona", "outcome"), list(cases())
)
def test_user_admin_answers_each_staff_persona(
    client, accounts, page, method, target, attempt, persona, outcome
):
    personas, targets = accounts
    actor = personas[persona]
    account = actor if target == "self" else targets.get(target)
    client.force_login(actor)
    url = reverse(URL_NAMES[page], args=[account.pk] if account else [])
    email = account.email if account else NEW_EMAIL

    if method == GET:
        response = client.get(url)
        assert response.status_code == outcome
        return

    status, changed = outcome
    before = state(email)
    response = client.post(url, post_data(attempt, account))
    assert response.status_code == status, response.context and response.context.get("errors")
    assert changes(before, state(email)) == changed


def test_every_user_admin_url_is_in_the_table():
    model_admin = admin.site._registry[User]
    names = {pattern.name for pattern in model_admin.get_urls() if pattern.name}
    tested = {URL_NAMES[page].removeprefix("admin:") for page, *_rest in TABLE}
    assert names == tested


def test_a_hub_administrator_edits_only_names_language_and_active_flag(
    client, administrator, owner
):
    client.force_login(administrator)

    form = (
        client.get(reverse("admin:portal_user_change", args=[owner.pk])).context["adminform"].form
    )

    assert set(form.fields) == {"first_name", "last_name", "language", "is_active"}


def test_a_hub_administrator_sees_a_staff_account_without_a_save_button(
    client, administrator, reviewer
):
    client.force_login(administrator)

    response = client.get(reverse("admin:portal_user_change", args=[reviewer.pk]))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.content.decode()


def test_the_superuser_still_grants_every_privilege(client, staff, owner):
    client.force_login(staff)

    form = (
        client.get(reverse("admin:portal_user_change", args=[owner.pk])).context["adminform"].form
    )

    assert {"is_staff", "is_superuser", "groups", "user_permissions", "password"} <= set(
        form.fields
    )
