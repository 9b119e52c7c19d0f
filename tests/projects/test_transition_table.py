"""The review's state machine, written out here independently of `projects.services`.

Nothing below reads `services.TRANSITIONS` or `services.KEY_DATES`: the expected
answers come from the domain (DOMAIN.md, "The life of a project"). Every pair of
the ten states is tried by every persona, with and without a reason, through
`services.project_transition`, the one service that changes a state. Each attempt
checks what the table says and nothing else happened: the state, the key dates and
the reference, the event appended (actor, from, to, action, reason, visibility), the
version frozen at a submission, and the emails sent to the team.

The project starts each attempt with every precondition met (a complete
application, confirmed addresses, every requested base agreed, the CESREES opinion
and the CNIL authorisation on record), so that the table tests the rule; the
preconditions have their own tests below, and the evidence each decision needs has
its own table in test_gates.py.

Each attempt is also made with and without a ground (the rule a rejection rests
on): a rejection needs one, any other move refuses one.
"""

import re
from dataclasses import dataclass
from datetime import date

import pytest
from django.core import mail
from django.utils import timezone

from projects import services
from projects.models import (
    Authorisation,
    Decision,
    Event,
    Opinion,
    Project,
    ProjectVersion,
    Status,
)
from tests.factories import UserFactory

# The ten states, in the order of the grid's columns.
STATES = [
    "draft",
    "submitted",
    "changes_requested",
    "under_review",
    "awaiting_authorisation",
    "approved",
    "in_progress",
    "completed",
    "rejected",
    "withdrawn",
]

# Who may move a project from the row's state to the column's state.
#   T  the sponsor team: the owner and the members
#   H  the hub: reviewers and hub administrators
#   .  nobody
#   -  the same state (nobody)
# Outsiders and staff without a review group never may.
# fmt: off
GRID = {
    #                            dra sub chg rev awa app pro com rej wdr
    "draft":                   "  -   T   .   .   .   .   .   .   .   T",
    "submitted":               "  .   -   H   H   .   .   .   .   .   T",
    "changes_requested":       "  .   T   -   .   .   .   .   .   .   T",
    "under_review":            "  .   .   H   -   H   .   .   .   H   T",
    "awaiting_authorisation":  "  .   .   .   .   -   H   .   .   H   T",
    "approved":                "  .   .   .   .   .   -   H   .   .   T",
    "in_progress":             "  .   .   .   .   .   .   -   H   .   T",
    "completed":               "  .   .   .   .   .   .   .   -   .   .",
    "rejected":                "  .   .   .   .   .   .   .   .   -   .",
    "withdrawn":               "  .   .   .   .   .   .   .   .   .   -",
}
# fmt: on

ROLES = ["owner", "member", "outsider", "reviewer", "administrator", "staff_without_group"]
MAY = {"T": {"owner", "member"}, "H": {"reviewer", "administrator"}, ".": set(), "-": set()}

PUBLIC, SPONSOR, STAFF = "public", "sponsor", "staff"
REASON, NO_REASON = True, False
GROUND = True  # a rejection names the rule it rests on
STAFF_TOLD = True  # the sponsor answered: the staff in charge are emailed


@dataclass(frozen=True)
class Move:
    """What an allowed move records."""

    action: str  # the event's action
    visibility: str  # public: everyone; sponsor: the team and the hub; staff: the hub only
    reason: bool  # a reason is required
    date: str | None  # the key date set to today on arrival (no other date changes)
    ground: bool = False  # a ground is required (and refused for every other move)
    staff_told: bool = False  # the reviewers are emailed (nobody is in charge here)


# Every move the grid allows, and what it records. Every move is told to the team
# (nothing here is staff only). The reason for a request for changes stays between
# the hub and the team, so those two events and the resubmission are not public.
MOVES = {
    ("draft", "submitted"): Move("submitted", PUBLIC, NO_REASON, "submitted_on"),  # + reference
    ("changes_requested", "submitted"): Move(
        "resubmitted", SPONSOR, NO_REASON, None, staff_told=STAFF_TOLD
    ),
    ("submitted", "under_review"): Move("admissible", PUBLIC, NO_REASON, None),
    ("submitted", "changes_requested"): Move("changes_requested", SPONSOR, REASON, None),
    ("under_review", "changes_requested"): Move("changes_requested", SPONSOR, REASON, None),
    ("under_review", "awaiting_authorisation"): Move(
        "opinion_given", PUBLIC, NO_REASON, "opinion_on"
    ),
    ("under_review", "rejected"): Move("rejected", PUBLIC, REASON, None, ground=GROUND),
    ("awaiting_authorisation", "approved"): Move("authorised", PUBLIC, NO_REASON, "authorised_on"),
    ("awaiting_authorisation", "rejected"): Move("rejected", PUBLIC, REASON, None, ground=GROUND),
    ("approved", "in_progress"): Move("launched", PUBLIC, NO_REASON, "launched_on"),
    ("in_progress", "completed"): Move("completed", PUBLIC, NO_REASON, "completed_on"),
    ("draft", "withdrawn"): Move("withdrawn", PUBLIC, REASON, None),
    ("submitted", "withdrawn"): Move("withdrawn", PUBLIC, REASON, None),
    ("changes_requested", "withdrawn"): Move("withdrawn", PUBLIC, REASON, None),
    ("under_review", "withdrawn"): Move("withdrawn", PUBLIC, REASON, None),
    ("awaiting_authorisation", "withdrawn"): Move("withdrawn", PUBLIC, REASON, None),
    ("approved", "withdrawn"): Move("withdrawn", PUBLIC, REASON, None),
    ("in_progress", "withdrawn"): Move("withdrawn", PUBLIC, REASON, None),
}

