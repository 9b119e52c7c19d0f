"""Evidence before decisions, as a table: what must be on record before each decision.

Each row puts the project in a state with some evidence on record (the CESREES
opinion, the authorisation: a CNIL decision or a reference methodology), tries a
move through `services.project_transition` (the service, whatever the page), and
expects either the move or a refusal naming what is missing, with nothing changed.

(The moves themselves, who may make them and what they record are in
test_transition_table.py, which always starts with every piece of evidence on record.)
"""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects import services
from projects.models import Authorisation, Event, Opinion, Project
from projects.review.forms import AuthorisationForm
from tests.factories import make_public_project

pytestmark = pytest.mark.django_db

# The evidence a row starts with.
NONE = ()
OPINION = ("opinion",)  # a favourable CESREES opinion
UNFAVOURABLE = ("unfavourable",)  # an unfavourable one
CNIL = ("cnil",)  # CNIL decision DR-2026-104 of 2 March 2026
MR = ("mr",)  # reference methodology MR-004 declared
LEGACY_NUMBER = ("legacy_number",)  # a CNIL decision stored as "2026-104" (before the check)
WRONG_YEAR = ("wrong_year",)  # DR-2025-104 dated 2 March 2026

# What a refusal says (English), by what is missing.
NO_OPINION = "The CESREES opinion is not recorded"
NO_AUTHORISATION = "The authorisation is not recorded"
BAD_FORMAT = "is not in the format DR-YYYY-NNN"
BAD_YEAR = "is of 2025, but its date is in 2026"
NEEDS_UNFAVOURABLE = (
    "A rejection on the ground of an unfavourable CESREES opinion needs that opinion "
    "recorded, unfavourable, under “CESREES opinion” first."
)
CNIL_ONLY_AWAITING = (
    "A CNIL refusal can only be recorded while the project awaits its authorisation."
)
NO_GROUND = "Choose the ground the rejection rests on."
NOT_A_GROUND = "“whim” is not a ground for rejection."
GROUND_ONLY_FOR_REJECTION = "A ground is given only for a rejection."
HOLDERS = "Every data holder must agree first; still waiting for: ESME."
ALLOWED = None

REV, AWA, APP, PRO, REJ = (
    "under_review",
    "awaiting_authorisation",
    "approved",
    "in_progress",
    "rejected",
)

# fmt: off
GATES = [
    # from to   evidence              ground                  expected
    # An opinion before awaiting the authorisation, unless a methodology is declared.
    (REV, AWA, NONE,                 "",                     NO_OPINION),
    (REV, AWA, CNIL,                 "",                     NO_OPINION),
    (REV, AWA, LEGACY_NUMBER,        "",                     NO_OPINION),
    (REV, AWA, OPINION,              "",                     ALLOWED),
    (REV, AWA, UNFAVOURABLE,         "",                     ALLOWED),
    (REV, AWA, MR,                   "",                     ALLOWED),
    (REV, AWA, OPINION,              "methodology",          GROUND_ONLY_FOR_REJECTION),
    # The authorisation before approval: a CNIL decision DR-YYYY-NNN and its date, or the MR.
    (AWA, APP, NONE,                 "",                     NO_AUTHORISATION),
    (AWA, APP, OPINION,              "",                     NO_AUTHORISATION),
    (AWA, APP, LEGACY_NUMBER,        "",                     BAD_FORMAT),
    (AWA, APP, OPINION + WRONG_YEAR, "",                     BAD_YEAR),
    (AWA, APP, CNIL,                 "",                     ALLOWED),
    (AWA, APP, OPINION + CNIL,       "",                     ALLOWED),
    (AWA, APP, MR,                   "",                     ALLOWED),
    # A rejection names its ground; some grounds need their own evidence.
    (REV, REJ, NONE,                 "",                     NO_GROUND),
    (REV, REJ, NONE,                 "whim",                 NOT_A_GROUND),
    (REV, REJ, NONE,                 "not_admissible",       ALLOWED),
    (REV, REJ, NONE,                 "no_public_interest",   ALLOWED),
    (REV, REJ, NONE,                 "methodology",          ALLOWED),
    (REV, REJ, NONE,                 "other",                ALLOWED),
    (REV, REJ, NONE,                 "unfavourable_opinion", NEEDS_UNFAVOURABLE),
    (REV, REJ, OPINION,              "unfavourable_opinion", NEEDS_UNFAVOURABLE),
    (REV, REJ, UNFAVOURABLE,         "unfavourable_opinion", ALLOWED),
    (REV, REJ, NONE,                 "cnil_refusal",         CNIL_ONLY_AWAITING),
    (AWA, REJ, OPINION,              "cnil_refusal",         ALLOWED),
    (AWA, REJ, OPINION,              "",                     NO_GROUND),
    (AWA, REJ, UNFAVOURABLE,         "unfavourable_opinion", ALLOWED),
    # A launch, once every data holder agreed (the fixture's ESME is still pending).
    (APP, PRO, OPINION + CNIL,       "",                     HOLDERS),
    (APP, PRO, MR,                   "",                     HOLDERS),
]
# fmt: on


