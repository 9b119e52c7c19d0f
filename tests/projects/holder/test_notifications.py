"""The data holders hear of the requests for their bases: an email when an application
asking for one is submitted (once per base, resubmissions included), and a weekly
digest of the requests waiting for their decision, tested on a frozen clock."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from catalog.models import Base
from projects import holders, services
from projects.holder.digests import digests_send, week_of
from projects.models import Decision, HolderDigest, Project, RequestedBase
from tests.conftest import holder_member_of
from tests.factories import make_public_project

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def emails_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


# At submission.


def test_the_holders_members_are_emailed_when_an_application_asks_for_their_base(
    complete_draft, owner, holder_member, other_holder_member, django_capture_on_commit_callbacks
):
    english_member = holder_member_of("Unicancer", "ian@unicancer.example", "Ian")
    english_member.language = "en"
    english_member.save()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.project_submit(project=complete_draft, actor=owner)

    project = Project.objects.get(pk=complete_draft.pk)
    requested = project.requested_bases.get()
    [french] = emails_to(holder_member.email)
    [english] = emails_to(english_member.email)
    assert english.subject == f"[{project.reference}] An application asks for ESME"
    assert f"/holder/requests/{requested.pk}/" in english.body
    assert project.title in english.body
    assert french.subject == f"[{project.reference}] Un dossier demande ESME"
    assert not emails_to(other_holder_member.email)  # AP-HP holds no base asked for
    assert requested.holder_told_at is not None


def test_a_resubmission_tells_only_the_holders_of_bases_added_since(
    complete_draft,
    owner,
    reviewer,
    holder_member,
    other_holder_member,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        services.project_submit(project=complete_draft, actor=owner)
    services.project_transition(
        project=complete_draft, actor=reviewer, to="changes_requested", reason="Ajoutez BNDMR."
    )
    RequestedBase.objects.create(
        project=complete_draft,
        base=Base.objects.get(slug="bndmr"),
        justification="Maladies rares.",
        period_start=date(2015, 1, 1),
        period_end=date(2022, 12, 31),
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.project_submit(project=Project.objects.get(pk=complete_draft.pk), actor=owner)

    assert not emails_to(holder_member.email)
    [email] = emails_to(other_holder_member.email)
    assert "BNDMR" in email.subject


def test_a_holder_without_members_is_told_nothing_and_nothing_breaks(
    complete_draft, owner, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.project_submit(project=complete_draft, actor=owner)

    assert not [m for m in mail.outbox if m.to[0].endswith("unicancer.example")]
    assert complete_draft.requested_bases.get().holder_told_at is not None


# The weekly digest.

MONDAY = date(2027, 3, 8)


def on(day: date, hour: int = 7):
    return time_machine.travel(
        datetime(day.year, day.month, day.day, hour, tzinfo=PARIS), tick=False
    )


def request_for(reference: str, slug: str, *, status="under_review", submitted_on, decision=None):
    project = make_public_project(
        reference, f"Projet {reference}", status=status, submitted_on=submitted_on
    )
    requested = RequestedBase.objects.create(project=project, base=Base.objects.get(slug=slug))
    if decision:
        RequestedBase.objects.filter(pk=requested.pk).update(decision=decision)
    return requested


@pytest.fixture
def waiting(holder_member, other_holder_member):
    return {
        "old": request_for("HDH-2027-0001", "esme", submitted_on=date(2027, 1, 4)),
        "recent": request_for("HDH-2027-0002", "esme", submitted_on=date(2027, 3, 1)),
        "agreed": request_for(
            "HDH-2027-0003", "esme", submitted_on=date(2027, 2, 1), decision=Decision.AGREED
        ),
        "withdrawn": request_for(
            "HDH-2027-0004", "esme", status="withdrawn", submitted_on=date(2027, 2, 1)
        ),
        "aphp": request_for("HDH-2027-0005", "bndmr", submitted_on=date(2027, 2, 1)),
    }


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def run_on(day: date) -> None:
        with on(day), django_capture_on_commit_callbacks(execute=True):
            call_command("send_holder_digests", stdout=StringIO())

    return run_on


def test_each_member_gets_the_requests_waiting_for_their_holder_oldest_first(
    waiting, run, holder_member, other_holder_member
):
    mail.outbox.clear()
    run(MONDAY)

    [unicancer] = emails_to(holder_member.email)
    body = unicancer.body
    assert "HDH-2027-0001" in body and "HDH-2027-0002" in body
    assert body.index("HDH-2027-0001") < body.index("HDH-2027-0002")
    for other in ["HDH-2027-0003", "HDH-2027-0004", "HDH-2027-0005"]:
        assert other not in body
    assert "2 demandes" in unicancer.subject
    assert "63 jours" in body  # 4 January to 8 March
    [aphp] = emails_to(other_holder_member.email)
    assert "HDH-2027-0005" in aphp.body and "HDH-2027-0001" not in aphp.body


def test_the_digest_leaves_once_a_week_and_again_the_next(waiting, run, holder_member):
    run(MONDAY)
    run(MONDAY + timedelta(days=3))
    assert len(emails_to(holder_member.email)) == 1
    assert HolderDigest.objects.get(user=holder_member).week_of == MONDAY

    run(MONDAY + timedelta(days=7))

    assert len(emails_to(holder_member.email)) == 2


def test_nothing_waiting_no_digest(waiting, run, holder_member):
    holders.requested_base_decide(
        requested=waiting["old"], actor=holder_member, decision=Decision.AGREED
    )
    holders.requested_base_decide(
        requested=waiting["recent"], actor=holder_member, decision=Decision.REFUSED, note="Non."
    )
    mail.outbox.clear()

    run(MONDAY)

    assert not emails_to(holder_member.email)
    assert not HolderDigest.objects.filter(user=holder_member).exists()


def test_an_inactive_member_gets_no_digest(waiting, run, holder_member):
    holder_member.is_active = False
    holder_member.save()

    run(MONDAY)

    assert not emails_to(holder_member.email)


def test_the_week_starts_on_monday():
    assert week_of(date(2027, 3, 14)) == MONDAY  # a Sunday
    assert week_of(MONDAY) == MONDAY


def test_digests_send_reports_what_it_sent(waiting, holder_member, other_holder_member):
    with on(MONDAY):
        report = digests_send(today=MONDAY)

    assert (report.emails, report.requests) == (2, 3)
