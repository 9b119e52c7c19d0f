"""Demo catalog: the seven bases of the hub's 2023 annual report and their 2023 milestones.

Loaded by `manage.py load_demo`. Dates are illustrative days inside 2023; which
milestones were reached is exactly what the report says.
"""

from datetime import date
from typing import Any

from django.db import transaction

from catalog.models import Base, DataHolder, Milestone

HOLDERS: list[dict[str, Any]] = [
    {
        "acronym": "AP-HP",
        "name": "Assistance publique - Hôpitaux de Paris",
        "kind": DataHolder.Kind.HOSPITAL,
        "website": "https://www.aphp.fr/",
        "address": "55 boulevard Diderot\n75012 Paris",
    },
    {
        "acronym": "Unicancer",
        "name": "Unicancer",
        "kind": DataHolder.Kind.CANCER_CENTRE,
        "website": "https://www.unicancer.fr/",
        "address": "101 rue de Tolbiac\n75013 Paris",
    },
    {
        "acronym": "SpF",
        "name": "Santé publique France",
        "kind": DataHolder.Kind.AGENCY,
        "website": "https://www.santepubliquefrance.fr/",
        "address": "12 rue du Val d'Osne\n94415 Saint-Maurice Cedex",
    },
    {
        "acronym": "Roche",
        "name": "Roche SAS",
        "kind": DataHolder.Kind.COMPANY,
        "website": "https://www.roche.fr/",
        "address": "4 cours de l'Île Seguin\n92100 Boulogne-Billancourt",
    },
    {
        "acronym": "CRCDC Occitanie",
        "name": "Centre régional de coordination des dépistages des cancers Occitanie",
        "kind": DataHolder.Kind.REGIONAL,
        "website": "https://www.depistagecancer-occitanie.fr/",
        "address": "Montpellier",
    },
    {
        "acronym": "Inserm",
        "name": "Institut national de la santé et de la recherche médicale",
        "kind": DataHolder.Kind.RESEARCH,
        "website": "https://www.inserm.fr/",
        "address": "101 rue de Tolbiac\n75013 Paris",
    },
    {
        "acronym": "ARS IDF",
        "name": "Agence régionale de santé Île-de-France",
        "kind": DataHolder.Kind.AGENCY,
        "website": "https://www.iledefrance.ars.sante.fr/",
        "address": "13 rue du Landy\n93200 Saint-Denis",
    },
]

C, D, P, T = (
    Milestone.Kind.CONTRACT,
    Milestone.Kind.DOCUMENTATION,
    Milestone.Kind.PREPARATION,
    Milestone.Kind.TRANSFER,
)