def put_on_record(project: Project, evidence: tuple[str, ...]) -> None:
    """Writes the evidence as staff record it; the legacy rows directly, as an import or
    a record from before the format was checked would have left them."""
    if "opinion" in evidence:
        Opinion.objects.create(
            project=project, verdict=Opinion.Verdict.FAVOURABLE, given_on=date(2026, 2, 1)
        )
    if "unfavourable" in evidence:
        Opinion.objects.create(
            project=project, verdict=Opinion.Verdict.UNFAVOURABLE, given_on=date(2026, 2, 1)
        )
    numbers = {"cnil": "DR-2026-104", "legacy_number": "2026-104", "wrong_year": "DR-2025-104"}
    for kind, number in numbers.items():
        if kind in evidence:
            Authorisation.objects.create(
                project=project,
                kind=Authorisation.Kind.CNIL,
                decision_number=number,
                decided_on=date(2026, 3, 2),
            )
    if "mr" in evidence:
        Authorisation.objects.create(
            project=project,
            kind=Authorisation.Kind.METHODOLOGY,
            methodology=Authorisation.Methodology.MR004,
            decided_on=date(2026, 3, 2),
        )


@pytest.fixture
def in_review(complete_draft):
    Project.objects.filter(pk=complete_draft.pk).update(reference="HDH-2026-0042")
    return complete_draft


@pytest.mark.parametrize(
    ("frm", "to", "evidence", "ground", "expected"),
    GATES,
    ids=[f"{frm}->{to}:{'+'.join(ev) or 'nothing'}:{g or '-'}" for frm, to, ev, g, _e in GATES],
)
def test_each_decision_needs_its_evidence(
    in_review, reviewer, english, frm, to, evidence, ground, expected
):
    Project.objects.filter(pk=in_review.pk).update(status=frm)
    project = Project.objects.get(pk=in_review.pk)
    put_on_record(project, evidence)
    events = Event.objects.filter(project=project).count()

    try:
        services.project_transition(
            project=project, actor=reviewer, to=to, reason="Motif.", ground=ground
        )
    except services.TransitionError as error:
        refusal = str(error)
    else:
        refusal = None

    if expected is ALLOWED:
        assert refusal is None
        assert Project.objects.get(pk=project.pk).status == to
        event = Event.objects.filter(project=project).latest("pk")
        assert (event.to_status, event.ground) == (to, ground)
    else:
        assert refusal is not None and expected in refusal, refusal
        assert Project.objects.get(pk=project.pk).status == frm
        assert Event.objects.filter(project=project).count() == events


