"""Nothing typed is lost when the session expired before the form was sent."""

import re

import pytest
from django.urls import reverse

from projects.models import Project

pytestmark = pytest.mark.django_db


def test_entries_posted_after_expiry_come_back_after_signing_in(client, owner, draft):
    url = reverse("my:project-edit", kwargs={"pk": draft.pk})
    posted = {
        "title": "Titre tapé hors session",
        "purpose": "Deux heures de rédaction",
        "edit_version": draft.edit_version,
        "save": "1",
        "bases-TOTAL_FORMS": "0",
        "bases-INITIAL_FORMS": "0",
    }

    expired = client.post(url, posted)
    assert expired.status_code == 302
    assert expired["Location"].startswith(reverse("account_login"))

    client.post(
        reverse("account_login"),
        {"login": owner.email, "password": "correct horse battery staple"},
    )
    page = client.get(url)

    assert page.context["form"]["purpose"].value() == "Deux heures de rédaction"
    assert page.context["form"]["title"].value() == "Titre tapé hors session"
    assert Project.objects.get(pk=draft.pk).purpose == ""

    client.post(url, {**posted, "edit_version": page.context["form"]["edit_version"].value()})
    assert Project.objects.get(pk=draft.pk).purpose == "Deux heures de rédaction"


def test_kept_entries_are_shown_once_only(client, owner, draft):
    url = reverse("my:project-edit", kwargs={"pk": draft.pk})
    client.post(url, {"title": "Hors session", "edit_version": "1"})
    client.force_login(owner)

    first = client.get(url)
    second = client.get(url)

    assert first.context["form"]["title"].value() == "Hors session"
    assert second.context["form"]["title"].value() == draft.title


def test_a_new_data_request_posted_after_expiry_stays_a_data_request(client, owner):
    """The form's address carries the kind, so the entries kept while signing in come
    back to the data request's own form, statistics wanted included."""
    client.force_login(owner)
    form = client.get(reverse("my:project-new"), {"kind": Project.Kind.REQUEST})
    action = re.search(r'action="(/my/projects/new/[^"]*)"', form.content.decode())[1]
    client.logout()
    posted = {
        "kind": Project.Kind.REQUEST,
        "title": "Effectifs hors session",
        "statistics_wanted": "Effectifs par région.",
        "edit_version": "1",
        "save": "1",
        "bases-TOTAL_FORMS": "0",
        "bases-INITIAL_FORMS": "0",
    }

    expired = client.post(action, posted)
    assert expired.status_code == 302
    assert action == reverse("my:project-new") + "?kind=request"
    client.post(
        reverse("account_login"),
        {"login": owner.email, "password": "correct horse battery staple"},
    )
    page = client.get(action)

    assert page.context["form"]["statistics_wanted"].value() == "Effectifs par région."
    assert "methodology" not in page.context["form"].fields
