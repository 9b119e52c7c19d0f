"""Demo applications of the demo sponsor team, in several states, made through the
same services the portal uses, so their timelines, versions and references are real."""

from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from catalog.models import Base
from projects import services
from projects.identifiers import siren_with_key
from projects.models import (
    Attachment,
    Authorisation,
    Decision,
    Opinion,
    Organisation,
    Programme,
    Project,
    RequestedBase,
    Status,
    Theme,
)
from projects.uploads import CSV, PDF

# A one-page PDF standing for a study protocol.
PROTOCOL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n170\n%%EOF\n"
)

APPLICATIONS: list[dict[str, Any]] = [
    {
        "title": "Prédiction des réhospitalisations après infarctus par apprentissage automatique",
        "summary": (
            "Le projet entraîne un modèle qui estime, à la sortie de l'hôpital, le risque de "
            "réhospitalisation dans les 30 jours des patients pris en charge pour un infarctus, "
            "afin d'organiser un suivi renforcé pour les plus exposés."
        ),
        "themes": ["ai", "prevention"],
        "bases": ["e-must"],
        "journey": [],
    },
    {
        "title": "Parcours de soins des patientes atteintes d'un cancer du sein métastatique",
        "summary": (
            "Description des lignes de traitement successives et de leur durée chez les "
            "patientes atteintes d'un cancer du sein métastatique, à partir des données de vie "
            "réelle des centres de lutte contre le cancer."
        ),
        "themes": ["prevention"],
        "programme": "unibase",
        "bases": ["esme"],
        "journey": [(Status.SUBMITTED, "sponsor", "")],
    },
    {
        "title": "Passages aux urgences pendant les vagues de chaleur",
        "summary": (
            "Étude de l'effet des épisodes de forte chaleur sur les passages aux urgences, par "
            "âge et par motif, pour adapter les plans de gestion des canicules."
        ),
        "themes": ["health-environment"],
        "bases": ["oscour"],
        "journey": [
            (Status.SUBMITTED, "sponsor", ""),
            (
                Status.CHANGES_REQUESTED,
                "staff",
                "Merci de préciser la période de données demandée et la méthode d'appariement "
                "avec les données météorologiques.",
            ),
        ],
    },
    {
        "title": "Dépistage organisé du cancer colorectal : participation et délais",
        "summary": (
            "Analyse de la participation au dépistage organisé du cancer colorectal et des "
            "délais de coloscopie après un test positif en Occitanie."
        ),
        "themes": ["prevention"],
        "bases": ["e-sis"],
        "journey": [
            (Status.SUBMITTED, "sponsor", ""),
            (Status.UNDER_REVIEW, "staff", ""),
            (Status.AWAITING_AUTHORISATION, "staff", ""),
            (Status.APPROVED, "staff", ""),
            (Status.IN_PROGRESS, "staff", ""),
        ],
    },
    {
        # Completed: its results are due (`portal.demo.results`).
        "title": "Recours aux soins après une amputation chez les personnes diabétiques",
        "summary": (
            "Description des soins de rééducation, d'appareillage et de podologie reçus dans "
            "l'année qui suit une amputation d'un membre inférieur chez les personnes "
            "diabétiques, pour repérer les territoires où ils manquent."
        ),
        "themes": ["prevention"],
        "bases": ["e-sis"],
        "journey": [
            (Status.SUBMITTED, "sponsor", ""),
            (Status.UNDER_REVIEW, "staff", ""),
            (Status.AWAITING_AUTHORISATION, "staff", ""),
            (Status.APPROVED, "staff", ""),
            (Status.IN_PROGRESS, "staff", ""),
            (Status.COMPLETED, "staff", ""),
        ],
    },
    # Data requests (EHDS Art. 69): the hub produces the statistics, no holder decides.
    {
        "kind": Project.Kind.REQUEST,
        "title": "Nombre de passages aux urgences pour asthme chez l'enfant, par région",
        "summary": (
            "Tableaux annuels du nombre de passages aux urgences pour crise d'asthme chez les "
            "moins de 15 ans, par région et par classe d'âge, pour une campagne de prévention."
        ),
        "statistics_wanted": (
            "Nombre de passages par année (2018 à 2023), région et classe d'âge (0-4, 5-9, "
            "10-14 ans) ; cellules de moins de 11 passages masquées."
        ),
        "themes": ["prevention"],
        "bases": ["oscour"],
        "journey": [],
    },
    {
        "kind": Project.Kind.REQUEST,
        "title": "Taux de participation au dépistage du cancer colorectal par département",
        "summary": (
            "Taux de participation au dépistage organisé du cancer colorectal en Occitanie, "
            "par département et par année, pour l'évaluation d'un plan régional."
        ),
        "statistics_wanted": (
            "Taux de participation par département et par année (2019 à 2023), par sexe."
        ),
        "themes": ["prevention"],
        "bases": ["e-sis"],
        "journey": [
            (Status.SUBMITTED, "sponsor", ""),
            (Status.UNDER_REVIEW, "staff", ""),
            (Status.IN_PROGRESS, "staff", ""),
        ],
    },
    {
        "kind": Project.Kind.REQUEST,
        "title": "Infarctus pris en charge par les SMUR d'Île-de-France : effectifs annuels",
        "summary": (
            "Effectifs annuels des infarctus aigus pris en charge par les SAMU et SMUR "
            "d'Île-de-France, par sexe et par tranche d'âge, pour un rapport public."
        ),
        "statistics_wanted": "Effectifs par année (2015 à 2023), sexe et tranche d'âge décennale.",
        "themes": ["prevention"],
        "bases": ["e-must"],
        "journey": [
            (Status.SUBMITTED, "sponsor", ""),
            (Status.UNDER_REVIEW, "staff", ""),
            (Status.IN_PROGRESS, "staff", ""),
            (Status.COMPLETED, "staff", ""),
        ],
    },
]

