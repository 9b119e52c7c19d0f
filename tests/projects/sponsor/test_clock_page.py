"""The sponsor's project page says, in words, who has the file, since when, and by
which date the hub must answer; dates in the reader's language."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from projects import services
from projects.models import Status
from tests.factories import record_evidence
from tests.languages import in_language

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def on(year, month, day):
    return time_machine.travel(datetime(year, month, day, 10, tzinfo=PARIS), tick=False)


@pytest.fixture
def submitted(complete_draft, owner):
    with on(2027, 2, 25):
        project = services.project_submit(project=complete_draft, actor=owner)
    record_evidence(project)  # the review's gates ask for it; the clocks ignore it
    return project


def page(client, user, project, *, language="fr", when=(2027, 3, 1)) -> str:
    with on(*when):
        client.force_login(user)
        response = client.get(
            in_language(reverse("my:project", kwargs={"pk": project.pk}), language)
        )
    assert response.status_code == 200
    return response.content.decode()


def clock_box(content: str) -> str:
    start = content.index('id="clock"')
    return content[start : content.index("</div>", start)]


def test_the_sponsor_reads_in_english_who_has_the_file_and_the_date(client, owner, submitted):
    box = clock_box(page(client, owner, submitted, language="en"))

    assert "Your application has been with the hub since 25 Feb 2027" in box
    assert "admissibility check" in box
    assert "The hub must answer by 12 Mar 2027." in box
    assert "The decision on your application is due by 25 May 2027." in box
    assert "This date has passed" not in box


def test_the_dates_are_french_for_a_french_reader(client, owner, submitted):
    box = clock_box(page(client, owner, submitted, language="fr"))

    assert "25 février 2027" in box
    assert "12 mars 2027" in box
    assert "25 mai 2027" in box


def test_an_overdue_answer_says_the_date_has_passed(client, owner, submitted):
    box = clock_box(page(client, owner, submitted, language="en", when=(2027, 3, 13)))

    assert "The hub must answer by 12 Mar 2027." in box
    assert "This date has passed." in box


def test_while_changes_are_requested_the_clock_is_paused(client, owner, reviewer, submitted):
    with on(2027, 3, 1):
        services.project_transition(
            project=submitted, actor=reviewer, to=Status.CHANGES_REQUESTED, reason="Précisez."
        )

    box = clock_box(page(client, owner, submitted, language="en", when=(2027, 3, 20)))

    assert "The hub is waiting for your answer since 1 Mar 2027; the clock is paused." in box
    assert "When you resubmit, the hub will have 85 days left to decide." in box
    assert "must answer" not in box


def test_an_extension_and_its_reason_are_shown(client, owner, reviewer, submitted):
    with on(2027, 3, 1):
        services.deadline_extend(
            project=submitted, actor=reviewer, clock="decision", reason="Avis complémentaire."
        )

    content = page(client, owner, submitted, language="en")

    assert "The decision on your application is due by 25 Aug 2027." in clock_box(content)
    assert "The hub extended the decision deadline by 3 months" in content
    assert "Avis complémentaire." in content


def test_drafts_and_decided_projects_show_no_clock(client, owner, draft, submitted, reviewer):
    for to in [Status.UNDER_REVIEW, Status.AWAITING_AUTHORISATION, Status.APPROVED]:
        with on(2027, 3, 1):
            services.project_transition(project=submitted, actor=reviewer, to=to)

    assert 'id="clock"' not in page(client, owner, draft)
    assert 'id="clock"' not in page(client, owner, submitted)