DATES = ["submitted_on", "opinion_on", "authorised_on", "launched_on", "completed_on"]
# The dates a project already has when the attempt starts: distinct and in the past,
# so that an arrival that sets, clears or swaps the wrong one shows.
PAST = {
    "submitted_on": date(2020, 1, 10),
    "opinion_on": date(2020, 2, 10),
    "authorised_on": date(2020, 3, 10),
    "launched_on": date(2020, 4, 10),
    "completed_on": date(2020, 5, 10),
}
OLD_REFERENCE = "HDH-2020-0042"
NEW_REFERENCE = "a new reference HDH-<this year>-NNNN"
A_REASON = "Parce que."
BLANK = "   "  # no reason: blanks only
A_GROUND = "methodology"  # a ground any rejection may rest on
NO_GROUND = ""

PAIRS = [(frm, to) for frm in STATES for to in STATES]


def who_may(frm: str, to: str) -> set[str]:
    return MAY[GRID[frm].split()[STATES.index(to)]]


def test_the_table_is_the_domains():
    """The literal tables hold together, and name every state of the code."""
    assert set(STATES) == set(Status.values)
    assert all(len(row.split()) == len(STATES) for row in GRID.values())
    allowed = {(frm, to) for frm, to in PAIRS if who_may(frm, to)}
    assert allowed == set(MOVES)
    assert len(allowed) == 18
    assert len([move for move in MOVES.values() if move.reason]) == 11
    # Only a rejection names its ground; only a resubmission tells the staff.
    assert {pair for pair, move in MOVES.items() if move.ground} == {
        (frm, "rejected") for frm, to in allowed if to == "rejected"
    }
    assert [pair for pair, move in MOVES.items() if move.staff_told] == [
        ("changes_requested", "submitted")
    ]
    # The sponsor withdraws at any stage before the end; nothing leaves an end.
    assert {frm for frm, to in allowed if to == "withdrawn"} == set(STATES) - {
        "completed",
        "rejected",
        "withdrawn",
    }
    assert not {frm for frm, _to in allowed} & {"completed", "rejected", "withdrawn"}


@pytest.fixture
def actors(owner, member, outsider, reviewer, administrator, staff_without_group):
    return {
        "owner": owner,
        "member": member,
        "outsider": outsider,
        "reviewer": reviewer,
        "administrator": administrator,
        "staff_without_group": staff_without_group,
    }


@pytest.fixture
def ready(complete_draft):
    """A complete application whose every requested base is agreed by its holder, with
    the CESREES opinion and the CNIL authorisation on record."""
    complete_draft.requested_bases.update(decision=Decision.AGREED, decided_on=date(2026, 1, 5))
    Opinion.objects.create(
        project=complete_draft, verdict=Opinion.Verdict.FAVOURABLE, given_on=date(2026, 2, 1)
    )
    Authorisation.objects.create(
        project=complete_draft,
        kind=Authorisation.Kind.CNIL,
        decision_number="DR-2026-104",
        decided_on=date(2026, 3, 1),
    )
    return complete_draft


def place(project: Project, state: str) -> Project:
    """Puts the project in `state` directly, as the starting point of an attempt: a
    draft has neither reference nor dates; any other state has both."""
    if state == "draft":
        fields = {"reference": "", **dict.fromkeys(DATES)}
    else:
        fields = {"reference": OLD_REFERENCE, **PAST}
    Project.objects.filter(pk=project.pk).update(status=state, **fields)
    return Project.objects.get(pk=project.pk)


def record(project: Project) -> dict:
    return Project.objects.values("status", "reference", *DATES).get(pk=project.pk)