def test_the_admin_shows_what_is_missing_and_offers_no_working_button(
    client, in_review, reviewer, english
):
    """The change page draws each form with what the service would refuse."""
    Project.objects.filter(pk=in_review.pk).update(status="awaiting_authorisation")
    client.force_login(reviewer)

    page = client.get(
        reverse("admin:projects_project_change", args=[in_review.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    forms = {form.target: form for form in page.context["transitions"]}
    assert NO_AUTHORISATION in " ".join(forms["approved"].blockers)
    assert forms["rejected"].blockers == []
    content = page.content.decode()
    assert 'id="missing-approved"' in content
    assert 'value="approved" disabled' in content

    # A hand-made POST meets the service's refusal, shown as a message.
    response = client.post(
        reverse("admin:projects_project_transition", args=[in_review.pk]),
        {"to": "approved", "seen": "awaiting_authorisation"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert [str(m) for m in response.context["messages"]][0].startswith(NO_AUTHORISATION)
    assert Project.objects.get(pk=in_review.pk).status == "awaiting_authorisation"


# The format of a CNIL decision number, checked by the model (and the admin's form).

# fmt: off
NUMBERS = [
    # kind           number          methodology   decided on         field in error (or None)
    ("cnil",         "DR-2026-104",  "",           date(2026, 3, 2),  None),
    ("cnil",         "DR-2026-1040", "",           date(2026, 3, 2),  None),
    ("cnil",         "DR-26-104",    "",           date(2026, 3, 2),  "decision_number"),
    ("cnil",         "DR-2026-14",   "",           date(2026, 3, 2),  "decision_number"),
    ("cnil",         "2026-104",     "",           date(2026, 3, 2),  "decision_number"),
    ("cnil",         "DR-2026-104a", "",           date(2026, 3, 2),  "decision_number"),
    ("cnil",         "DR-2025-104",  "",           date(2026, 3, 2),  "decision_number"),
    ("cnil",         "DR-2026-104",  "MR-004",     date(2026, 3, 2),  "methodology"),
    ("methodology",  "",             "MR-004",     date(2026, 3, 2),  None),
    ("methodology",  "DR-2026-104",  "MR-004",     date(2026, 3, 2),  "decision_number"),
    ("methodology",  "",             "MR-009",     date(2026, 3, 2),  "methodology"),
]
# fmt: on


@pytest.mark.parametrize(("kind", "number", "methodology", "decided_on", "error"), NUMBERS)
def test_the_authorisation_is_checked_by_the_model(
    in_review, kind, number, methodology, decided_on, error
):
    authorisation = Authorisation(
        project=in_review,
        kind=kind,
        decision_number=number,
        methodology=methodology,
        decided_on=decided_on,
    )

    if error is None:
        authorisation.full_clean()
    else:
        with pytest.raises(ValidationError) as raised:
            authorisation.full_clean()
        assert error in raised.value.message_dict


@pytest.mark.parametrize(
    ("typed", "stored"),
    [(" dr-2026-104 ", "DR-2026-104"), ("DR-2026- 104", "DR-2026-104"), ("DR 2026 104", None)],
)
def test_the_admin_form_reads_a_number_typed_loosely(in_review, typed, stored):
    form = AuthorisationForm(
        {"kind": "cnil", "decision_number": typed, "methodology": "", "decided_on": "2026-03-02"},
        instance=Authorisation(project=in_review),
    )

    if stored is None:
        assert not form.is_valid()
        assert "decision_number" in form.errors
    else:
        assert form.is_valid(), form.errors
        assert form.save().decision_number == stored


def test_the_migration_normalises_numbers_it_can_and_keeps_the_others(in_review, demo_catalog):
    migration = importlib.import_module("projects.migrations.0012_evidence_and_unread")
    loose = Authorisation.objects.create(
        project=in_review, kind="cnil", decision_number=" dr-2026-104", decided_on=date(2026, 3, 2)
    )
    other = make_public_project("HDH-2024-0001", "Autre")
    odd = Authorisation.objects.create(
        project=other, kind="cnil", decision_number="CNIL n°2024-12", decided_on=date(2024, 1, 2)
    )

    migration.normalise_decision_numbers(apps, None)

    loose.refresh_from_db()
    odd.refresh_from_db()
    assert loose.decision_number == "DR-2026-104"
    assert odd.decision_number == "CNIL n°2024-12"
    assert odd.problems()  # so the review refuses to approve on it until corrected


def test_the_demo_records_every_authorisation_in_the_format(demo_catalog, english):
    from portal.demo.directory import load_directory

    load_directory()

    authorisations = Authorisation.objects.all()
    assert authorisations.count() > 100
    assert [a.decision_number for a in authorisations if a.problems()] == []
    # A data request has no authorisation: the hub produces its statistics.
    approved = Project.objects.filter(
        status__in=["approved", "in_progress", "completed"], kind=Project.Kind.ACCESS
    )
    assert not approved.filter(authorisation__isnull=True).exists()
    awaiting = Project.objects.filter(status="awaiting_authorisation")
    assert not awaiting.filter(opinion__isnull=True).exclude(authorisation__kind="methodology")


def test_the_missing_evidence_is_named_in_full_words_for_staff(in_review, english):
    Project.objects.filter(pk=in_review.pk).update(status=REV)
    project = Project.objects.get(pk=in_review.pk)

    assert services.transition_blockers(project=project, to=AWA) == [
        "The CESREES opinion is not recorded: record it under “CESREES opinion” first. "
        "A project that follows a reference methodology (MR-001 to MR-008) needs no "
        "opinion: record the methodology under “Authorisation” instead."
    ]
    assert services.transition_blockers(project=project, to=APP) == [
        "The authorisation is not recorded: record the CNIL decision (its number "
        "DR-YYYY-NNN and its date) or the reference methodology followed "
        "(MR-001 to MR-008) under “Authorisation” first."
    ]
