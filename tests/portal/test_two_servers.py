"""Two web servers, one database, one Redis: what one does, the other shows. Two
gunicorn processes of the portal on two ports, as two machines behind a load
balancer run it: no state but the shared services, the same public host name asked
of both (allauth keys an account's failed sign-ins by host and address)."""

import time

import pytest
from django.contrib.auth.hashers import ScryptPasswordHasher
from django.urls import reverse

from projects import services
from tests.conftest import verified
from tests.factories import UserFactory
from tests.languages import english_url
from tests.processes import PUBLIC_HOST, Browser, Server, environment
from tests.projects.conftest import complete

# The servers see only committed rows: a real transaction per write, the data
# migrations' rows restored for them (groups, themes, the public data version).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "correct horse battery staple"
PER_ACCOUNT = 5  # failed sign-ins that lock an account (ACCOUNT_RATE_LIMITS)
WITHIN = 5.0  # seconds for a public change to show everywhere (issue 13)


@pytest.fixture
def servers(tmp_path):
    env = environment(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    log = (tmp_path / "gunicorn.log").open("w")
    started = [Server(env, log), Server(env, log)]
    try:
        for server in started:
            server.wait_until_ready()
        yield started
    finally:
        for server in started:
            server.stop()
        log.close()


def with_password(user):
    """A password the servers check quickly: scrypt (which they know, unlike the tests'
    MD5) at a small cost, read from the hash itself; a wrong one is not slowed down to
    the full cost either, as PBKDF2's would be."""
    hasher = ScryptPasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt(), n=2**4)
    user.save(update_fields=["password"])
    return user


def sign_in(browser: Browser, email: str, password: str) -> tuple[int, str]:
    browser.get(english_url(reverse("account_login")))
    return browser.post(
        english_url(reverse("account_login")), {"login": email, "password": password}
    )


def listed(browser: Browser, reference: str, query: str) -> bool:
    return f'href="/projects/{reference}/"' in browser.get(f"/projects/?{query}")[1]


def test_a_public_change_through_one_server_shows_on_the_other(servers, owner, member):
    first, second = (Browser(server.url, host=PUBLIC_HOST) for server in servers)
    with_password(owner)
    organisation = owner.organisations.create(name="CHU Nord")
    project = services.project_submit(
        project=complete(owner=owner, member=member, organisation=organisation), actor=owner
    )
    # Each server has shown, and cached, the directory without the withdrawal.
    assert listed(second, project.reference, "status=submitted")
    assert not listed(second, project.reference, "status=withdrawn")
    assert not listed(first, project.reference, "status=withdrawn")

    assert sign_in(first, owner.email, PASSWORD)[0] == 302
    withdraw = reverse("my:project-withdraw", kwargs={"pk": project.pk})
    first.get(withdraw)
    status, _page = first.post(withdraw, {"reason": "Financement perdu.", "seen": "submitted"})
    assert status == 302
    changed_at = time.monotonic()

    while not listed(second, project.reference, "status=withdrawn"):
        assert time.monotonic() - changed_at < WITHIN, "the other server still shows it"
        time.sleep(0.2)
    assert not listed(second, project.reference, "status=submitted")


def test_a_sign_in_lock_counted_on_one_server_holds_on_the_other(servers, owner):
    first, second = (Browser(server.url, host=PUBLIC_HOST) for server in servers)
    locked = with_password(verified(UserFactory(email="bruno@chu-nord.example")))
    with_password(owner)

    for _attempt in range(PER_ACCOUNT):
        status, page = sign_in(first, locked.email, "not the password")
        assert status == 200 and "Too many failed login attempts" not in page

    # The right password, on the other server: refused, the account is locked.
    status, page = sign_in(second, locked.email, PASSWORD)
    assert status == 200
    assert "Too many failed login attempts" in page
    # Whereas another account signs in there as usual.
    assert sign_in(second, owner.email, PASSWORD)[0] == 302