BASES: list[dict[str, Any]] = [
    {
        "acronym": "BNDMR",
        "slug": "bndmr",
        "name": "Banque nationale de données maladies rares",
        "holder": "AP-HP",
        "description": (
            "Base nationale qui recueille un socle commun de données sur les patients atteints "
            "de maladies rares pris en charge dans les centres de référence et de compétence "
            "des filières de santé maladies rares : diagnostic, parcours de soins, activité "
            "des centres. Elle sert à décrire l'épidémiologie des maladies rares et "
            "l'organisation de leur prise en charge en France."
        ),
        "population": "Patients suivis dans les centres experts maladies rares",
        "geography": "France entière",
        "period_start": date(2012, 1, 1),
        "update_frequency": Base.Frequency.QUARTERLY,
        "keywords": "maladies rares, épidémiologie, parcours de soins, centres de référence",
        "milestones": {
            C: date(2023, 2, 14),
            D: date(2023, 4, 3),
            P: date(2023, 9, 18),
            T: date(2023, 6, 12),
        },
    },
    {
        "acronym": "ESME",
        "slug": "esme",
        "name": (
            "Épidémio-Stratégie Médico-Économique : données de vie réelle des patients atteints "
            "de cancer"
        ),
        "holder": "Unicancer",
        "description": (
            "Programme de données de vie réelle des centres de lutte contre le cancer : "
            "traitements, parcours et devenir des patientes atteintes d'un cancer du sein "
            "métastatique depuis 2014, et des patients atteints d'un cancer de l'ovaire ou du "
            "poumon depuis 2017. Les données sont issues des dossiers médicaux et du PMSI des "
            "établissements participants."
        ),
        "population": (
            "Patients atteints de cancer du sein métastatique, de l'ovaire ou du poumon pris en "
            "charge dans les centres participants"
        ),
        "geography": "France entière",
        "period_start": date(2014, 1, 1),
        "update_frequency": Base.Frequency.ANNUAL,
        "keywords": "cancer, cancer du sein, cancer de l'ovaire, cancer du poumon, vie réelle",
        "milestones": {
            C: date(2023, 1, 23),
            D: date(2023, 3, 15),
            P: date(2023, 7, 10),
            T: date(2023, 5, 22),
        },
    },
    {
        "acronym": "OSCOUR",
        "slug": "oscour",
        "name": "Organisation de la surveillance coordonnée des urgences",
        "holder": "SpF",
        "description": (
            "Résumés de passage aux urgences transmis quotidiennement par les services "
            "d'urgence hospitaliers : motif, diagnostic, gravité, orientation. Le réseau sert "
            "à la surveillance sanitaire et à l'alerte, par exemple lors des épidémies "
            "saisonnières ou des vagues de chaleur."
        ),
        "population": "Passages dans les services d'urgence participants",
        "geography": "France entière",
        "period_start": date(2004, 7, 1),
        "update_frequency": Base.Frequency.DAILY,
        "keywords": "urgences, surveillance sanitaire, épidémies, alerte",
        "milestones": {C: date(2023, 3, 6), D: date(2023, 5, 11), T: date(2023, 10, 2)},
    },
    {
        "acronym": "ATU CBPC",
        "slug": "atu-cbpc",
        "name": "Autorisation temporaire d'utilisation, cancer bronchique à petites cellules",
        "holder": "Roche",
        "description": (
            "Données recueillies lors de l'autorisation temporaire d'utilisation d'un "
            "traitement du cancer bronchique à petites cellules : caractéristiques des "
            "patients traités, conditions d'utilisation et suivi, avant l'autorisation de mise "
            "sur le marché."
        ),
        "population": (
            "Patients atteints d'un cancer bronchique à petites cellules traités dans le cadre "
            "de l'ATU"
        ),
        "geography": "France entière",
        "period_start": date(2019, 1, 1),
        "period_end": date(2020, 12, 31),
        "update_frequency": Base.Frequency.NEVER,
        "keywords": "cancer du poumon, ATU, médicament, oncologie",
        "milestones": {C: date(2023, 4, 17), D: date(2023, 6, 5), P: date(2023, 11, 20)},
    },
    {
        "acronym": "e-SIS",
        "slug": "e-sis",
        "name": "Système d'information des programmes de dépistage organisé des cancers",
        "holder": "CRCDC Occitanie",
        "description": (
            "Système d'information des programmes de dépistage organisé des cancers du sein, "
            "colorectal et du col de l'utérus : invitations, participation, résultats des "
            "examens et suivi des personnes dépistées."
        ),
        "population": "Personnes invitées aux dépistages organisés des cancers",
        "geography": "Occitanie",
        "period_start": date(2015, 1, 1),
        "update_frequency": Base.Frequency.ANNUAL,
        "keywords": "dépistage, cancer du sein, cancer colorectal, cancer du col, prévention",
        "milestones": {
            C: date(2023, 2, 27),
            D: date(2023, 4, 24),
            P: date(2023, 10, 9),
            T: date(2023, 7, 3),
        },
    },
    {
        "acronym": "Hepather",
        "slug": "hepather",
        "name": "Cohorte nationale des personnes atteintes d'hépatite B ou C",
        "holder": "Inserm",
        "description": (
            "Cohorte prospective de personnes atteintes d'une hépatite virale B ou C suivies "
            "dans des centres hospitaliers experts : histoire naturelle de la maladie, "
            "traitements antiviraux et leurs effets à long terme."
        ),
        "population": "Personnes atteintes d'hépatite B ou C suivies dans les centres experts",
        "geography": "France entière",
        "period_start": date(2012, 8, 1),
        "update_frequency": Base.Frequency.ANNUAL,
        "keywords": "hépatite B, hépatite C, cohorte, maladies infectieuses, antiviraux",
        "milestones": {D: date(2023, 5, 30), P: date(2023, 12, 4)},
    },
    {
        "acronym": "e-MUST",
        "slug": "e-must",
        "name": "Évaluation en Médecine d'Urgence des Stratégies Thérapeutiques",
        "holder": "ARS IDF",
        "description": (
            "Registre des infarctus aigus du myocarde de moins de 24 heures pris en charge par "
            "les SAMU et SMUR d'Île-de-France : délais, stratégies de reperfusion et devenir "
            "des patients."
        ),
        "population": "Patients pris en charge pour un infarctus aigu par les SAMU/SMUR",
        "geography": "Île-de-France",
        "period_start": date(2006, 1, 1),
        "update_frequency": Base.Frequency.ANNUAL,
        "keywords": "infarctus, urgences, SAMU, cardiologie, registre",
        "milestones": {D: date(2023, 3, 27), P: date(2023, 8, 28), T: date(2023, 11, 6)},
    },
]


@transaction.atomic
def load_catalog() -> None:
    holders = {}
    for data in HOLDERS:
        fields = dict(data)
        holders[data["acronym"]], _ = DataHolder.objects.update_or_create(
            name=fields.pop("name"), defaults=fields
        )
    for data in BASES:
        fields = dict(data)
        milestones = fields.pop("milestones")
        fields["data_holder"] = holders[fields.pop("holder")]
        fields["access_conditions"] = (
            "Accès sur projet d'intérêt public, après avis du CESREES et autorisation de la "
            "CNIL (ou conformité à une méthodologie de référence)."
        )
        fields["contact_email"] = "catalogue@health-data-hub.example"
        base, created = Base.objects.get_or_create(acronym=fields.pop("acronym"), defaults=fields)
        changed = [name for name, value in fields.items() if getattr(base, name) != value]
        if not created and changed:
            # Saved only when it differs, so a second run leaves `updated_at` alone.
            for name in changed:
                setattr(base, name, fields[name])
            base.save()
        for kind, reached_on in milestones.items():
            Milestone.objects.update_or_create(
                base=base, kind=kind, defaults={"reached_on": reached_on}
            )
