"""End to end: the hub's staff sign in with a second factor.

A demo staff account signs in with its password and the code of the demo
authenticator app secret that `load_demo` prints; a new staff member without an
authenticator is sent from the admin to set one up, scans (here: reads) the
secret, gets recovery codes and then opens the admin. The `page` fixture fails
the test on any Content Security Policy error, and axe checks the account pages.
"""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from portal.demo.accounts import DEMO_PASSWORD, DEMO_TOTP_SECRET, load_accounts
from tests.conftest import STAFF_TOTP_SECRET, totp_code, verified
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture
def locale():
    return "en-GB"


@pytest.mark.browser
def test_a_demo_staff_account_signs_in_with_its_authenticator_code(page, assert_accessible):
    load_accounts()

    page.goto("/admin/projects/project/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/admin/projects/project/$"))
    assert_accessible(page)
    page.locator("input[name=login]").fill("reviewer@hub.example")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("input[name=password]").press("Enter")

    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    expect(page.locator("#mfa_webauthn_authenticate")).to_be_visible()  # or a passkey
    assert_accessible(page)
    page.locator("input[name=code]").fill(totp_code(DEMO_TOTP_SECRET))
    page.locator("input[name=code]").press("Enter")

    expect(page).to_have_url(re.compile(r"/admin/projects/project/$"))
    expect(page.locator("#user-tools")).to_contain_text("Rémi")


@pytest.mark.browser
def test_new_staff_set_up_an_authenticator_before_opening_the_admin(
    page, assert_accessible, transactional_db
):
    user = verified(UserFactory(email="nina@hub.example", first_name="Nina", is_staff=True))
    user.groups.add(Group.objects.get(name="reviewers"))

    page.goto("/admin/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")

    # No authenticator yet: the admin sends her to set one up, after her password again.
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    expect(page.locator(".messages")).to_contain_text("two-factor authentication")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect(page.locator("img.totp-qr")).to_be_visible()
    assert_accessible(page)

    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name=code]").fill(totp_code(secret))
    page.locator("input[name=code]").press("Enter")

    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/$"))
    expect(page.locator("#recovery_codes")).to_be_visible()
    assert len(page.locator("#recovery_codes").input_value().split()) == 10
    assert_accessible(page)
    assert set(Authenticator.objects.filter(user=user).values_list("type", flat=True)) == {
        Authenticator.Type.TOTP,
        Authenticator.Type.RECOVERY_CODES,
    }

    page.goto("/admin/")
    expect(page.locator("#user-tools")).to_contain_text("Nina")


@pytest.mark.browser
def test_staff_add_a_passkey_then_sign_in_with_it_alone(page, assert_accessible, reviewer):
    """WebAuthn under the site's CSP, with Chromium's virtual authenticator standing
    for a phone or a security key that verifies its user (PIN or biometrics)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(reviewer.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.locator("input[name=code]").fill(totp_code(STAFF_TOTP_SECRET))
    page.locator("input[name=code]").press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/"))

    page.goto("/accounts/2fa/webauthn/add/")
    page.locator("input[name=password]").fill(PASSWORD)  # allauth asks again first
    page.locator("input[name=password]").press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/webauthn/add/$"))
    assert_accessible(page)
    page.locator("input[name=passwordless]").check()
    page.locator("#mfa_webauthn_add").click()
    expect(page).not_to_have_url(re.compile(r"/webauthn/add/"))
    assert Authenticator.objects.filter(user=reviewer, type=Authenticator.Type.WEBAUTHN).exists()

    page.locator("header form[action$='/accounts/logout/'] button").click()
    expect(page.locator("header")).to_contain_text("Sign in")
    page.goto("/admin/")
    page.locator("#passkey_login").click()

    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("#user-tools")).to_contain_text("Rita")
