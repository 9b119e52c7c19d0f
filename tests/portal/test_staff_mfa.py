"""Two-factor authentication for the hub's staff (allauth.mfa).

With STAFF_MFA_REQUIRED on (its default without DEBUG, hence in the tests), a
staff account without an authenticator cannot open the admin; signing in asks
for the code of the authenticator app; the admin's own sign-in form, which knows
nothing of a second factor, hands over to allauth's.
"""

import re
from html.parser import HTMLParser

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.conftest import STAFF_TOTP_SECRET, totp_code, verified, with_totp
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def bare_staff(db):
    """A reviewer who has not set up any second factor yet."""
    user = verified(UserFactory(email="new-reviewer@hub.example", is_staff=True))
    user.groups.add(Group.objects.get(name="reviewers"))
    return user


def sign_in(client, user, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def confirm_password(client, password=PASSWORD):
    """allauth asks for the password again before an authenticator is added."""
    client.post(reverse("account_reauthenticate"), {"password": password})


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


def test_staff_mfa_is_required_in_the_tests_as_in_production(settings):
    assert settings.STAFF_MFA_REQUIRED is True


def test_staff_without_an_authenticator_is_sent_from_the_admin_to_the_setup_page(
    client, bare_staff
):
    client.force_login(bare_staff)
    client.cookies["django_language"] = "en"

    for path in ["/admin/", "/admin/projects/project/", "/admin/portal/user/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == reverse("mfa_activate_totp")

    page = client.get(reverse("mfa_activate_totp"), follow=True)
    messages = [str(message) for message in page.context["messages"]]
    assert any("two-factor" in message.lower() for message in messages), messages


def test_staff_without_an_authenticator_still_browses_the_rest_of_the_site(client, bare_staff):
    client.force_login(bare_staff)

    assert client.get("/").status_code == 200
    assert client.get(reverse("my:projects")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200


def test_without_the_requirement_staff_open_the_admin_without_an_authenticator(
    client, bare_staff, settings
):
    settings.STAFF_MFA_REQUIRED = False
    client.force_login(bare_staff)

    assert client.get("/admin/").status_code == 200


def test_staff_with_an_authenticator_open_the_admin(client, reviewer):
    client.force_login(reviewer)

    assert client.get("/admin/").status_code == 200


def test_a_recovery_code_alone_does_not_count_as_a_second_factor(client, bare_staff):
    RecoveryCodes.activate(bare_staff)
    client.force_login(bare_staff)

    assert client.get("/admin/")["Location"] == reverse("mfa_activate_totp")


def test_the_password_alone_does_not_sign_staff_in(client, reviewer):
    response = sign_in(client, reviewer)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert signed_in_user_id(client) is None
    assert client.get("/admin/").status_code == 302


def test_a_wrong_code_is_refused(client, reviewer):
    sign_in(client, reviewer)
    right = totp_code(STAFF_TOTP_SECRET)
    # Not the code of this step, nor of the step before or after (the tolerance).
    valid = {totp_code(STAFF_TOTP_SECRET, steps) for steps in (-1, 0, 1)}
    wrong = next(
        code
        for code in (f"{(int(right) + n) % 10**6:06d}" for n in range(1, 5))
        if code not in valid
    )

    response = client.post(reverse("mfa_authenticate"), {"code": wrong})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert signed_in_user_id(client) is None
    assert client.get("/admin/").status_code == 302


def test_the_right_code_lets_staff_into_the_admin(client, reviewer):
    sign_in(client, reviewer)

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(STAFF_TOTP_SECRET)})

    assert response.status_code == 302
    assert int(signed_in_user_id(client)) == reviewer.pk
    assert client.get("/admin/").status_code == 200


def test_a_code_is_accepted_only_once(client, reviewer):
    code = totp_code(STAFF_TOTP_SECRET)
    sign_in(client, reviewer)
    client.post(reverse("mfa_authenticate"), {"code": code})
    client.logout()

    sign_in(client, reviewer)
    response = client.post(reverse("mfa_authenticate"), {"code": code})

    assert response.status_code == 200
    assert signed_in_user_id(client) is None


def test_the_admin_login_url_redirects_to_the_sites_sign_in_keeping_next(client):
    response = client.get("/admin/login/", {"next": "/admin/projects/project/?status=submitted"})

    assert response.status_code == 302
    assert response["Location"] == (
        reverse("account_login") + "?next=/admin/projects/project/%3Fstatus%3Dsubmitted"
    )


def test_the_admin_login_url_drops_a_next_to_another_site(client):
    response = client.get("/admin/login/", {"next": "https://evil.example/"})

    assert response["Location"] == reverse("account_login") + "?next=/admin/"


def test_an_anonymous_visit_to_the_admin_ends_on_the_sites_sign_in(client):
    response = client.get("/admin/projects/project/", follow=True)

    assert response.redirect_chain[-1][0] == (
        reverse("account_login") + "?next=/admin/projects/project/"
    )


def test_the_admin_login_form_cannot_be_posted_around_the_second_factor(client, reviewer):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": reviewer.email, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert signed_in_user_id(client) is None


def test_a_signed_in_sponsor_sent_to_the_admin_goes_home_with_a_message(client, owner):
    client.force_login(owner)

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    assert [message.level_tag for message in response.context["messages"]] == ["error"]


def test_activating_an_authenticator_app_generates_recovery_codes(client, bare_staff):
    sign_in(client, bare_staff)
    confirm_password(client)
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    kinds = set(Authenticator.objects.filter(user=bare_staff).values_list("type", flat=True))
    assert kinds == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    codes = client.get(reverse("mfa_view_recovery_codes")).context["unused_codes"]
    assert len(codes) == 10
    assert client.get("/admin/").status_code == 200


def test_a_recovery_code_signs_staff_in_once(client, reviewer):
    code = RecoveryCodes.activate(reviewer).generate_codes()[0]
    sign_in(client, reviewer)

    client.post(reverse("mfa_authenticate"), {"code": code})

    assert int(signed_in_user_id(client)) == reviewer.pk


class _Scripts(HTMLParser):
    """Collects inline scripts that a browser would run, and inline styles."""

    def __init__(self):
        super().__init__()
        self.executable_inline: list[str] = []
        self.styles: list[str] = []
        self.nonced: int = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.styles.append(f"{tag} style={attrs['style']}")
        if tag == "style":
            self.styles.append("<style>")
        if tag == "script":
            data = attrs.get("type", "text/javascript") in ("application/json",)
            if "nonce" in attrs:
                self.nonced += 1
            elif "src" not in attrs and not data:
                self.executable_inline.append(str(attrs))


MFA_PAGES = [
    "mfa_index",
    "mfa_activate_totp",
    "mfa_add_webauthn",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "account_login",
]


@pytest.mark.parametrize("name", MFA_PAGES)
def test_mfa_pages_render_in_the_sites_layout_within_the_csp(client, bare_staff, name):
    if name in ("mfa_view_recovery_codes", "mfa_generate_recovery_codes"):
        with_totp(bare_staff)
        RecoveryCodes.activate(bare_staff)
    if name != "account_login":
        sign_in(client, bare_staff)
        if name in ("mfa_view_recovery_codes", "mfa_generate_recovery_codes"):
            client.post(reverse("mfa_authenticate"), {"code": totp_code(STAFF_TOTP_SECRET)})
        confirm_password(client)

    response = client.get(reverse(name))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="navbar' in html and "skip-link" in html  # the site's layout
    parser = _Scripts()
    parser.feed(html)
    assert parser.executable_inline == []
    assert parser.styles == []
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy


def test_the_passkey_and_webauthn_scripts_are_static_files(client, bare_staff):
    sign_in(client, bare_staff)
    confirm_password(client)

    html = client.get(reverse("mfa_add_webauthn")).content.decode()

    sources = re.findall(r'<script src="([^"]+)"', html)
    assert any(source.endswith("mfa/js/webauthn.js") for source in sources)
    assert 'data-allauth-onload="allauth.webauthn.forms.addForm"' in html


def test_the_sign_in_page_offers_a_passkey_with_its_script(client):
    html = client.get(reverse("account_login")).content.decode()

    assert 'id="passkey_login"' in html
    assert re.search(r'<script src="[^"]*mfa/js/webauthn\.js"', html)
    assert 'data-allauth-onload="allauth.webauthn.forms.loginForm"' in html


def test_the_recovery_codes_page_loads_its_script(client, bare_staff):
    with_totp(bare_staff)
    RecoveryCodes.activate(bare_staff)
    sign_in(client, bare_staff)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(STAFF_TOTP_SECRET)})
    confirm_password(client)

    html = client.get(reverse("mfa_view_recovery_codes")).content.decode()

    assert re.search(r'<script src="[^"]*mfa/js/recovery_codes\.js"', html)
