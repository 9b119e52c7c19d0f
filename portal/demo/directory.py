"""The demo public directory: about a hundred projects launched in 2023 whose figures
reproduce the hub's annual report (41 AI, 19 prevention, 10 Covid-19, 4
health-environment, 15 BOAS, 8 Unibase), plus projects of other years and in
every state, each with the events of its past at their dates. Idempotent by
reference; the files under review are dated from the day of the load, so that they
show every situation of the review's clocks (see `_open_stories`)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import cycle

from dateutil.relativedelta import relativedelta
from django.db import transaction

from catalog.models import Base
from portal.demo.projects import demo_organisation
from projects import clocks, services
from projects.identifiers import siren_with_key
from projects.models import (
    Authorisation,
    DeadlineExtension,
    Decision,
    Event,
    Opinion,
    Programme,
    Project,
    RequestedBase,
    ReviewDeadlines,
    Status,
    Theme,
)
from projects.review.imports import reserve_reference

SUBJECTS = [
    "Détection précoce de la rétinopathie diabétique",
    "Parcours de soins après un accident vasculaire cérébral",
    "Prévention des chutes chez les personnes âgées",
    "Effets des vagues de chaleur sur les hospitalisations",
    "Suivi des patients atteints de cancer du poumon",
    "Vaccination et formes graves de Covid-19",
    "Usage des antibiotiques en ville",
    "Dépistage du cancer du sein en Occitanie",
    "Insuffisance cardiaque et réhospitalisations",
    "Santé mentale des adolescents après la pandémie",
    "Pollution de l'air et asthme de l'enfant",
    "Algorithme de repérage des maladies rares",
    "Infarctus du myocarde pris en charge par le SAMU",
    "Hépatite C : accès aux antiviraux",
    "Grossesse et diabète gestationnel",
    "Polymédication des personnes âgées",
]
ANGLES = [
    "une étude de cohorte nationale",
    "un modèle d'apprentissage automatique",
    "une analyse des disparités territoriales",
    "une évaluation médico-économique",
    "une étude avant-après",
]
SPONSORS = [
    "Assistance publique - Hôpitaux de Paris",
    "Hospices civils de Lyon",
    "CHU de Bordeaux",
    "Inserm",
    "Institut Gustave Roussy",
    "Université de Montpellier",
    "Santé publique France",
    "Institut Pasteur",
    "CHU de Lille",
    "Start-up Medialgo",
    "Unicancer",
    "École des hautes études en santé publique",
]
# Registered by a sponsor, not yet checked by the hub: the directory says so.
UNVERIFIED_SPONSORS = {"Start-up Medialgo"}
BASES = ["esme", "oscour", "bndmr", "e-sis", "hepather", "e-must", "atu-cbpc"]

# (year launched or None, state, how many): the 2023 cohort first.
COHORTS = [
    (2023, Status.IN_PROGRESS, 100),
    (2022, Status.COMPLETED, 18),
    (2022, Status.IN_PROGRESS, 12),
    (2024, Status.IN_PROGRESS, 26),
    (2024, Status.COMPLETED, 4),
    (2025, Status.IN_PROGRESS, 22),
    (None, Status.SUBMITTED, 6),
    (None, Status.CHANGES_REQUESTED, 4),
    (None, Status.UNDER_REVIEW, 6),
    (None, Status.AWAITING_AUTHORISATION, 4),
    (None, Status.APPROVED, 3),
    (None, Status.REJECTED, 3),
    (None, Status.WITHDRAWN, 3),
]
# Data requests (EHDS Art. 69), after the access applications so that no reference
# above moves: accepted ("launched") in those years, their statistics delivered by
# the hub, some completed.
REQUEST_COHORTS = [
    (2024, Status.COMPLETED, 3),
    (2025, Status.COMPLETED, 2),
    (2025, Status.IN_PROGRESS, 3),
]

REASONS: dict[str, str] = {
    Status.CHANGES_REQUESTED: (
        "Merci de préciser la période de données demandée et la justification de chaque base."
    ),
    Status.REJECTED: "La CNIL a refusé l'autorisation : finalité d'intérêt public non démontrée.",
    Status.WITHDRAWN: "Projet abandonné faute de financement.",
}
EXTENSION_REASONS: dict[str, str] = {
    clocks.DECISION_CLOCK: (
        "Dossier complexe : appariement de plusieurs bases, avis complémentaire du CESREES."
    ),
    clocks.AUTHORISATION_CLOCK: "La CNIL a prolongé son instruction par une décision motivée.",
}


@dataclass
class Story:
    """A project's past: its states with their days, and the deadlines extended."""

    steps: list[tuple[str, date]]
    extended: list[tuple[str, date]] = field(default_factory=list)


