"""Who may open each sponsor URL: one row per (URL, method, project), one column per
persona. A URL of the `my` namespace without a row makes
`test_every_sponsor_url_is_in_the_table` fail.

Two projects: one submitted at least once (here sent back for changes), which the
hub's reviewers and administrators may read; and a draft never submitted, which
stays private to its team. Staff without a review group read neither.
"""

import pytest
from django.urls import get_resolver, reverse

from projects import services
from projects.models import Attachment, Invitation
from tests.factories import make_project
from tests.projects.files import pdf_upload

GET, POST = "get", "post"
LOGIN = "login"  # a redirect to the sign-in page
SUBMITTED, DRAFT = "submitted", "draft"
PERSONAS = [
    "anonymous",
    "owner",
    "member",
    "outsider",
    "reviewer",
    "administrator",
    "staff_without_group",
]

# (url name, method, project): expected status for anonymous, owner, member, outsider,
# reviewer, hub administrator, staff without group.
TABLE = {
    ("projects", GET, None): (LOGIN, 200, 200, 200, 200, 200, 200),
    ("project-new", GET, None): (LOGIN, 200, 200, 200, 200, 200, 200),
    ("invitation", GET, None): (200, 200, 200, 200, 200, 200, 200),
    # Submitted at least once: the team, and the hub's reviewers, read it.
    ("project", GET, SUBMITTED): (LOGIN, 200, 200, 404, 200, 200, 404),
    ("project-edit", GET, SUBMITTED): (LOGIN, 200, 200, 404, 404, 404, 404),
    ("project-edit", POST, SUBMITTED): (LOGIN, 302, 302, 404, 404, 404, 404),
    ("project-withdraw", GET, SUBMITTED): (LOGIN, 200, 200, 404, 404, 404, 404),
    ("project-withdraw", POST, SUBMITTED): (LOGIN, 302, 302, 404, 404, 404, 404),
    ("message", GET, SUBMITTED): (LOGIN, 405, 405, 405, 405, 405, 405),
    ("message", POST, SUBMITTED): (LOGIN, 302, 302, 404, 404, 404, 404),
    ("invite", POST, SUBMITTED): (LOGIN, 302, 302, 404, 404, 404, 404),
    ("version", GET, SUBMITTED): (LOGIN, 200, 200, 404, 200, 200, 404),
    ("version-compare", GET, SUBMITTED): (LOGIN, 200, 200, 404, 200, 200, 404),
    ("attachment", GET, SUBMITTED): (LOGIN, 200, 200, 404, 200, 200, 404),
    ("attachment-delete", POST, SUBMITTED): (LOGIN, 302, 302, 404, 404, 404, 404),
    # Never submitted: private to its team, staff included.
    ("project", GET, DRAFT): (LOGIN, 200, 200, 404, 404, 404, 404),
    ("project-edit", GET, DRAFT): (LOGIN, 200, 200, 404, 404, 404, 404),
    ("project-edit", POST, DRAFT): (LOGIN, 302, 302, 404, 404, 404, 404),
    ("project-withdraw", GET, DRAFT): (LOGIN, 200, 200, 404, 404, 404, 404),
    ("project-withdraw", POST, DRAFT): (LOGIN, 302, 302, 404, 404, 404, 404),
    ("message", GET, DRAFT): (LOGIN, 405, 405, 405, 405, 405, 405),
    ("message", POST, DRAFT): (LOGIN, 302, 302, 404, 404, 404, 404),
    ("invite", POST, DRAFT): (LOGIN, 302, 302, 404, 404, 404, 404),
    ("version", GET, DRAFT): (LOGIN, 404, 404, 404, 404, 404, 404),  # no version yet
    ("version-compare", GET, DRAFT): (LOGIN, 404, 404, 404, 404, 404, 404),
    ("attachment", GET, DRAFT): (LOGIN, 200, 200, 404, 404, 404, 404),
    ("attachment-delete", POST, DRAFT): (LOGIN, 302, 302, 404, 404, 404, 404),
}


def url_kwargs(project, attachment) -> dict[str, dict]:
    return {
        "project": {"pk": project.pk},
        "project-edit": {"pk": project.pk},
        "project-withdraw": {"pk": project.pk},
        "message": {"pk": project.pk},
        "invite": {"pk": project.pk},
        "version": {"pk": project.pk, "number": 1},
        "version-compare": {"pk": project.pk},
        "attachment": {"pk": project.pk, "attachment_id": attachment.pk},
        "attachment-delete": {"pk": project.pk, "attachment_id": attachment.pk},
    }


@pytest.fixture
def world(
    complete_draft,
    owner,
    member,
    outsider,
    reviewer,
    administrator,
    staff_without_group,
    organisation,
):
    submitted = complete_draft
    services.project_submit(project=submitted, actor=owner)
    services.project_transition(
        project=submitted, actor=reviewer, to="changes_requested", reason="Précisez la période."
    )
    draft = make_project(owner=owner, members=[member], title="Brouillon", sponsor=organisation)
    draft_file = Attachment.objects.create(
        project=draft,
        file=pdf_upload("brouillon.pdf"),
        original_name="brouillon.pdf",
        content_type="application/pdf",
        size=100,
        uploaded_by=owner,
    )
    invitation = Invitation.objects.create(
        project=submitted, email="new@x.example", invited_by=owner
    )
    token = services.signing.dumps(invitation.pk, salt=services.INVITATION_SALT)
    users = {
        "owner": owner,
        "member": member,
        "outsider": outsider,
        "reviewer": reviewer,
        "administrator": administrator,
        "staff_without_group": staff_without_group,
    }
    return {
        "projects": {SUBMITTED: submitted, DRAFT: draft},
        "kwargs": {
            SUBMITTED: url_kwargs(submitted, submitted.attachments.get()),
            DRAFT: url_kwargs(draft, draft_file),
            None: {"invitation": {"token": token}},
        },
        "users": users,
    }


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
    for (name, method, kind), expected in TABLE.items():
        for persona, status in zip(PERSONAS, expected, strict=True):
            label = f"{persona}-{method}-{name}" + (f"-{kind}" if kind else "")
            yield pytest.param(name, method, kind, persona, status, id=label)


@pytest.mark.parametrize(("name", "method", "kind", "persona", "status"), list(cases()))
def test_sponsor_urls_answer_each_persona(world, client, name, method, kind, persona, status):
    if persona != "anonymous":
        client.force_login(world["users"][persona])
    url = reverse(f"my:{name}", kwargs=world["kwargs"][kind].get(name, {}))
    data = dict(POST_DATA.get(name, {}))
    if name == "project-edit":
        data["edit_version"] = str(world["projects"][kind].edit_version)

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
    assert names == {name for name, _method, _kind in TABLE}


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


@pytest.mark.parametrize("persona", ["reviewer", "administrator", "staff_without_group"])
def test_staff_get_404_on_a_never_submitted_draft_and_learn_nothing(
    request, draft, client, persona
):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("my:project", kwargs={"pk": draft.pk}))

    assert response.status_code == 404
    assert draft.title not in response.content.decode()