# The statistics the hub delivered for the completed data request above.
STATISTICS_CSV = (
    b"annee;sexe;age;effectif\n"
    b"2022;F;50-59;412\n2022;H;50-59;1287\n2023;F;50-59;398\n2023;H;50-59;1301\n"
)


def demo_organisation(name: str, *, identifier: str, verified: bool = True) -> Organisation:
    """A sponsor organisation with a valid (made-up) SIREN, verified by the hub unless
    `verified` is false, so the demo shows both labels."""
    organisation, _created = Organisation.objects.get_or_create(
        name=name, defaults={"identifier_kind": "siren", "identifier": identifier}
    )
    if verified and organisation.verified_at is None:
        organisation.verified_at = timezone.now()
        organisation.save(update_fields=["verified_at"])
    return organisation


@transaction.atomic
def load_projects(*, owner, member, staff, reviewer=None) -> None:
    """Creates the demo applications that do not exist yet; existing ones are left alone."""
    organisation = demo_organisation("CHU Exemple", identifier=siren_with_key("26750045"))
    organisation.members.add(owner, member)
    for data in APPLICATIONS:
        if Project.objects.filter(title=data["title"], team__user=owner).exists():
            continue
        project = _draft(data, owner=owner, member=member, organisation=organisation)
        if not data["journey"]:
            # A draft still being written: the form's section menu shows what it lacks.
            Project.objects.filter(pk=project.pk).update(
                legal_route="",
                conformity_declared=False,
                accepts_no_reidentification=False,
                accepts_no_harm=False,
            )
        for to, by, reason in data["journey"]:
            actor = owner if by == "sponsor" else staff
            _record_what_the_step_needs(project, to, staff=staff)
            if to == Status.SUBMITTED:
                project = services.project_submit(project=project, actor=actor)
            else:
                project = services.project_transition(
                    project=project, actor=actor, to=to, reason=reason
                )
            if to == Status.SUBMITTED and reviewer is not None:
                project = services.project_assign(project=project, reviewer=reviewer, actor=staff)


def _record_what_the_step_needs(project: Project, to: str, *, staff) -> None:
    """The records staff enter in the admin before each step of the review."""
    if project.is_data_request:
        if to == Status.COMPLETED:
            services.statistics_deliver(
                project=project,
                actor=staff,
                upload=ContentFile(STATISTICS_CSV, name="effectifs-infarctus.csv"),
                content_type=CSV,
                note="Effectifs inférieurs à 11 masqués ; source : e-MUST, extraction 2026.",
            )
        return
    if to == Status.AWAITING_AUTHORISATION:
        Opinion.objects.create(
            project=project,
            verdict=Opinion.Verdict.WITH_RECOMMENDATIONS,
            given_on=date(2026, 9, 15),
            text="Avis favorable ; le comité recommande de préciser la durée de conservation.",
        )
    elif to == Status.APPROVED:
        Authorisation.objects.create(
            project=project,
            kind=Authorisation.Kind.METHODOLOGY,
            methodology=Authorisation.Methodology.MR004,
            decided_on=date(2026, 10, 2),
        )
    elif to == Status.IN_PROGRESS:
        project.requested_bases.update(decision=Decision.AGREED, decided_on=date(2026, 10, 20))


def _draft(data: dict, *, owner, member, organisation) -> Project:
    project = services.project_create(
        owner=owner,
        project=Project(
            kind=data.get("kind", Project.Kind.ACCESS),
            statistics_wanted=data.get("statistics_wanted", ""),
            title=data["title"],
            summary=data["summary"],
            purpose=(
                "Mieux connaître pour mieux soigner : les résultats serviront aux "
                "professionnels de santé et aux autorités sanitaires."
            ),
            methodology="Étude observationnelle rétrospective sur données pseudonymisées.",
            expected_results="Un article scientifique et un rapport public.",
            sponsor=organisation,
            planned_start=date(2027, 3, 1),
            duration_months=24,
            funding="Appel à projets de recherche hospitalière.",
            # What the EHDS regulation asks of a data access application.
            data_users=(
                "Dr Claire Martin, épidémiologiste (CHU Exemple), et deux biostatisticiens "
                "de son équipe."
            ),
            environment=Project.Environment.HUB,
            planned_outputs=(
                "Tableaux agrégés (effectifs d'au moins 10 personnes), figures et "
                "coefficients des modèles."
            ),
            legal_route=Project.LegalRoute.MR004,
            conformity_declared=True,
            accepts_no_reidentification=True,
            accepts_no_harm=True,
        ),
    )
    project.team.create(user=member)
    project.themes.set(Theme.objects.filter(slug__in=data["themes"]))
    if data.get("programme"):
        project.programme = Programme.objects.get(slug=data["programme"])
        project.save(update_fields=["programme"])
    for slug in data["bases"]:
        RequestedBase.objects.create(
            project=project,
            base=Base.objects.get(slug=slug),
            justification="Seule source décrivant cette population au niveau national.",
            period_start=date(2018, 1, 1),
            period_end=date(2023, 12, 31),
        )
    Attachment.objects.create(
        project=project,
        kind=Attachment.Kind.PROTOCOL,
        file=ContentFile(PROTOCOL_PDF, name="protocole.pdf"),
        original_name="protocole.pdf",
        content_type=PDF,
        size=len(PROTOCOL_PDF),
        uploaded_by=owner,
    )
    return project