def _open_stories(today: date) -> dict[str, list[Story]]:
    """The files under review, dated from `today` so that, whenever the demo is
    loaded, they show every clock situation (the README lists which file shows what):
    on time, due soon (at most 3 days left), overdue, paused, extended.

    Month-long deadlines that must end "soon" are dated back from their end, so that
    short months never turn them into overdue ones. By reference:

    - on time: HDH-2026-0501, 0505 (submitted), 0511, 0515, 0516 (under review, 0516
      resumed after a pause), 0517 (awaiting authorisation);
    - due soon: 0502, 0504 (resumed with 10 days of its check left), 0506 (due the
      day of the load), 0512, 0520;
    - overdue: 0503 (admissibility), 0513 (opinion), 0519 (authorisation and decision);
    - paused (changes requested): 0507, 0508, 0509, 0510 (its second pause);
    - extended: 0514 (decision), 0518 (decision and authorisation).
    """
    S, C, U, A = (
        Status.SUBMITTED,
        Status.CHANGES_REQUESTED,
        Status.UNDER_REVIEW,
        Status.AWAITING_AUTHORISATION,
    )

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    opinion_soon = today + timedelta(days=3) - relativedelta(months=1)
    authorisation_soon = today + timedelta(days=3) - relativedelta(months=2)
    return {
        S: [
            Story([(S, ago(2))]),  # on time
            Story([(S, ago(13))]),  # due soon
            Story([(S, ago(21))]),  # overdue
            # Paused 27 days after 5: the admissibility check resumes with 10 days left.
            Story([(S, ago(40)), (C, ago(35)), (S, ago(8))]),  # due soon
            Story([(S, ago(6))]),  # on time
            Story([(S, ago(15))]),  # due today
        ],
        C: [
            Story([(S, ago(30)), (C, ago(20))]),
            Story([(S, ago(60)), (U, ago(50)), (C, ago(25))]),
            Story([(S, ago(12)), (C, ago(3))]),
            # Two pauses.
            Story([(S, ago(100)), (C, ago(95)), (S, ago(70)), (U, ago(60)), (C, ago(40))]),
        ],
        U: [
            Story([(S, ago(20)), (U, ago(10))]),  # on time
            Story([(S, opinion_soon - timedelta(days=10)), (U, opinion_soon)]),  # due soon
            Story([(S, ago(75)), (U, ago(60))]),  # opinion overdue
            Story(  # decision deadline extended
                [(S, ago(85)), (U, ago(20))], extended=[(clocks.DECISION_CLOCK, ago(10))]
            ),
            Story([(S, ago(10)), (U, ago(3))]),  # on time
            Story([(S, ago(50)), (C, ago(45)), (S, ago(20)), (U, ago(15))]),  # resumed
        ],
        A: [
            Story([(S, ago(70)), (U, ago(60)), (A, ago(35))]),  # on time
            Story(  # both deadlines extended
                [(S, ago(150)), (U, ago(140)), (A, ago(75))],
                extended=[(clocks.DECISION_CLOCK, ago(65)), (clocks.AUTHORISATION_CLOCK, ago(20))],
            ),
            Story([(S, ago(120)), (U, ago(110)), (A, ago(80))]),  # overdue
            Story(  # due soon
                [
                    (S, authorisation_soon - timedelta(days=22)),
                    (U, authorisation_soon - timedelta(days=12)),
                    (A, authorisation_soon),
                ]
            ),
        ],
    }


