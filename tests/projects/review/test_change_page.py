"""The change page holds everything needed to decide: the application with each base's
justification and period, the attachments, the versions and their differences, the
records, the thread, and one labelled form per move the reviewer may make."""

import re
from datetime import date

import pytest
from django.urls import reverse

from catalog.models import Base
from projects import services
from projects.models import Authorisation, Decision, InternalNote, Opinion, Project, RequestedBase

pytestmark = pytest.mark.django_db


@pytest.fixture
def file(complete_draft, owner, reviewer):
    """Submitted twice (a request for changes in between), under review, with two bases,
    the opinion on record, a message each way and an internal note."""
    RequestedBase.objects.create(
        project=complete_draft,
        base=Base.objects.get(slug="oscour"),
        justification="Passages aux urgences pendant les canicules.",
        period_start=date(2018, 6, 1),
        period_end=date(2023, 9, 30),
        decision=Decision.AGREED,
    )
    project = services.project_submit(project=complete_draft, actor=owner)
    project = services.project_transition(
        project=project, actor=reviewer, to="changes_requested", reason="Précisez."
    )
    project = services.project_submit(project=project, actor=owner)
    project = services.project_transition(project=project, actor=reviewer, to="under_review")
    Opinion.objects.create(
        project=project, verdict=Opinion.Verdict.WITH_RECOMMENDATIONS, given_on=date(2026, 3, 2)
    )
    services.message_post(project=project, author=reviewer, body="Question du pôle.")
    services.message_post(project=project, author=owner, body="Réponse de l'équipe.")
    InternalNote.objects.create(project=project, author=reviewer, body="Note interne du pôle.")
    return project


def change_page(client, project) -> str:
    response = client.get(
        reverse("admin:projects_project_change", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    return response.content.decode()


def section(content: str, element_id: str) -> str:
    """The HTML of the element with this id, up to the next section of the page."""
    start = content.index(f'id="{element_id}"')
    return content[start : start + 6000]


def test_each_base_shows_its_justification_period_and_decision(client, reviewer, file):
    client.force_login(reviewer)

    bases = section(change_page(client, file), "bases")

    assert "Données de vie réelle." in bases  # ESME, from the fixture
    assert "Passages aux urgences pendant les canicules." in bases
    assert "01/06/2018 → 30/09/2023" in bases  # SHORT_DATE_FORMAT in (British) English
    assert "ESME" in bases and "OSCOUR" in bases
    assert "Pending" in bases and "Agreed" in bases


def test_the_attachments_are_download_links_that_work_for_the_reviewer(client, reviewer, file):
    client.force_login(reviewer)
    attachment = file.attachments.get()

    attachments = section(change_page(client, file), "attachments")
    url = reverse("my:attachment", args=[file.pk, attachment.pk])

    assert f'href="{url}"' in attachments
    assert "protocole.pdf" in attachments
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")


def test_the_versions_link_to_each_version_and_to_their_differences(client, reviewer, file):
    client.force_login(reviewer)

    versions = section(change_page(client, file), "versions")

    assert f'href="{reverse("my:version", args=[file.pk, 1])}"' in versions
    assert f'href="{reverse("my:version", args=[file.pk, 2])}"' in versions
    compare = f"{reverse('my:version-compare', args=[file.pk])}?from=1&amp;to=2"
    assert f'href="{compare}"' in versions
    assert client.get(compare.replace("&amp;", "&")).status_code == 200


def test_the_records_and_the_thread_are_on_the_page(client, reviewer, file):
    Authorisation.objects.create(
        project=file,
        kind=Authorisation.Kind.CNIL,
        decision_number="DR-2026-104",
        decided_on=date(2026, 4, 2),
    )
    client.force_login(reviewer)

    content = change_page(client, file)

    summary = section(content, "summary")
    assert "Favourable with recommendations" in summary
    assert "CNIL decision DR-2026-104" in summary
    assert "ESME <strong>pending</strong>" in summary
    assert "OSCOUR <strong>agreed</strong>" in summary
    thread = section(content, "thread")
    assert thread.index("Question du pôle.") < thread.index("Réponse de l&#x27;équipe.")
    assert "Note interne du pôle." in content
    timeline = section(content, "timeline")
    assert "Resubmitted" in timeline and "Précisez." in timeline


def test_one_labelled_form_per_move_with_the_fields_it_needs(client, reviewer, file):
    client.force_login(reviewer)

    content = change_page(client, file)

    panel = content[content.index('id="transitions"') :]
    forms = re.findall(
        r'<form method="post" action="([^"]+)" class="[^"]*" id="transition-(\w+)"', panel
    )
    action = reverse("admin:projects_project_transition", args=[file.pk])
    assert forms == [
        (action, "changes_requested"),
        (action, "awaiting_authorisation"),
        (action, "rejected"),
    ]
    for title in [
        "Request changes from the sponsor team",
        "Opinion on record: await the authorisation",
        "Reject the application",
    ]:
        assert f">{title}</h3>" in panel
    # Each form has its own reason box, labelled; only the rejection has a ground and
    # a confirmation; nothing is missing for these moves (the opinion is on record).
    assert panel.count('<textarea name="reason"') == 3
    assert '<label for="reason-changes_requested">Reason (required' in panel
    assert '<label for="reason-awaiting_authorisation">Comment (optional' in panel
    assert panel.count('name="ground"') == 1 and panel.count('name="confirm"') == 1
    assert "Missing before this move" not in panel


def test_staff_outside_the_review_groups_get_no_form(client, administrator, file):
    """Hub administrators review too; a reader without the permission gets no form."""
    client.force_login(administrator)
    assert 'id="transition-rejected"' in change_page(client, file)

    Project.objects.filter(pk=file.pk).update(status="completed")
    assert 'id="transitions"' not in change_page(client, file)


@pytest.mark.parametrize(
    "data",
    [
        {"to": "nope"},
        {"to": "approved"},
        {"to": "rejected", "reason": "x", "ground": "other", "confirm": "on", "seen": "draft"},
        {"to": "under_review", "reason": "x" * 10_001},
    ],
    ids=["unknown state", "not from here", "stale page", "too long"],
)
def test_a_forged_move_is_a_message_and_changes_nothing(client, reviewer, file, data):
    client.force_login(reviewer)

    response = client.post(
        reverse("admin:projects_project_transition", args=[file.pk]), data, follow=True
    )

    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert Project.objects.get(pk=file.pk).status == "under_review"
