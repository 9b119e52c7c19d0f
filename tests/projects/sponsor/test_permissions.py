"""Who may open each sponsor URL: one row per (URL, method, project), one column per
persona. A URL of the `my` namespace without a row makes
`test_every_sponsor_url_is_in_the_table` fail.

Two projects: one submitted at least once (here sent back for changes), which the
hub's reviewers and administrators may read; and a draft never submitted, which
stays private to its team. Staff without a review group read neither. A third,
closed (rejected), has the POST rows whose answer depends on the state.

A POST row says, beside the status code, whether the request did what it asks
(DONE) or not (REFUSED, both answered with a redirect and a message), and the test
checks it in the database: the title saved, the project withdrawn, the message,
invitation or project created, the attachment deleted, the invitation accepted.
A 404 or a redirect to the sign-in page never changes anything either.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects import results, services
from projects.models import AlgorithmVersion, Attachment, Invitation, Project, Result, TeamMember
from projects.uploads import CSV
from tests.factories import an_algorithm_version, make_project
from tests.permission_table import DONE, GET, LOGIN, POST, REFUSED, assert_answer, cases, url_names
from tests.projects.files import pdf_upload

SUBMITTED, DRAFT, CLOSED, RUNNING = "submitted", "draft", "closed", "running"
PERSONAS = [
    "anonymous",
    "owner",
    "member",
    "outsider",
    "holder_member",
    "reviewer",
    "administrator",
    "staff_without_group",
]

# (url name, method, project): expected answer for anonymous, owner, member, outsider,
# a member of the data holder of the base the projects ask for (a holder reads the
# request on its own pages, never the team's), reviewer, hub administrator, staff
# without group.
TABLE = {
    ("projects", GET, None): (LOGIN, 200, 200, 200, 200, 200, 200, 200),
    ("project-new", GET, None): (LOGIN, 200, 200, 200, 200, 200, 200, 200),
    # Anyone signed in may start an application of their own.
    ("project-new", POST, None): (LOGIN, DONE, DONE, DONE, DONE, DONE, DONE, DONE),
    # One more empty line of the form's requested bases, for anyone signed in (it reads
    # no project); without the index the page's formset counts to, a 400.
    ("base-row", GET, None): (LOGIN, 400, 400, 400, 400, 400, 400, 400),
    ("invitation", GET, None): (200, 200, 200, 200, 200, 200, 200, 200),
    # Sent to an address without an account: only its owner (creating the account)
    # takes it; signed in as anyone else, it is refused.
    ("invitation", POST, None): (DONE, *[REFUSED] * 7),
    # Submitted at least once: the team, and the hub's reviewers, read it.
    ("project", GET, SUBMITTED): (LOGIN, 200, 200, 404, 404, 200, 200, 404),
    ("project-edit", GET, SUBMITTED): (LOGIN, 200, 200, 404, 404, 404, 404, 404),
    ("project-edit", POST, SUBMITTED): (LOGIN, DONE, DONE, 404, 404, 404, 404, 404),
    ("project-withdraw", GET, SUBMITTED): (LOGIN, 200, 200, 404, 404, 404, 404, 404),
    ("project-withdraw", POST, SUBMITTED): (LOGIN, DONE, DONE, 404, 404, 404, 404, 404),
    ("message", GET, SUBMITTED): (LOGIN, 405, 405, 405, 405, 405, 405, 405),
    # Any member of the team copies an application as a new draft of their own.
    ("project-duplicate", GET, SUBMITTED): (LOGIN, 405, 405, 405, 405, 405, 405, 405),
    ("project-duplicate", POST, SUBMITTED): (LOGIN, DONE, DONE, 404, 404, 404, 404, 404),
    ("project-duplicate", POST, DRAFT): (LOGIN, DONE, DONE, 404, 404, 404, 404, 404),
    ("message", POST, SUBMITTED): (LOGIN, DONE, DONE, 404, 404, 404, 404, 404),
    # Only the owner invites.
    ("invite", POST, SUBMITTED): (LOGIN, DONE, REFUSED, 404, 404, 404, 404, 404),
    ("version", GET, SUBMITTED): (LOGIN, 200, 200, 404, 404, 200, 200, 404),
    ("version-compare", GET, SUBMITTED): (LOGIN, 200, 200, 404, 404, 200, 200, 404),
    # The PDF of a version: whoever reads the version. Of the current content: the team.
    ("version-pdf", GET, SUBMITTED): (LOGIN, 200, 200, 404, 404, 200, 200, 404),
    ("project-pdf", GET, SUBMITTED): (LOGIN, 200, 200, 404, 404, 404, 404, 404),
    ("attachment", GET, SUBMITTED): (LOGIN, 200, 200, 404, 404, 200, 200, 404),
    ("attachment-delete", POST, SUBMITTED): (LOGIN, DONE, DONE, 404, 404, 404, 404, 404),
    # Never submitted: private to its team, staff included.
    ("project", GET, DRAFT): (LOGIN, 200, 200, 404, 404, 404, 404, 404),
    ("project-edit", GET, DRAFT): (LOGIN, 200, 200, 404, 404, 404, 404, 404),
    ("project-edit", POST, DRAFT): (LOGIN, DONE, DONE, 404, 404, 404, 404, 404),
    ("project-withdraw", GET, DRAFT): (LOGIN, 200, 200, 404, 404, 404, 404, 404),
    ("project-withdraw", POST, DRAFT): (LOGIN, DONE, DONE, 404, 404, 404, 404, 404),
    ("message", GET, DRAFT): (LOGIN, 405, 405, 405, 405, 405, 405, 405),
    ("message", POST, DRAFT): (LOGIN, DONE, DONE, 404, 404, 404, 404, 404),
    ("invite", POST, DRAFT): (LOGIN, DONE, REFUSED, 404, 404, 404, 404, 404),
    ("version", GET, DRAFT): (LOGIN, 404, 404, 404, 404, 404, 404, 404),  # no version yet
    ("version-compare", GET, DRAFT): (LOGIN, 404, 404, 404, 404, 404, 404, 404),
    ("version-pdf", GET, DRAFT): (LOGIN, 404, 404, 404, 404, 404, 404, 404),  # no version yet
    ("project-pdf", GET, DRAFT): (LOGIN, 200, 200, 404, 404, 404, 404, 404),
    ("attachment", GET, DRAFT): (LOGIN, 200, 200, 404, 404, 404, 404, 404),
    ("attachment-delete", POST, DRAFT): (LOGIN, DONE, DONE, 404, 404, 404, 404, 404),
    # Closed (rejected): the team can no longer edit, delete a file or withdraw it.
    ("project-edit", POST, CLOSED): (LOGIN, REFUSED, REFUSED, 404, 404, 404, 404, 404),
    ("project-withdraw", POST, CLOSED): (LOGIN, REFUSED, REFUSED, 404, 404, 404, 404, 404),
    ("attachment-delete", POST, CLOSED): (LOGIN, REFUSED, REFUSED, 404, 404, 404, 404, 404),
    # In progress: the team declares results and algorithms; a report is read by whoever
    # reads the project. Before that, declaring is refused with a message.
    ("result-new", GET, RUNNING): (LOGIN, 200, 200, 404, 404, 404, 404, 404),
    ("result-new", POST, RUNNING): (LOGIN, DONE, DONE, 404, 404, 404, 404, 404),
    ("result-new", POST, SUBMITTED): (LOGIN, REFUSED, REFUSED, 404, 404, 404, 404, 404),
    ("result-file", GET, RUNNING): (LOGIN, 200, 200, 404, 404, 200, 200, 404),
    # The statistics the hub delivered (to a data request): the team and the reviewers.
    ("delivery", GET, RUNNING): (LOGIN, 200, 200, 404, 404, 200, 200, 404),
    ("algorithm-new", GET, RUNNING): (LOGIN, 200, 200, 404, 404, 404, 404, 404),
    ("algorithm-new", POST, RUNNING): (LOGIN, DONE, DONE, 404, 404, 404, 404, 404),
    ("algorithm-new", POST, SUBMITTED): (LOGIN, REFUSED, REFUSED, 404, 404, 404, 404, 404),
    ("algorithm-version-new", GET, RUNNING): (LOGIN, 200, 200, 404, 404, 404, 404, 404),
    ("algorithm-version-new", POST, RUNNING): (LOGIN, DONE, DONE, 404, 404, 404, 404, 404),
}


def url_kwargs(project, attachment, result=None, algorithm=None, delivery=None) -> dict[str, dict]:
    return {
        "delivery": {"pk": project.pk, "delivery_id": delivery.pk if delivery else 0},
        "result-new": {"pk": project.pk},
        "result-file": {"pk": project.pk, "result_id": result.pk if result else 0},
        "algorithm-new": {"pk": project.pk},
        "algorithm-version-new": {"pk": project.pk, "slug": algorithm.slug if algorithm else "x"},
        "project": {"pk": project.pk},
        "project-edit": {"pk": project.pk},
        "project-withdraw": {"pk": project.pk},
        "message": {"pk": project.pk},
        "project-duplicate": {"pk": project.pk},
        "invite": {"pk": project.pk},
        "version": {"pk": project.pk, "number": 1},
        "version-compare": {"pk": project.pk},
        "version-pdf": {"pk": project.pk, "number": 1},
        "project-pdf": {"pk": project.pk},
        "attachment": {"pk": project.pk, "attachment_id": attachment.pk},
        "attachment-delete": {"pk": project.pk, "attachment_id": attachment.pk},
    }


@pytest.fixture
def world(
    complete_draft,
    owner,
    member,
    outsider,
    holder_member,
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
    closed = make_project(owner=owner, members=[member], title="Refusé", sponsor=organisation)
    Project.objects.filter(pk=closed.pk).update(status="rejected", reference="HDH-2026-0999")
    running = make_project(owner=owner, members=[member], title="En cours", sponsor=organisation)
    Project.objects.filter(pk=running.pk).update(status="in_progress", reference="HDH-2026-0998")
    running.refresh_from_db()
    report = results.result_declare(
        project=running,
        actor=owner,
        result=Result(kind=Result.Kind.REPORT, title="Rapport", file=pdf_upload()),
    )
    algorithm = results.algorithm_declare(
        project=running, actor=owner, name="Score", version=an_algorithm_version()
    ).algorithm
    Project.objects.filter(pk=running.pk).update(kind=Project.Kind.REQUEST)
    delivery = services.statistics_deliver(
        project=running,
        actor=reviewer,
        upload=SimpleUploadedFile("effectifs.csv", b"annee;effectif\n2025;12\n"),
        content_type=CSV,
        note="",
    )
    files = {
        project: Attachment.objects.create(
            project=project,
            file=pdf_upload("fichier.pdf"),
            original_name="fichier.pdf",
            content_type="application/pdf",
            size=100,
            uploaded_by=owner,
        )
        for project in [draft, closed, running]
    }
    invitation = Invitation.objects.create(
        project=submitted, email="new@x.example", invited_by=owner
    )
    token = services.signing.dumps(invitation.pk, salt=services.INVITATION_SALT)
    users = {
        "owner": owner,
        "member": member,
        "outsider": outsider,
        "holder_member": holder_member,
        "reviewer": reviewer,
        "administrator": administrator,
        "staff_without_group": staff_without_group,
    }
    return {
        "projects": {
            SUBMITTED: submitted,
            DRAFT: draft,
            CLOSED: closed,
            RUNNING: running,
            None: submitted,
        },
        "attachments": {
            SUBMITTED: submitted.attachments.get(),
            DRAFT: files[draft],
            CLOSED: files[closed],
            RUNNING: files[running],
        },
        "kwargs": {
            SUBMITTED: url_kwargs(submitted, submitted.attachments.get()),
            DRAFT: url_kwargs(draft, files[draft]),
            CLOSED: url_kwargs(closed, files[closed]),
            RUNNING: url_kwargs(running, files[running], report, algorithm, delivery),
            None: {"invitation": {"token": token}},
        },
        "invitation": invitation,
        "users": users,
    }


NEW_TITLE = "Titre modifié"
ALGORITHM_FORM = {
    "version": "2.0",
    **dict.fromkeys(
        [
            "purpose",
            "intended_use",
            "population",
            "inputs",
            "outputs",
            "performance",
            "metric",
            "validation_data",
            "limitations",
        ],
        "Texte.",
    ),
    "licence": "MIT",
    "repository_url": "https://code.example/algo",
}
POST_DATA = {
    "project-new": {
        "title": "Nouveau projet",
        "edit_version": "1",
        "bases-TOTAL_FORMS": "0",
        "bases-INITIAL_FORMS": "0",
        "save": "1",
    },
    "project-edit": {
        "title": NEW_TITLE,
        "bases-TOTAL_FORMS": "0",
        "bases-INITIAL_FORMS": "0",
        "save": "1",
    },
    "project-withdraw": {"reason": "Financement perdu."},
    "result-new": {"kind": "code", "title": "Le code", "url": "https://code.example/etude"},
    "algorithm-new": ALGORITHM_FORM | {"name": "Nouvel algorithme"},
    "algorithm-version-new": ALGORITHM_FORM,
    "message": {"body": "Bonjour"},
    "invite": {"email": "dave@chu-nord.example"},
    "invitation": {
        "new_password1": "un mot de passe sûr",
        "new_password2": "un mot de passe sûr",
        "accept_terms": "on",
    },
}


def observe(name: str, world: dict, kind: str | None):
    """What the POST to `name` may change, read from the database."""
    project = Project.objects.get(pk=world["projects"][kind].pk)
    if name == "project-new":
        return sorted(
            TeamMember.objects.filter(project__title="Nouveau projet", role="owner").values_list(
                "user__email", flat=True
            )
        )
    if name == "invitation":
        invitation = Invitation.objects.get(pk=world["invitation"].pk)
        members = project.team.values_list("user__email", flat=True)
        return (sorted(members), invitation.accepted_at is not None)
    if name == "project-edit":
        return project.title
    if name == "project-withdraw":
        return project.status
    if name == "message":
        return sorted(project.messages.values_list("author__email", "body"))
    if name == "invite":
        return sorted(project.invitations.values_list("email", flat=True))
    if name == "attachment-delete":
        return Attachment.objects.filter(pk=world["attachments"][kind].pk).exists()
    if name == "project-duplicate":
        return sorted(
            TeamMember.objects.filter(
                project__title=f"Copie de {project.title}", role="owner"
            ).values_list("user__email", flat=True)
        )
    if name == "result-new":
        return sorted(project.outputs.values_list("title", flat=True))
    if name in ("algorithm-new", "algorithm-version-new"):
        return sorted(
            AlgorithmVersion.objects.filter(algorithm__project=project).values_list(
                "algorithm__name", "version"
            )
        )
    raise AssertionError(name)


def done(name: str, before, email: str | None):
    """What `observe` reads once the POST did what it asks."""
    if name == "project-new":
        return sorted([*before, email])
    if name == "invitation":
        return (sorted([*before[0], "new@x.example"]), True)
    if name == "project-edit":
        return NEW_TITLE
    if name == "project-withdraw":
        return "withdrawn"
    if name == "message":
        return sorted([*before, (email, "Bonjour")])
    if name == "invite":
        return sorted([*before, "dave@chu-nord.example"])
    if name == "attachment-delete":
        return False
    if name == "project-duplicate":
        return sorted([*before, email])
    if name == "result-new":
        return sorted([*before, "Le code"])
    if name == "algorithm-new":
        return sorted([*before, ("Nouvel algorithme", "2.0")])
    if name == "algorithm-version-new":
        return sorted([*before, ("Score", "2.0")])
    raise AssertionError(name)


@pytest.mark.parametrize(
    ("name", "method", "kind", "persona", "status"), list(cases(TABLE, PERSONAS))
)
def test_sponsor_urls_answer_each_persona(world, client, name, method, kind, persona, status):
    user = world["users"].get(persona)
    if user is not None:
        client.force_login(user)
    url = reverse(f"my:{name}", kwargs=world["kwargs"][kind].get(name, {}))
    data = dict(POST_DATA.get(name, {}))
    if name == "project-edit":
        data["edit_version"] = str(world["projects"][kind].edit_version)
    before = observe(name, world, kind) if method == POST else None

    response = getattr(client, method)(url, data) if method == POST else client.get(url)

    assert_answer(response, status)
    if method == POST:
        after = observe(name, world, kind)
        if status == DONE:
            assert after == done(name, before, user.email if user else None)
            assert after != before
        else:
            assert after == before


def test_every_sponsor_url_is_in_the_table():
    assert url_names("my") == {name for name, _method, _kind in TABLE}


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
