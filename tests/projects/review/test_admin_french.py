"""The admin speaks French to French staff: the apps' names, the filters' values."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_admin_index_names_every_app_in_french(client, staff):
    client.force_login(staff)
    page = client.get(reverse("admin:index")).text
    names = re.findall(r'<caption>\s*<a [^>]*class="section"[^>]*>([^<]+)</a>', page)
    assert sorted(names) == [
        "Authentification et autorisation",
        "Authentification à deux facteurs",
        "Catalogue",
        "Comptes",
        "Portail",
        "Projets",
        "Tâches en arrière-plan",
    ]


def test_the_audit_trails_action_filter_names_each_action(client, staff, running):
    client.force_login(staff)
    page = client.get(reverse("admin:projects_event_changelist")).text
    assert "Compléments demandés par la plateforme" in page
    assert ">changes_requested<" not in page
    filtered = client.get(reverse("admin:projects_event_changelist"), {"action": "created"})
    assert [event.action for event in filtered.context["cl"].result_list] == ["created"]
