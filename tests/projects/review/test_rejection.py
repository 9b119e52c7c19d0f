"""A rejection asks the reviewer for a confirmation, a reason and its ground, and shows
the sponsor team which rule it rests on: on their project page and in their email."""

import pytest
from django.core import mail
from django.urls import reverse

from projects import services
from projects.models import Event, Opinion, Project, RejectionGround, Status
from tests.languages import english_url

pytestmark = pytest.mark.django_db

REASON = "Le protocole ne justifie pas le besoin de données individuelles."
NO_PUBLIC_INTEREST_RULE = "Access to health data is granted only for a purpose of public interest"


@pytest.fixture
def under_review(complete_draft, owner, reviewer):
    project = services.project_submit(project=complete_draft, actor=owner)
    return services.project_transition(project=project, actor=reviewer, to="under_review")


def reject(client, project, **fields):
    data = {"to": "rejected", "seen": project.status, **fields}
    return client.post(
        reverse("admin:projects_project_transition", args=[project.pk]),
        data,
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def error_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level_tag == "error"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reason": REASON, "ground": "no_public_interest"}, "Tick the box to confirm"),
        ({"reason": REASON, "confirm": "on"}, "Choose the ground the rejection rests on"),
        ({"ground": "no_public_interest", "confirm": "on"}, "Please give a reason"),
        ({"reason": REASON, "ground": "whim", "confirm": "on"}, "Select a valid choice"),
        (
            {"reason": REASON, "ground": "unfavourable_opinion", "confirm": "on"},
            "needs that opinion recorded, unfavourable",
        ),
    ],
    ids=["no confirmation", "no ground", "no reason", "unknown ground", "ground without evidence"],
)
def test_a_rejection_missing_a_piece_is_refused_with_a_message(
    client, reviewer, under_review, english, fields, message
):
    client.force_login(reviewer)
    mail.outbox.clear()

    response = reject(client, under_review, **fields)

    assert len(error_messages(response)) == 1
    assert message in error_messages(response)[0]
    assert Project.objects.get(pk=under_review.pk).status == Status.UNDER_REVIEW
    assert not Event.objects.filter(project=under_review, action="rejected").exists()
    assert mail.outbox == []


def test_the_rejection_form_asks_for_a_reason_a_ground_and_a_confirmation(
    client, reviewer, under_review
):
    client.force_login(reviewer)

    page = client.get(reverse("admin:projects_project_change", args=[under_review.pk]))

    [form] = [form for form in page.context["transitions"] if form.target == "rejected"]
    assert {"reason", "ground", "confirm"} <= set(form.fields)
    assert form.fields["reason"].required and form.fields["confirm"].required
    assert [value for value, _label in form.fields["ground"].choices][1:] == list(
        RejectionGround.values
    )
    content = page.content.decode()
    assert 'id="transition-rejected"' in content
    assert 'name="confirm"' in content and 'name="ground"' in content


def test_the_sponsor_team_reads_the_ground_and_its_rule_on_their_page_and_in_their_email(
    client, owner, member, reviewer, under_review, django_capture_on_commit_callbacks
):
    owner.language = member.language = "en"
    owner.save()
    member.save()
    client.force_login(reviewer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = reject(
            client, under_review, reason=REASON, ground="no_public_interest", confirm="on"
        )

    assert error_messages(response) == []
    event = Event.objects.get(project=under_review, action="rejected")
    assert (event.ground, event.reason, event.actor) == ("no_public_interest", REASON, reviewer)
    assert Project.objects.get(pk=under_review.pk).status == Status.REJECTED

    emails = {email.to[0]: email for email in mail.outbox}
    assert set(emails) == {owner.email, member.email}
    for email in emails.values():
        assert "The decision rests on this ground: No public interest shown." in email.body
        assert NO_PUBLIC_INTEREST_RULE in email.body
        assert REASON in email.body

    client.force_login(owner)
    page = client.get(english_url(reverse("my:project", kwargs={"pk": under_review.pk})))
    content = page.content.decode()
    assert 'id="rejection"' in content
    assert "No public interest shown" in content
    assert NO_PUBLIC_INTEREST_RULE in content
    assert REASON in content


def test_an_unfavourable_opinion_on_record_lets_the_rejection_rest_on_it(
    client, owner, reviewer, under_review, english
):
    Opinion.objects.create(
        project=under_review, verdict=Opinion.Verdict.UNFAVOURABLE, given_on="2026-03-02"
    )
    client.force_login(reviewer)

    reject(client, under_review, reason=REASON, ground="unfavourable_opinion", confirm="on")

    assert Event.objects.get(project=under_review, action="rejected").ground == (
        "unfavourable_opinion"
    )
    client.force_login(owner)
    page = client.get(english_url(reverse("my:project", kwargs={"pk": under_review.pk})))
    assert "Unfavourable CESREES opinion" in page.content.decode()


def test_the_ground_stays_out_of_the_public_page(client, reviewer, under_review):
    services.project_transition(
        project=under_review, actor=reviewer, to="rejected", reason=REASON, ground="methodology"
    )

    page = client.get(
        english_url(reverse("projects:public", kwargs={"reference": under_review.reference}))
    )

    content = page.content.decode()
    assert "Rejected" in content
    assert "Methodology unsound" not in content
    assert REASON not in content