def attempt(project, *, actor, frm, to, reason, ground, capture) -> dict:
    """Tries the move and returns everything it changed."""
    project = place(project, frm)
    before = record(project)
    events = set(Event.objects.filter(project=project).values_list("pk", flat=True))
    versions = ProjectVersion.objects.filter(project=project).count()
    mail.outbox.clear()

    with capture(execute=True):
        try:
            services.project_transition(
                project=project, actor=actor, to=to, reason=reason, ground=ground
            )
        except services.TransitionError:
            allowed = False
        else:
            allowed = True

    after = record(project)
    if before["reference"] == "" and re.fullmatch(
        rf"HDH-{timezone.localdate().year}-\d{{4}}", after["reference"]
    ):
        after["reference"] = NEW_REFERENCE
    return {
        "allowed": allowed,
        "project": after,
        "events": [
            (e.actor_id, e.from_status, e.to_status, e.action, e.reason, e.ground, e.visibility)
            for e in Event.objects.filter(project=project).exclude(pk__in=events)
        ],
        "new versions": ProjectVersion.objects.filter(project=project).count() - versions,
        "emails": sorted(
            (message.to[0], reason.strip() in message.body) for message in mail.outbox
        ),
    }


def expectation(project, *, actor, role, frm, to, reason, ground, team, reviewers) -> dict:
    """What the literal tables say the attempt must change."""
    before = record(place(project, frm))
    move = MOVES.get((frm, to))
    allowed = (
        role in who_may(frm, to)
        and (reason.strip() != "" or not move.reason)
        and bool(ground) == move.ground
    )
    if not allowed:
        return {
            "allowed": False,
            "project": before,
            "events": [],
            "new versions": 0,
            "emails": [],
        }
    after = {**before, "status": to}
    if move.date:
        after[move.date] = timezone.localdate()
    if move.date == "submitted_on":
        after["reference"] = NEW_REFERENCE
    told = team if move.visibility in (PUBLIC, SPONSOR) else []
    if move.staff_told:
        told = [*told, *reviewers]
    return {
        "allowed": True,
        "project": after,
        "events": [(actor.pk, frm, to, move.action, reason.strip(), ground, move.visibility)],
        "new versions": 1 if to == "submitted" else 0,
        "emails": sorted((user.email, True) for user in told),
    }


def difference(key: str, observed, expected) -> str:
    if isinstance(observed, dict):
        fields = [name for name in expected if observed[name] != expected[name]]
        return ", ".join(
            f"{name} is {observed[name]!r}, expected {expected[name]!r}" for name in fields
        )
    return f"{key} is {observed!r}, expected {expected!r}"


@pytest.mark.parametrize(("frm", "to"), PAIRS, ids=[f"{frm}->{to}" for frm, to in PAIRS])
def test_each_move_for_each_persona_with_and_without_a_reason(
    ready, actors, owner, member, reviewer, django_capture_on_commit_callbacks, frm, to
):
    wrong = []
    for role, actor in actors.items():
        for reason in [A_REASON, BLANK]:
            for ground in [A_GROUND, NO_GROUND]:
                expected = expectation(
                    ready,
                    actor=actor,
                    role=role,
                    frm=frm,
                    to=to,
                    reason=reason,
                    ground=ground,
                    team=[owner, member],
                    # Nobody is in charge: the `reviewers` group is told (the
                    # administrator is not in it).
                    reviewers=[reviewer],
                )
                observed = attempt(
                    ready,
                    actor=actor,
                    frm=frm,
                    to=to,
                    reason=reason,
                    ground=ground,
                    capture=django_capture_on_commit_callbacks,
                )
                for key, value in expected.items():
                    if observed[key] != value:
                        wrong.append(
                            f"{role}, reason {reason!r}, ground {ground!r}: "
                            f"{difference(key, observed[key], value)}"
                        )
    assert not wrong, f"{frm} -> {to}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("state", STATES)
def test_the_buttons_offer_exactly_the_moves_of_the_table(ready, actors, state):
    """`allowed_transitions` draws the buttons of the admin and the sponsor's pages."""
    project = place(ready, state)
    for role, actor in actors.items():
        expected = {to for to in STATES if role in who_may(state, to)}
        offered = services.allowed_transitions(project=project, user=actor)
        assert set(offered) == expected, role
        assert len(offered) == len(expected), role


# The preconditions, which the table above always meets.


def test_submission_needs_a_complete_application(ready, owner, english):
    ready.summary = " "
    ready.save()

    with pytest.raises(services.TransitionError, match="not complete"):
        services.project_submit(project=ready, actor=owner)

    assert record(ready)["status"] == "draft"
    assert not ready.versions.exists()
    assert not ready.events.filter(action="submitted").exists()