def _decided_story(state: str, submitted_on: date, serial: int, launched_on: date | None) -> Story:
    """A past review, with stage durations that vary from file to file (some over
    their deadline, as in life), then the launch and the completion if any."""
    S, U, A = Status.SUBMITTED, Status.UNDER_REVIEW, Status.AWAITING_AUTHORISATION
    admissible = submitted_on + timedelta(days=7 + serial % 12)
    if state == Status.WITHDRAWN:
        return Story([(S, submitted_on), (state, submitted_on + timedelta(days=20))])
    opinion = admissible + timedelta(days=18 + (serial * 5) % 30)
    steps: list[tuple[str, date]] = [(S, submitted_on), (U, admissible), (A, opinion)]
    if state == Status.REJECTED:
        return Story([*steps, (state, opinion + timedelta(days=40))])
    steps.append((Status.APPROVED, opinion + timedelta(days=30 + (serial * 7) % 45)))
    if launched_on:
        steps.append((Status.IN_PROGRESS, launched_on))
    if state == Status.COMPLETED:
        assert launched_on is not None
        steps.append((Status.COMPLETED, launched_on + timedelta(days=400)))
    return Story(steps)


def _request_story(state: str, submitted_on: date, serial: int, launched_on: date) -> Story:
    """A data request's past: admissible, accepted, and completed two months on."""
    admissible = submitted_on + timedelta(days=5 + serial % 10)
    steps: list[tuple[str, date]] = [
        (Status.SUBMITTED, submitted_on),
        (Status.UNDER_REVIEW, admissible),
        (Status.IN_PROGRESS, launched_on),
    ]
    if state == Status.COMPLETED:
        steps.append((Status.COMPLETED, launched_on + timedelta(days=60)))
    return Story(steps)


def themes_2023(index: int) -> list[str]:
    """Theme slugs of the n-th 2023 project, so that the year's counts are the report's."""
    slugs = []
    if index < 41:
        slugs.append("ai")
    if 30 <= index < 49:
        slugs.append("prevention")
    if 49 <= index < 59:
        slugs.append("covid-19")
    if 59 <= index < 63:
        slugs.append("health-environment")
    if 63 <= index < 78:
        slugs.append("boas")
    return slugs


