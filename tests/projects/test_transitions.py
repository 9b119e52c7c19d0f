"""Transitions beyond the table (test_transition_table.py): emails in each member's
language, messages, the audit trail's model, two reviewers at once."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import translation

from projects import services
from projects.models import Event, Project, Status

S = Status


def test_each_transition_emails_the_team_in_each_members_language(
    complete_draft, owner, member, reviewer, django_capture_on_commit_callbacks
):
    member.language = "en"
    member.save()
    project = services.project_submit(project=complete_draft, actor=owner)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.project_transition(
            project=project, actor=reviewer, to=S.CHANGES_REQUESTED, reason="Précisez la période."
        )

    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {owner.email, member.email}
    assert "Précisez la période." in by_recipient[owner.email].body
    assert "Compléments demandés" in by_recipient[owner.email].body
    assert "Changes requested" in by_recipient[member.email].body


def test_a_staff_message_is_emailed_and_an_internal_event_is_not(
    complete_draft, owner, reviewer, django_capture_on_commit_callbacks
):
    project = services.project_submit(project=complete_draft, actor=owner)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.project_assign(project=project, reviewer=reviewer, actor=reviewer)
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(project=project, author=reviewer, body="Pouvez-vous préciser ?")
    assert {message.to[0] for message in mail.outbox} == {owner.email, "bob@chu-nord.example"}
    assert "Pouvez-vous préciser ?" in mail.outbox[0].body


def test_events_are_never_updated_or_deleted(complete_draft, owner, english):
    services.project_submit(project=complete_draft, actor=owner)
    event = Event.objects.get(action="submitted")

    event.reason = "rewritten"
    with pytest.raises(Exception, match="never changed"):
        event.save()
    with pytest.raises(Exception, match="never deleted"):
        event.delete()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reviewers_acting_at_once_make_exactly_one_transition(
    owner, member, organisation, reviewer, administrator
):
    from tests.projects.conftest import complete

    project = complete(owner=owner, member=member, organisation=organisation)
    project = services.project_submit(project=project, actor=owner)
    barrier = threading.Barrier(2)
    outcomes = []

    def act(actor, to, reason):
        try:
            translation.activate("en")  # per thread; the message is read below
            barrier.wait(timeout=5)
            services.project_transition(
                project=project, actor=actor, to=to, reason=reason, seen=S.SUBMITTED
            )
            outcomes.append(("done", to))
        except services.TransitionError as error:
            outcomes.append(("refused", str(error)))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(reviewer, S.UNDER_REVIEW, "")),
        threading.Thread(target=act, args=(administrator, S.CHANGES_REQUESTED, "Incomplet.")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(kind for kind, _ in outcomes) == ["done", "refused"]
    assert "meanwhile" in next(text for kind, text in outcomes if kind == "refused")
    done = next(to for kind, to in outcomes if kind == "done")
    assert Project.objects.get(pk=project.pk).status == done
    assert Event.objects.filter(project=project, from_status=S.SUBMITTED).count() == 1