def test_submission_needs_a_protocol(ready, owner):
    ready.attachments.all().delete()
    with pytest.raises(services.TransitionError):
        services.project_submit(project=ready, actor=owner)

    assert record(ready)["status"] == "draft"


def test_submission_needs_a_confirmed_address(ready, owner, member, english):
    member.emailaddress_set.update(verified=False)

    with pytest.raises(services.TransitionError, match="confirm your email"):
        services.project_submit(project=ready, actor=member)
    assert record(ready) == {"status": "draft", "reference": "", **dict.fromkeys(DATES)}

    services.project_submit(project=ready, actor=owner)
    assert record(ready)["status"] == "submitted"


def test_resubmission_needs_a_confirmed_address_and_a_complete_application(
    ready, owner, member, reviewer, english
):
    project = services.project_submit(project=ready, actor=member)
    first = record(project)
    services.project_transition(
        project=project, actor=reviewer, to="changes_requested", reason="Précisez."
    )
    member.emailaddress_set.update(verified=False)
    with pytest.raises(services.TransitionError, match="confirm your email"):
        services.project_submit(project=project, actor=member)
    Project.objects.filter(pk=project.pk).update(methodology="")
    project = Project.objects.get(pk=project.pk)
    with pytest.raises(services.TransitionError, match="not complete"):
        services.project_submit(project=project, actor=owner)
    assert record(project)["status"] == "changes_requested"

    Project.objects.filter(pk=project.pk).update(methodology="Cohorte.")
    project = Project.objects.get(pk=project.pk)
    services.project_submit(project=project, actor=owner)

    # The resubmission keeps the reference and the first submission's date.
    assert record(project) == {**first, "status": "submitted"}
    assert list(project.versions.values_list("number", flat=True)) == [1, 2]


SET_ASIDE = True


@pytest.mark.parametrize(
    ("decisions", "launches"),
    [
        ([Decision.PENDING], False),
        ([Decision.REFUSED], False),
        ([Decision.AGREED, Decision.PENDING], False),
        ([Decision.DELIVERED, Decision.REFUSED], False),
        ([Decision.AGREED, Decision.DELIVERED], True),
        ([Decision.DELIVERED], True),
        ([Decision.AGREED_WITH_CONDITIONS], True),
        ([Decision.AGREED_WITH_CONDITIONS, Decision.PENDING], False),
        # The hub goes on without a refused base it set aside, not without them all.
        ([(Decision.REFUSED, SET_ASIDE), Decision.AGREED], True),
        ([(Decision.REFUSED, SET_ASIDE), Decision.PENDING], False),
        ([(Decision.REFUSED, SET_ASIDE)], False),
    ],
)
def test_a_launch_needs_every_base_agreed_or_delivered(ready, reviewer, decisions, launches):
    from catalog.models import Base

    bases = [Base.objects.get(slug="esme"), Base.objects.get(slug="oscour")]
    ready.requested_bases.all().delete()
    for base, decision in zip(bases, decisions, strict=False):
        decision, set_aside = decision if isinstance(decision, tuple) else (decision, False)
        ready.requested_bases.create(base=base, decision=decision, set_aside=set_aside)
    project = place(ready, "approved")

    if launches:
        services.project_transition(project=project, actor=reviewer, to="in_progress")
        assert record(project)["status"] == "in_progress"
    else:
        with pytest.raises(services.TransitionError):
            services.project_transition(project=project, actor=reviewer, to="in_progress")
        assert record(project) == {"status": "approved", "reference": OLD_REFERENCE, **PAST}
        assert not project.events.filter(action="launched").exists()


@pytest.mark.parametrize(("visibility", "told"), [(PUBLIC, True), (SPONSOR, True), (STAFF, False)])
def test_the_team_is_emailed_every_event_but_the_hubs_own(ready, owner, member, visibility, told):
    """Each team member gets one email per event they may see; none for a staff-only one."""
    from projects import notifications

    event = Event.objects.create(
        project=ready, actor=owner, action="admissible", visibility=visibility
    )
    mail.outbox.clear()

    notifications.notify_event.enqueue(event.pk)

    expected = sorted([owner.email, member.email]) if told else []
    assert sorted(message.to[0] for message in mail.outbox) == expected


def test_a_staff_member_on_the_team_is_not_a_reviewer(ready, owner, english):
    """Staff status alone never moves a project, even for staff on the team: the team's
    moves are theirs, the hub's are not."""
    colleague = UserFactory(email="stan@hub.example", is_staff=True)
    ready.team.create(user=colleague)
    project = place(ready, "submitted")

    with pytest.raises(services.TransitionError, match="reviewers"):
        services.project_transition(project=project, actor=colleague, to="under_review")
    services.project_transition(project=project, actor=colleague, to="withdrawn", reason="Fin.")

    assert record(project)["status"] == "withdrawn"
