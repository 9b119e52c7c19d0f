"""The shape of the permission tables (`tests/projects/*/test_permissions.py`), as
pretix's: one row per (URL name, method, object), one expected answer per persona.

An answer is a status code, LOGIN (a redirect to the sign-in page), DONE (a
redirect, and the change asked for is in the database) or REFUSED (a redirect with
a message, and nothing changed); each table's test checks the database itself.
"""

import pytest
from django.urls import get_resolver, reverse

GET, POST = "get", "post"
LOGIN = "login"
DONE = "302, done"
REFUSED = "302, refused"


def cases(table: dict, personas: list[str]):
    """One test case per row and persona, named `persona-method-url[-object]`."""
    for (name, method, kind), expected in table.items():
        for persona, status in zip(personas, expected, strict=True):
            label = f"{persona}-{method}-{name}" + (f"-{kind}" if kind else "")
            yield pytest.param(name, method, kind, persona, status, id=label)


def assert_answer(response, status) -> None:
    if status == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif status in (DONE, REFUSED):
        assert response.status_code == 302
        assert not response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == status


def url_names(namespace: str) -> set[str]:
    """Every named URL of the namespace: each must have a row in its table."""
    patterns = get_resolver().namespace_dict[namespace][1].url_patterns
    return {pattern.name for pattern in patterns if getattr(pattern, "name", None)}
