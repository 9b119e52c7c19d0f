"""Who may open each sponsor URL: one row per (persona, URL). A URL of the `my`
namespace without a row makes `test_every_sponsor_url_is_in_the_table` fail."""

import pytest
from django.urls import get_resolver, reverse

from projects import services
from projects.models import Invitation

GET, POST = "get", "post"
LOGIN = "login"  # a redirect to the sign-in page

# (url name, method): expected status for anonymous, owner, member, outsider, staff
TABLE = {
    ("projects", GET): (LOGIN, 200, 200, 200, 200),
    ("project-new", GET): (LOGIN, 200, 200, 200, 200),
    ("project", GET): (LOGIN, 200, 200, 404, 200),
    ("project-edit", GET): (LOGIN, 200, 200, 404, 404),
    ("project-edit", POST): (LOGIN, 302, 302, 404, 404),
    ("project-withdraw", GET): (LOGIN, 200, 200, 404, 404),
    ("project-withdraw", POST): (LOGIN, 302, 302, 404, 404),
    ("message", GET): (LOGIN, 405, 405, 405, 405),
    ("message", POST): (LOGIN, 302, 302, 404, 404),
    ("invite", POST): (LOGIN, 302, 302, 404, 404),
    ("version", GET): (LOGIN, 200, 200, 404, 200),
    ("version-compare", GET): (LOGIN, 200, 200, 404, 200),
    ("attachment", GET): (LOGIN, 200, 200, 404, 200),
    ("attachment-delete", POST): (LOGIN, 302, 302, 404, 404),
    ("invitation", GET): (200, 200, 200, 200, 200),
}
PERSONAS = ["anonymous", "owner", "member", "outsider", "reviewer"]


@pytest.fixture
def world(complete_draft, owner, member, outsider, reviewer, client):
    project = complete_draft
    services.project_submit(project=project, actor=owner)
    services.project_transition(
        project=project, actor=reviewer, to="changes_requested", reason="Précisez la période."
    )
    attachment = project.attachments.get()
    invitation = Invitation.objects.create(project=project, email="new@x.example", invited_by=owner)
    token = services.signing.dumps(invitation.pk, salt=services.INVITATION_SALT)
    kwargs = {
        "project": {"pk": project.pk},
        "project-edit": {"pk": project.pk},
        "project-withdraw": {"pk": project.pk},
        "message": {"pk": project.pk},
        "invite": {"pk": project.pk},
        "version": {"pk": project.pk, "number": 1},
        "version-compare": {"pk": project.pk},
        "attachment": {"pk": project.pk, "attachment_id": attachment.pk},
        "attachment-delete": {"pk": project.pk, "attachment_id": attachment.pk},
        "invitation": {"token": token},
    }
    users = {"owner": owner, "member": member, "outsider": outsider, "reviewer": reviewer}
    return {"project": project, "kwargs": kwargs, "users": users}


POST_DATA = {
    "project-edit": {
        "title": "Étude des parcours",
        "edit_version": "1",
        "bases-TOTAL_FORMS": "0",
        "bases-INITIAL_FORMS": "0",
        "save": "1",
    },
    "project-withdraw": {"reason": "Financement perdu."},
    "message": {"body": "Bonjour"},
    "invite": {"email": "dave@chu-nord.example"},
}


def cases():
    for (name, method), expected in TABLE.items():
        for persona, status in zip(PERSONAS, expected, strict=True):
            yield pytest.param(name, method, persona, status, id=f"{persona}-{method}-{name}")


@pytest.mark.parametrize(("name", "method", "persona", "status"), list(cases()))
def test_sponsor_urls_answer_each_persona(world, client, name, method, persona, status):
    if persona != "anonymous":
        client.force_login(world["users"][persona])
    url = reverse(f"my:{name}", kwargs=world["kwargs"].get(name, {}))
    data = dict(POST_DATA.get(name, {}))
    if name == "project-edit":
        data["edit_version"] = str(world["project"].edit_version)

    response = getattr(client, method)(url, data) if method == POST else client.get(url)

    if status == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == status


def test_every_sponsor_url_is_in_the_table():
    resolver = get_resolver()
    names = {
        pattern.name
        for pattern in resolver.namespace_dict["my"][1].url_patterns
        if getattr(pattern, "name", None)
    }
    assert names == {name for name, _method in TABLE}


def test_outsider_gets_404_on_draft_and_learns_nothing(draft, outsider, client):
    client.force_login(outsider)

    response = client.get(reverse("my:project", kwargs={"pk": draft.pk}))

    assert response.status_code == 404
    assert draft.title not in response.content.decode()


def test_my_projects_lists_only_the_users_team_projects(draft, outsider, owner, client):
    client.force_login(outsider)
    assert list(client.get(reverse("my:projects")).context["projects"]) == []

    client.force_login(owner)
    assert list(client.get(reverse("my:projects")).context["projects"]) == [draft]
