"""The demo's open library of algorithms (BOAS): cards of the BOAS-themed projects of
the demo directory, published by the hub as its review would leave them (the version
published, the algorithm's current one, the project's results published on that day);
one with two published versions and a third awaiting review, and one whose only
version awaits review (never public). Idempotent by slug."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction

from catalog.models import Base
from projects import clocks, services
from projects.models import Algorithm, AlgorithmVersion, Project, ReviewState


@dataclass
class DemoVersion:
    version: str
    card: dict[str, str]
    published: str = ""  # the day the hub published it (ISO); empty: awaiting review


@dataclass
class DemoAlgorithm:
    reference: str  # a BOAS project of the demo directory
    slug: str
    name: str
    bases: list[str]
    versions: list[DemoVersion] = field(default_factory=list)


INFARCTUS = {
    "purpose": (
        "Estimer, dès l'appel au SAMU, le risque qu'un patient atteint d'infarctus du "
        "myocarde avec sus-décalage du segment ST n'atteigne pas la salle de "
        "coronarographie dans le délai recommandé de 120 minutes."
    ),
    "intended_use": (
        "Aide à l'organisation des secours par les médecins régulateurs du SAMU : choix "
        "du centre de destination et anticipation d'une fibrinolyse préhospitalière. Ne "
        "remplace pas la décision médicale."
    ),
    "population": (
        "Adultes pris en charge pour un infarctus de moins de 24 heures par les SMUR "
        "d'Île-de-France entre 2015 et 2021 (environ 18 000 patients)."
    ),
    "inputs": (
        "Heure de début des symptômes, heure de l'appel, âge, sexe, lieu de "
        "l'intervention, centre de coronarographie le plus proche, signes de gravité à "
        "l'électrocardiogramme."
    ),
    "outputs": (
        "La probabilité de dépasser 120 minutes entre le premier contact médical et la "
        "reperfusion, et les trois facteurs qui y contribuent le plus."
    ),
    "performance": "AUC de 0,78 (IC à 95 % : 0,76-0,80) ; sensibilité de 72 % au seuil retenu.",
    "metric": "AUC ROC",
    "validation_data": (
        "Validation temporelle sur les patients de 2021 (20 % de la cohorte), jamais vus "
        "à l'apprentissage."
    ),
    "limitations": (
        "Construit sur l'Île-de-France seulement : à valider avant tout usage dans une "
        "autre région. Les embouteillages et la météo ne sont pas pris en compte. Moins "
        "performant chez les plus de 85 ans."
    ),
    "licence": "MIT",
    "repository_url": "https://gitlab.example.org/inserm/sca-prehosp",
}

ALGORITHMS = [
    DemoAlgorithm(
        reference="HDH-2022-0547",
        slug="sca-prehosp",
        name="SCA-Préhosp : délai de reperfusion de l'infarctus pris en charge par le SMUR",
        bases=["e-must"],
        versions=[
            DemoVersion("1.0", INFARCTUS, published="2024-05-14"),
            DemoVersion(
                "1.1",
                {
                    **INFARCTUS,
                    "population": (
                        "Adultes pris en charge pour un infarctus de moins de 24 heures par "
                        "les SMUR d'Île-de-France entre 2015 et 2022 (environ 21 000 patients)."
                    ),
                    "inputs": INFARCTUS["inputs"][:-1]
                    + ", temps de trajet estimé jusqu'au centre.",
                    "performance": (
                        "AUC de 0,81 (IC à 95 % : 0,79-0,83) après l'ajout des temps de "
                        "trajet estimés ; sensibilité de 75 % au seuil retenu."
                    ),
                    "validation_data": (
                        "Validation temporelle sur les patients de 2021 et 2022, jamais vus "
                        "à l'apprentissage."
                    ),
                },
                published="2025-06-03",
            ),
            DemoVersion(
                "2.0",
                {
                    **INFARCTUS,
                    "population": (
                        "Adultes pris en charge pour un infarctus de moins de 24 heures par "
                        "les SMUR d'Île-de-France et des Hauts-de-France entre 2015 et 2024."
                    ),
                    "performance": "Extension aux Hauts-de-France : en cours d'examen par le hub.",
                },
            ),
        ],
    ),
    DemoAlgorithm(
        reference="HDH-2021-0509",
        slug="previchute",
        name="PréviChute : risque de chute grave chez les personnes de 75 ans et plus",
        bases=["oscour"],
        versions=[
            DemoVersion(
                "1.0",
                {
                    "purpose": (
                        "Repérer les personnes âgées vivant à domicile qui présentent un "
                        "risque élevé de chute grave, avec passage aux urgences, dans les "
                        "douze mois."
                    ),
                    "intended_use": (
                        "Cibler les visites de prévention (ergothérapie, adaptation du "
                        "logement, revue des médicaments) des équipes de soins primaires et "
                        "des caisses de retraite."
                    ),
                    "population": (
                        "Personnes de 75 ans et plus venues aux urgences entre 2016 et 2020 "
                        "dans les services du réseau OSCOUR."
                    ),
                    "inputs": (
                        "Âge, sexe, passages antérieurs aux urgences, motifs de recours "
                        "(traumatismes, malaises), diagnostics principaux codés en CIM-10."
                    ),
                    "outputs": (
                        "Un score de risque de 0 à 100 et une classe : faible, modéré, élevé."
                    ),
                    "performance": (
                        "Sensibilité de 68 % et spécificité de 74 % pour la classe « élevé » ; "
                        "AUC de 0,73."
                    ),
                    "metric": "Sensibilité, spécificité, AUC",
                    "validation_data": (
                        "Validation externe sur les passages de 2021 de trois régions non "
                        "utilisées pour l'apprentissage."
                    ),
                    "limitations": (
                        "Ne voit que les chutes qui ont conduit aux urgences. Risque de "
                        "signaler à l'excès les personnes qui consultent souvent. Ne jamais "
                        "l'utiliser pour refuser une prestation."
                    ),
                    "licence": "EUPL-1.2",
                    "repository_url": "https://forge.example.org/univ-montpellier/previchute",
                },
                published="2023-09-20",
            )
        ],
    ),
    DemoAlgorithm(
        reference="HDH-2023-0528",
        slug="esme-progression",
        name="ESME-Progression : risque de progression précoce du cancer du sein métastatique",
        bases=["esme"],
        versions=[
            DemoVersion(
                "1.0",
                {
                    "purpose": (
                        "Estimer le risque de progression dans les six mois qui suivent la "
                        "première ligne de traitement d'un cancer du sein métastatique."
                    ),
                    "intended_use": (
                        "Recherche clinique : stratifier les patientes des essais et des "
                        "études de vie réelle. Jamais pour décider du traitement d'une "
                        "patiente."
                    ),
                    "population": (
                        "Patientes traitées pour un cancer du sein métastatique dans les "
                        "centres de lutte contre le cancer entre 2014 et 2020 (cohorte ESME, "
                        "environ 22 000 patientes)."
                    ),
                    "inputs": (
                        "Âge au diagnostic, récepteurs hormonaux et statut HER2, sites "
                        "métastatiques, délai depuis le cancer initial, traitements antérieurs."
                    ),
                    "outputs": (
                        "La probabilité de progression à six mois et un groupe de risque "
                        "(trois niveaux)."
                    ),
                    "performance": "C-index de 0,71 ; calibration satisfaisante (pente de 0,96).",
                    "metric": "C-index",
                    "validation_data": (
                        "Validation croisée par centre : chaque centre tour à tour mis de côté."
                    ),
                    "limitations": (
                        "Dates de progression déclarées par les centres, au suivi hétérogène. "
                        "Les thérapies ciblées arrivées après 2020 ne sont pas représentées."
                    ),
                    "licence": "Apache-2.0",
                    "repository_url": "https://git.example.org/unicancer/esme-progression",
                },
                published="2025-03-11",
            )
        ],
    ),
    DemoAlgorithm(
        reference="HDH-2024-0506",
        slug="prevurg-covid",
        name="PrévUrg-Covid : prévision à sept jours des passages aux urgences pour Covid-19",
        bases=["oscour"],
        versions=[
            DemoVersion(
                "1.0",
                {
                    "purpose": (
                        "Prévoir, pour chaque département, le nombre de passages aux urgences "
                        "pour suspicion de Covid-19 au cours des sept jours suivants."
                    ),
                    "intended_use": (
                        "Aide au pilotage des capacités hospitalières par les agences "
                        "régionales de santé."
                    ),
                    "population": (
                        "Passages aux urgences de tous âges dans les services du réseau "
                        "OSCOUR, de mars 2020 à décembre 2023."
                    ),
                    "inputs": (
                        "Séries quotidiennes de passages par département et classe d'âge, "
                        "jours fériés, vacances scolaires, couverture vaccinale."
                    ),
                    "outputs": (
                        "Une prévision quotidienne par département, avec un intervalle de "
                        "prédiction à 90 %."
                    ),
                    "performance": (
                        "Erreur absolue moyenne en pourcentage (MAPE) de 14 % à sept jours."
                    ),
                    "metric": "MAPE",
                    "validation_data": (
                        "Validation glissante sur les vagues de l'hiver 2022-2023, jamais vues "
                        "à l'apprentissage."
                    ),
                    "limitations": (
                        "Un changement du codage des motifs de recours ou l'arrivée d'un "
                        "nouveau variant dégradent les prévisions. Moins fiable dans les "
                        "petits départements."
                    ),
                    "licence": "EUPL-1.2",
                    "repository_url": "https://gitlab.example.org/gustave-roussy/prevurg-covid",
                },
                published="2025-10-07",
            )
        ],
    ),
    # Declared, not yet reviewed: absent from the library.
    DemoAlgorithm(
        reference="HDH-2022-0539",
        slug="avc-urg",
        name="AVC-Urg : repérage des accidents vasculaires cérébraux aux urgences",
        bases=["oscour"],
        versions=[
            DemoVersion(
                "1.0",
                {
                    "purpose": (
                        "Repérer, parmi les passages aux urgences, les accidents vasculaires "
                        "cérébraux que le codage ne signale pas."
                    ),
                    "intended_use": "Études épidémiologiques de l'incidence des AVC.",
                    "population": "Passages aux urgences d'adultes, réseau OSCOUR, 2017-2022.",
                    "inputs": "Motif de recours, diagnostics codés, âge, sexe, mode de sortie.",
                    "outputs": "La probabilité qu'un passage soit un AVC.",
                    "performance": "Valeur prédictive positive de 83 %.",
                    "metric": "Valeur prédictive positive",
                    "validation_data": "Dossiers relus par des neurologues dans deux hôpitaux.",
                    "limitations": "Les accidents ischémiques transitoires sont mal repérés.",
                    "licence": "EUPL-1.2",
                    "repository_url": "https://gitlab.example.org/gustave-roussy/avc-urg",
                },
            )
        ],
    ),
]


@transaction.atomic
def load_algorithms(*, reviewer=None) -> None:
    """Creates the demo's algorithms that do not exist yet (by slug), for the projects of
    the demo directory that exist; `reviewer` published their versions."""
    existing = set(Algorithm.objects.values_list("slug", flat=True))
    projects = {
        project.reference: project
        for project in Project.objects.filter(reference__in=[demo.reference for demo in ALGORITHMS])
    }
    created = False
    for demo in ALGORITHMS:
        project = projects.get(demo.reference)
        if demo.slug in existing or project is None:
            continue
        algorithm = Algorithm.objects.create(project=project, name=demo.name, slug=demo.slug)
        bases = list(Base.objects.filter(slug__in=demo.bases))
        for demo_version in demo.versions:
            _version(algorithm, demo_version, bases=bases, reviewer=reviewer)
        created = True
    if created:
        services.public_data_changed()


def _version(algorithm: Algorithm, demo: DemoVersion, *, bases, reviewer) -> None:
    version = AlgorithmVersion.objects.create(
        algorithm=algorithm, version=demo.version, **demo.card
    )
    version.bases.set(bases)
    if not demo.published:
        return
    published_at = datetime.combine(
        date.fromisoformat(demo.published), time(11), tzinfo=clocks.hub_timezone()
    )
    # As the hub's publication leaves it (`projects.results`), at the demo's dates.
    AlgorithmVersion.objects.filter(pk=version.pk).update(
        state=ReviewState.PUBLISHED,
        declared_at=published_at - timedelta(days=21),
        reviewed_by=reviewer,
        reviewed_at=published_at,
    )
    Algorithm.objects.filter(pk=algorithm.pk).update(current=version)
    Project.objects.filter(pk=algorithm.project_id, results_published_on__isnull=True).update(
        results_published_on=published_at.date()
    )
