"""Data holders decide for themselves (`projects.holders`): each decision, revision and
delivery is kept, logged in the audit trail for the sponsor team and the staff, and
emailed to them; the hub records a decision for a holder without an account the same
way, and the trail names who did."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import ProgrammingError, transaction

from catalog.models import Base
from projects import clocks, holders, services
from projects.models import (
    Decision,
    Event,
    HolderDecision,
    ImmutableRecord,
    Project,
    RequestedBase,
    Status,
)
from tests.factories import record_evidence
from tests.languages import english_url

pytestmark = pytest.mark.django_db

CONDITIONS = "Données restituées sans les codes des centres."
REASON = "La base ne couvre pas la période demandée."


@pytest.fixture
def submitted(complete_draft, owner):
    """Submitted, asking for ESME (Unicancer's)."""
    return services.project_submit(project=complete_draft, actor=owner)


@pytest.fixture
def esme(submitted) -> RequestedBase:
    return submitted.requested_bases.get(base__slug="esme")


def fresh(requested: RequestedBase) -> RequestedBase:
    return RequestedBase.objects.get(pk=requested.pk)


def decide(requested, actor, decision=Decision.AGREED, note="", **kwargs) -> HolderDecision:
    return holders.requested_base_decide(
        requested=requested, actor=actor, decision=decision, note=note, **kwargs
    )


def at_status(project: Project, status: str) -> Project:
    Project.objects.filter(pk=project.pk).update(status=status)
    return Project.objects.get(pk=project.pk)


def test_a_member_agrees_with_conditions_kept_logged_and_emailed(
    esme, holder_member, owner, member, reviewer, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decision = decide(esme, holder_member, Decision.AGREED_WITH_CONDITIONS, f"  {CONDITIONS} ")

    requested = fresh(esme)
    assert (requested.decision, requested.decision_note, requested.decided_on) == (
        Decision.AGREED_WITH_CONDITIONS,
        CONDITIONS,
        clocks.hub_today(),
    )
    assert (decision.decision, decision.note, decision.recorded_by, decision.by_the_hub) == (
        Decision.AGREED_WITH_CONDITIONS,
        CONDITIONS,
        holder_member,
        False,
    )
    event = decision.event
    assert (event.project_id, event.actor, event.action, event.visibility) == (
        esme.project_id,
        holder_member,
        "holder_agreed_with_conditions",
        Event.Visibility.SPONSOR,
    )
    assert event.reason == f"ESME\n{CONDITIONS}"
    assert event.to_status == ""  # not a transition: the clocks ignore it
    # The team (in French, their language), and the reviewers since nobody is in charge.
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted([owner.email, member.email, reviewer.email])
    for message in mail.outbox:
        assert "ESME" in message.subject
        assert CONDITIONS in message.body
        assert "Unicancer" in message.body


def test_the_team_reads_the_decision_in_its_timeline(esme, holder_member, client, owner):
    decide(esme, holder_member, Decision.REFUSED, REASON)
    client.force_login(owner)

    response = client.get(english_url(esme.project.get_absolute_url()))

    page = response.content.decode()
    assert "Data holder refused" in page  # the timeline
    assert "Data holder's decision:" in page  # beside the base requested
    assert REASON in page


@pytest.mark.parametrize(
    ("decision", "note", "message"),
    [
        (Decision.AGREED_WITH_CONDITIONS, "  ", "conditions"),
        (Decision.REFUSED, "", "reason"),
        (Decision.PENDING, "", "Choose"),
        (Decision.DELIVERED, "", "Choose"),
        ("maybe", "", "Choose"),
    ],
)
def test_conditions_and_refusals_need_their_text_and_pending_is_no_decision(
    english, esme, holder_member, decision, note, message
):
    with pytest.raises(holders.HolderError, match=message):
        decide(esme, holder_member, decision, note)

    assert fresh(esme).decision == Decision.PENDING
    assert not HolderDecision.objects.exists()
    assert not Event.objects.filter(action__startswith="holder_").exists()


def test_each_revision_is_kept_beside_the_first_decision(esme, holder_member):
    decide(esme, holder_member, Decision.AGREED)
    decide(esme, holder_member, Decision.REFUSED, REASON)
    decide(esme, holder_member, Decision.AGREED_WITH_CONDITIONS, CONDITIONS)

    assert fresh(esme).decision == Decision.AGREED_WITH_CONDITIONS
    assert list(HolderDecision.objects.values_list("decision", "note")) == [
        (Decision.AGREED, ""),
        (Decision.REFUSED, REASON),
        (Decision.AGREED_WITH_CONDITIONS, CONDITIONS),
    ]
    assert list(
        esme.project.events.filter(action__startswith="holder_").values_list("action", flat=True)
    ) == ["holder_agreed", "holder_refused", "holder_agreed_with_conditions"]


def test_the_same_decision_twice_is_refused(english, esme, holder_member):
    decide(esme, holder_member, Decision.REFUSED, REASON)

    with pytest.raises(holders.HolderError, match="already on record"):
        decide(esme, holder_member, Decision.REFUSED, REASON)
    assert HolderDecision.objects.count() == 1


@pytest.mark.parametrize(
    "status", [Status.IN_PROGRESS, Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN]
)
def test_no_decision_nor_revision_once_launched_or_closed(esme, holder_member, status):
    decide(esme, holder_member, Decision.AGREED)
    at_status(esme.project, status)

    with pytest.raises(holders.HolderError):
        decide(esme, holder_member, Decision.REFUSED, REASON)
    assert fresh(esme).decision == Decision.AGREED
    assert HolderDecision.objects.count() == 1


@pytest.mark.parametrize(
    "status",
    [
        Status.SUBMITTED,
        Status.CHANGES_REQUESTED,
        Status.UNDER_REVIEW,
        Status.AWAITING_AUTHORISATION,
        Status.APPROVED,
    ],
)
def test_a_holder_decides_from_submission_until_the_launch(esme, holder_member, status):
    at_status(esme.project, status)

    decide(esme, holder_member, Decision.AGREED)

    assert fresh(esme).decision == Decision.AGREED


def test_no_decision_on_a_draft(complete_draft, holder_member):
    requested = complete_draft.requested_bases.get()

    with pytest.raises(holders.HolderError):
        decide(requested, holder_member)
    assert fresh(requested).decision == Decision.PENDING


def test_a_decision_cannot_be_dated_in_the_future(esme, reviewer):
    with pytest.raises(holders.HolderError):
        decide(esme, reviewer, decided_on=clocks.hub_today() + timedelta(days=1))
    assert fresh(esme).decision == Decision.PENDING


@pytest.mark.parametrize(
    "persona", ["other_holder_member", "owner", "member", "outsider", "staff_without_group"]
)
def test_only_the_holders_members_and_the_reviewers_decide(request, esme, persona):
    with pytest.raises(holders.HolderError):
        decide(esme, request.getfixturevalue(persona))

    assert fresh(esme).decision == Decision.PENDING
    assert not HolderDecision.objects.exists()


def test_the_hub_records_a_decision_for_a_holder_without_an_account(
    esme, reviewer, owner, member, django_capture_on_commit_callbacks
):
    """Staff record what the holder decided, dated the day the holder decided; the
    trail names the reviewer, who is not emailed about their own act."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decision = decide(esme, reviewer, Decision.AGREED, decided_on=date(2026, 1, 5))

    assert (decision.recorded_by, decision.by_the_hub, decision.decided_on) == (
        reviewer,
        True,
        date(2026, 1, 5),
    )
    assert decision.event.actor == reviewer
    assert fresh(esme).decided_on == date(2026, 1, 5)
    assert sorted(message.to[0] for message in mail.outbox) == sorted([owner.email, member.email])
    # In the team's language, French: "the hub recorded it for the data holder".
    assert all("La plateforme l'a enregistrée" in message.body for message in mail.outbox)


def test_a_member_of_the_holder_acts_as_the_holder_even_if_staff(esme, holder_member):
    holder_member.is_staff = True
    holder_member.save()

    assert decide(esme, holder_member).by_the_hub is False


# Delivery.


def test_the_delivery_follows_an_agreement_and_keeps_its_conditions(esme, holder_member):
    decide(esme, holder_member, Decision.AGREED_WITH_CONDITIONS, CONDITIONS)

    delivery = holders.requested_base_deliver(
        requested=esme, actor=holder_member, delivered_on=clocks.hub_today()
    )

    requested = fresh(esme)
    assert (requested.decision, requested.delivered_on, requested.decision_note) == (
        Decision.DELIVERED,
        clocks.hub_today(),
        CONDITIONS,
    )
    assert (delivery.decision, delivery.delivered_on) == (Decision.DELIVERED, clocks.hub_today())
    assert delivery.event.action == "holder_delivered"
    # Delivered, the decision no longer changes.
    with pytest.raises(holders.HolderError):
        decide(esme, holder_member, Decision.REFUSED, REASON)


@pytest.mark.parametrize("decision", [Decision.PENDING, Decision.REFUSED])
def test_no_delivery_without_an_agreement(esme, holder_member, decision):
    if decision == Decision.REFUSED:
        decide(esme, holder_member, decision, REASON)

    with pytest.raises(holders.HolderError):
        holders.requested_base_deliver(
            requested=esme, actor=holder_member, delivered_on=clocks.hub_today()
        )
    assert fresh(esme).decision == decision


def test_the_delivery_date_is_neither_in_the_future_nor_before_the_agreement(esme, reviewer):
    decide(esme, reviewer, decided_on=date(2026, 1, 5))
    for day in [clocks.hub_today() + timedelta(days=1), date(2026, 1, 4)]:
        with pytest.raises(holders.HolderError):
            holders.requested_base_deliver(requested=esme, actor=reviewer, delivered_on=day)
    assert fresh(esme).delivered_on is None

    holders.requested_base_deliver(requested=esme, actor=reviewer, delivered_on=date(2026, 1, 5))
    assert fresh(esme).delivered_on == date(2026, 1, 5)


def test_the_delivery_may_be_recorded_after_the_launch_not_after_the_end(esme, holder_member):
    decide(esme, holder_member)
    at_status(esme.project, Status.IN_PROGRESS)
    today = clocks.hub_today()

    holders.requested_base_deliver(requested=esme, actor=holder_member, delivered_on=today)
    assert fresh(esme).decision == Decision.DELIVERED

    at_status(esme.project, Status.COMPLETED)
    with pytest.raises(holders.HolderError):
        holders.requested_base_deliver(
            requested=esme, actor=holder_member, delivered_on=today - timedelta(days=1)
        )
    assert fresh(esme).delivered_on == today


# The gate, with a refusal.


@pytest.fixture
def approved_with_two_bases(esme, owner, reviewer):
    project = esme.project
    RequestedBase.objects.create(project=project, base=Base.objects.get(slug="bndmr"))
    record_evidence(project)
    services.project_transition(project=project, actor=reviewer, to=Status.UNDER_REVIEW)
    services.project_transition(project=project, actor=reviewer, to=Status.AWAITING_AUTHORISATION)
    return services.project_transition(project=project, actor=reviewer, to=Status.APPROVED)


def test_after_a_refusal_the_hub_sets_the_base_aside_and_launches_with_the_others(
    approved_with_two_bases, esme, holder_member, other_holder_member, reviewer
):
    project = approved_with_two_bases
    bndmr = project.requested_bases.get(base__slug="bndmr")
    decide(esme, holder_member, Decision.AGREED_WITH_CONDITIONS, CONDITIONS)
    decide(bndmr, other_holder_member, Decision.REFUSED, REASON)
    with pytest.raises(services.TransitionError, match="BNDMR"):
        services.project_transition(project=project, actor=reviewer, to=Status.IN_PROGRESS)

    event = holders.requested_base_set_aside(requested=bndmr, actor=reviewer)
    services.project_transition(project=project, actor=reviewer, to=Status.IN_PROGRESS)

    assert fresh(bndmr).set_aside is True
    assert (event.action, event.reason, event.visibility) == (
        "base_set_aside",
        "BNDMR",
        Event.Visibility.SPONSOR,
    )
    assert Project.objects.get(pk=project.pk).status == Status.IN_PROGRESS


def test_a_new_decision_brings_a_base_set_aside_back(
    approved_with_two_bases, esme, holder_member, reviewer
):
    decide(esme, holder_member, Decision.REFUSED, REASON)
    holders.requested_base_set_aside(requested=esme, actor=reviewer)

    decide(esme, holder_member, Decision.AGREED)

    assert fresh(esme).set_aside is False


@pytest.mark.parametrize("persona", ["holder_member", "owner", "staff_without_group"])
def test_only_the_reviewers_set_a_base_aside(request, esme, reviewer, persona):
    decide(esme, reviewer, Decision.REFUSED, REASON)

    with pytest.raises(holders.HolderError):
        holders.requested_base_set_aside(requested=esme, actor=request.getfixturevalue(persona))
    assert fresh(esme).set_aside is False


def test_only_a_refused_base_is_set_aside(esme, reviewer):
    decide(esme, reviewer, Decision.AGREED)

    with pytest.raises(holders.HolderError):
        holders.requested_base_set_aside(requested=esme, actor=reviewer)
    assert fresh(esme).set_aside is False


# The history is append-only.


def test_a_decision_on_record_never_changes_nor_goes(esme, holder_member):
    decision = decide(esme, holder_member)

    with pytest.raises(ImmutableRecord):
        decision.save()
    with pytest.raises(ImmutableRecord):
        decision.delete()
    for write in [
        lambda: HolderDecision.objects.filter(pk=decision.pk).update(note="changed"),
        lambda: HolderDecision.objects.filter(pk=decision.pk).delete(),
    ]:
        with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic():
            write()
    assert HolderDecision.objects.get(pk=decision.pk).note == ""


def test_the_history_outlives_a_base_the_team_drops(esme, holder_member):
    """Sent back for changes, the team may drop the base: its decisions stay on record."""
    decision = decide(esme, holder_member)

    RequestedBase.objects.filter(pk=esme.pk).delete()

    kept = HolderDecision.objects.get(pk=decision.pk)
    assert (kept.requested_id, kept.project_id, kept.base.acronym) == (
        None,
        esme.project_id,
        "ESME",
    )
