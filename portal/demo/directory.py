"""The demo public directory: about a hundred projects launched in 2023 whose figures
reproduce the hub's annual report (41 AI, 19 prevention, 10 Covid-19, 4
health-environment, 15 BOAS, 8 Unibase), plus projects of other years and in
every state. Deterministic, and idempotent by reference."""

from datetime import date, datetime, time, timedelta
from itertools import cycle

from django.db import transaction
from django.utils import timezone

from catalog.models import Base
from portal.demo.projects import demo_organisation
from projects.identifiers import siren_with_key
from projects.models import (
    Authorisation,
    Decision,
    Event,
    Opinion,
    Programme,
    Project,
    RequestedBase,
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
def load_directory() -> None:
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
    for launched_year, state, count in COHORTS:
        for index in range(count):
            serial += 1
            launched_on = (
                date(launched_year, 1 + index % 12, 1 + index % 27) if launched_year else None
            )
            submitted_on = (
                launched_on - timedelta(days=150 + (index * 7) % 120)
                if launched_on
                else date(2026, 1 + index % 10, 3 + index % 25)
            )
            counters[submitted_on.year] = counters.get(submitted_on.year, 500) + 1
            reference = f"HDH-{submitted_on.year}-{counters[submitted_on.year]:04d}"
            sponsor, first_base = next(sponsor_cycle), next(base_cycle)
            if reference in existing:
                continue
            subject = SUBJECTS[serial % len(SUBJECTS)]
            project = Project.objects.create(
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
                submitted_on=submitted_on,
                opinion_on=_after(submitted_on, 60) if launched_on or state in _REVIEWED else None,
                authorised_on=_after(submitted_on, 110)
                if launched_on or state == Status.APPROVED
                else None,
                launched_on=launched_on,
                completed_on=_after(launched_on, 400) if state == Status.COMPLETED else None,
                results=(
                    "Article publié ; code source partagé dans la Bibliothèque Ouverte "
                    "d'Algorithmes en Santé."
                    if state == Status.COMPLETED
                    else ""
                ),
            )
            slugs = (
                themes_2023(index)
                if launched_year == 2023
                else [("ai", "prevention", "covid-19", "health-environment", "boas")[serial % 5]]
            )
            project.themes.set([themes[slug] for slug in slugs])
            decision = Decision.AGREED if launched_on else Decision.PENDING
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
            _history(project)
            reserve_reference(reference)


_REVIEWED = {Status.AWAITING_AUTHORISATION, Status.APPROVED, Status.REJECTED}


def _after(day: date | None, days: int) -> date | None:
    return day + timedelta(days=days) if day else None


def _history(project: Project) -> None:
    """The public events of the project's past, at their dates."""
    steps = [
        ("submitted", Status.DRAFT, Status.SUBMITTED, project.submitted_on),
        ("opinion_given", Status.UNDER_REVIEW, Status.AWAITING_AUTHORISATION, project.opinion_on),
        ("authorised", Status.AWAITING_AUTHORISATION, Status.APPROVED, project.authorised_on),
        ("launched", Status.APPROVED, Status.IN_PROGRESS, project.launched_on),
        ("completed", Status.IN_PROGRESS, Status.COMPLETED, project.completed_on),
    ]
    Event.objects.bulk_create(
        Event(
            project=project,
            at=timezone.make_aware(datetime.combine(day, time(10))),
            action=action,
            from_status=frm,
            to_status=to,
            visibility=Event.Visibility.PUBLIC,
        )
        for action, frm, to, day in steps
        if day
    )
