"""The admin as French staff read it: every page reached from the index, with the demo's
records, shows names and never a raw code (`changes_requested`, `holder_agreed`); and the
second factors are listed without ever showing their secrets."""

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.urls import reverse

from portal.models import User
from projects.models import Event, Status
from tests.portal.crawling import RAW_CODE, pages, visible_text

pytestmark = pytest.mark.django_db

PAGE_LIMIT = 250


def in_the_admin(href: str) -> bool:
    return href.startswith("/admin/") and not any(
        word in href for word in ("logout", "delete", "password")
    )


def test_no_admin_page_shows_a_raw_code(client):
    call_command("load_demo")
    client.force_login(User.objects.get(email="admin@hub.example"))

    raw = {}
    visited = 0
    for url, html in pages(client, reverse("admin:index"), follow=in_the_admin, limit=PAGE_LIMIT):
        visited += 1
        for code in RAW_CODE.findall(visible_text(html)):
            raw.setdefault(code, url)

    assert visited > 60
    assert raw == {}


def test_the_audit_trail_names_its_actions(client, staff, running):
    event = Event.objects.create(
        project=running,
        actor=staff,
        from_status=Status.SUBMITTED,
        to_status=Status.CHANGES_REQUESTED,
        action="changes_requested",
        reason="Précisez la période.",
        visibility=Event.Visibility.SPONSOR,
    )
    client.force_login(staff)

    page = client.get(reverse("admin:projects_event_changelist")).content.decode()
    detail = client.get(reverse("admin:projects_event_change", args=[event.pk])).content.decode()

    assert "Compléments demandés par la plateforme" in page
    assert "Compléments demandés par la plateforme" in detail
    assert "changes_requested" not in visible_text(page)
    assert "changes_requested" not in visible_text(detail)


def test_second_factors_are_listed_without_their_secrets(client, staff):
    client.force_login(staff)
    authenticator = Authenticator.objects.get(user=staff, type=Authenticator.Type.TOTP)
    secret = authenticator.data["secret"]

    listing = client.get(reverse("admin:mfa_authenticator_changelist"))
    detail = client.get(reverse("admin:mfa_authenticator_change", args=[authenticator.pk]))

    assert staff.email in listing.content.decode()
    assert detail.status_code == 200
    assert secret not in detail.content.decode()
    assert "seed" not in detail.content.decode()
    assert "<textarea" not in detail.content.decode()


def test_nobody_writes_a_second_factor_in_the_admin(client, staff):
    client.force_login(staff)
    authenticator = Authenticator.objects.get(user=staff, type=Authenticator.Type.TOTP)
    before = dict(authenticator.data)

    added = client.post(
        reverse("admin:mfa_authenticator_add"),
        {"user": staff.pk, "type": "totp", "data": '{"secret": "AAAA"}'},
    )
    changed = client.post(
        reverse("admin:mfa_authenticator_change", args=[authenticator.pk]),
        {"user": staff.pk, "type": "totp", "data": '{"secret": "AAAA"}'},
    )

    assert added.status_code == 403
    assert changed.status_code == 403
    authenticator.refresh_from_db()
    assert authenticator.data == before
    assert Authenticator.objects.filter(user=staff).count() == 1


def test_a_superuser_removes_a_lost_second_factor(client, staff, reviewer):
    authenticator = Authenticator.objects.get(user=reviewer, type=Authenticator.Type.TOTP)
    client.force_login(staff)

    response = client.post(
        reverse("admin:mfa_authenticator_delete", args=[authenticator.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=authenticator.pk).exists()


def test_a_hub_administrator_cannot_remove_a_second_factor(client, administrator, reviewer):
    authenticator = Authenticator.objects.get(user=reviewer, type=Authenticator.Type.TOTP)
    client.force_login(administrator)

    response = client.post(
        reverse("admin:mfa_authenticator_delete", args=[authenticator.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Authenticator.objects.filter(pk=authenticator.pk).exists()
