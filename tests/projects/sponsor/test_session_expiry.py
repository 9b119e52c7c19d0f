"""Nothing typed is lost when the session expired before the form was sent."""

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
