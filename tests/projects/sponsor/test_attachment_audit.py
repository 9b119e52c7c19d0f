"""Every read of an attachment by the hub's staff is in the project's audit trail."""

import pytest
from django.urls import reverse

from projects import selectors, services
from projects.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(complete_draft, owner):
    return services.project_submit(project=complete_draft, actor=owner)


def download(client, project):
    attachment = project.attachments.get()
    response = client.get(
        reverse("my:attachment", kwargs={"pk": project.pk, "attachment_id": attachment.pk})
    )
    assert response.status_code == 200
    b"".join(response.streaming_content)
    return attachment


def test_a_reviewers_download_writes_one_staff_event_naming_the_file(client, reviewer, submitted):
    before = set(submitted.events.values_list("pk", flat=True))
    client.force_login(reviewer)

    attachment = download(client, submitted)

    new = submitted.events.exclude(pk__in=before)
    assert new.count() == 1
    event = new.get()
    assert event.action == "attachment_read"
    assert event.actor == reviewer
    assert event.visibility == Event.Visibility.STAFF
    assert attachment.original_name in event.reason
    assert str(event.label) != event.action  # it has a label for the timeline


@pytest.mark.parametrize("persona", ["owner", "member"])
def test_a_team_members_download_writes_no_event(request, client, submitted, persona):
    before = submitted.events.count()
    client.force_login(request.getfixturevalue(persona))

    download(client, submitted)

    assert submitted.events.count() == before


def test_the_team_does_not_see_the_hubs_reads_in_its_timeline(client, reviewer, submitted):
    client.force_login(reviewer)
    download(client, submitted)

    assert not selectors.events_for_team(submitted).filter(action="attachment_read").exists()
    assert selectors.events_for_staff(submitted).filter(action="attachment_read").exists()


def test_the_admin_change_page_links_each_attachment_to_the_logged_download(
    client, reviewer, submitted
):
    attachment = submitted.attachments.get()
    client.force_login(reviewer)

    page = client.get(reverse("admin:projects_project_change", args=[submitted.pk])).content

    url = reverse("my:attachment", kwargs={"pk": submitted.pk, "attachment_id": attachment.pk})
    assert f'href="{url}"'.encode() in page