@transaction.atomic
def load_directory(*, staff=None, reviewer=None, today: date | None = None) -> None:
    """Creates the directory's projects that do not exist yet (by reference), with their
    events at their dates; `staff` granted the demo's extensions, `reviewer` is put in
    charge of every other file under review."""
    today = today or clocks.hub_today()
    open_stories = _open_stories(today)
    themes = {theme.slug: theme for theme in Theme.objects.all()}
    unibase = Programme.objects.get(slug="unibase")
    bases = {base.slug: base for base in Base.objects.filter(slug__in=BASES)}
    sponsors = [
        demo_organisation(
            name,
            identifier=siren_with_key(f"{19_000_000 + 7_919 * index:08d}"),
            verified=name not in UNVERIFIED_SPONSORS,
        )
        for index, name in enumerate(SPONSORS)
    ]
    existing = set(Project.objects.values_list("reference", flat=True))
    sponsor_cycle, base_cycle = cycle(sponsors), cycle(BASES)
    counters: dict[int, int] = {}
    serial = 0
    created: list[int] = []
    cohorts = [(Project.Kind.ACCESS, *cohort) for cohort in COHORTS] + [
        (Project.Kind.REQUEST, *cohort) for cohort in REQUEST_COHORTS
    ]
    for kind, launched_year, state, count in cohorts:
        for index in range(count):
            serial += 1
            launched_on = (
                date(launched_year, 1 + index % 12, 1 + index % 27) if launched_year else None
            )
            # The reference comes from this date, fixed so that it never changes
            # whatever day the demo is loaded (files under review are dated from
            # today: see `_open_stories`).
            nominal_submitted_on = (
                launched_on - timedelta(days=150 + (index * 7) % 120)
                if launched_on
                else date(2026, 1 + index % 10, 3 + index % 25)
            )
            year = nominal_submitted_on.year
            counters[year] = counters.get(year, 500) + 1
            reference = f"HDH-{year}-{counters[year]:04d}"
            sponsor, first_base = next(sponsor_cycle), next(base_cycle)
            if reference in existing:
                continue
            if kind == Project.Kind.REQUEST:
                assert launched_on is not None
                story = _request_story(state, nominal_submitted_on, serial, launched_on)
            elif state in open_stories:
                story = open_stories[state][index]
            else:
                story = _decided_story(state, nominal_submitted_on, serial, launched_on)
            reached = dict(reversed(story.steps))  # the first day of each state
            subject = SUBJECTS[serial % len(SUBJECTS)]
            project = Project.objects.create(
                kind=kind,
                reference=reference,
                title=f"{subject} : {ANGLES[serial % len(ANGLES)]}",
                summary=(
                    f"{subject}. Le projet s'appuie sur {ANGLES[(serial + 2) % len(ANGLES)]} "
                    "à partir de données pseudonymisées, pour éclairer les décisions de santé "
                    "publique et améliorer la prise en charge des patients."
                ),
                sponsor=sponsor,
                status=state,
                programme=unibase if launched_year == 2023 and 85 <= index < 93 else None,
                submitted_on=reached[Status.SUBMITTED],
                opinion_on=reached.get(Status.AWAITING_AUTHORISATION),
                authorised_on=reached.get(Status.APPROVED),
                launched_on=reached.get(Status.IN_PROGRESS),
                completed_on=reached.get(Status.COMPLETED),
                reviewer=reviewer if state in open_stories and index % 2 else None,
                results=(
                    "Article publié ; code source partagé dans la Bibliothèque Ouverte "
                    "d'Algorithmes en Santé."
                    if state == Status.COMPLETED and kind == Project.Kind.ACCESS
                    else ""
                ),
            )
            slugs = (
                themes_2023(index)
                if launched_year == 2023
                else [("ai", "prevention", "covid-19", "health-environment", "boas")[serial % 5]]
            )
            project.themes.set([themes[slug] for slug in slugs])
            # A data request's bases are no holder's to decide on: they stay pending.
            granted = launched_on and kind == Project.Kind.ACCESS
            decision = Decision.AGREED if granted else Decision.PENDING
            RequestedBase.objects.create(
                project=project,
                base=bases[first_base],
                justification="Seule source nationale sur cette population.",
                period_start=date(2015, 1, 1),
                period_end=date(2022, 12, 31),
                decision=decision,
            )
            if project.opinion_on:
                Opinion.objects.create(
                    project=project, verdict=Opinion.Verdict.FAVOURABLE, given_on=project.opinion_on
                )
            if project.authorised_on:
                Authorisation.objects.create(
                    project=project,
                    kind=Authorisation.Kind.CNIL,
                    decision_number=f"DR-{project.authorised_on.year}-{serial:03d}",
                    decided_on=project.authorised_on,
                )
            _history(project, story, staff=staff)
            reserve_reference(reference)
            created.append(project.pk)
    services.clocks_refresh(projects=Project.objects.filter(pk__in=created))
    if created:
        services.public_data_changed()


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=clocks.hub_timezone())


def _history(project: Project, story: Story, *, staff) -> None:
    """The project's events at their dates, as the transitions would have written them
    (action and visibility from the transition table), and its extensions."""
    events = []
    state: str = Status.DRAFT
    for to, day in story.steps:
        rule = services.transitions_for(project)[(state, to)]
        events.append(
            Event(
                project=project,
                at=_at(day),
                action=rule.action,
                from_status=state,
                to_status=to,
                reason=REASONS.get(to, "") if rule.reason_required else "",
                visibility=rule.visibility,
            )
        )
        state = to
    Event.objects.bulk_create(events)
    settings = ReviewDeadlines.load()
    months = {
        clocks.DECISION_CLOCK: settings.decision_extension_months,
        clocks.AUTHORISATION_CLOCK: settings.authorisation_extension_months,
    }
    for clock, day in story.extended:
        event = Event.objects.create(
            project=project,
            at=_at(day, 15),
            actor=staff,
            action=services.EXTENSION_ACTIONS[DeadlineExtension.Clock(clock)],
            reason=EXTENSION_REASONS[clock],
            visibility=Event.Visibility.SPONSOR,
        )
        DeadlineExtension.objects.create(
            project=project,
            clock=clock,
            months=months[clock],
            reason=EXTENSION_REASONS[clock],
            granted_by=staff,
            granted_at=event.at,
            event=event,
        )
    if events:
        Project.objects.filter(pk=project.pk).update(status_changed_at=events[-1].at)
