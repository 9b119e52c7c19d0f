"""Fill a dedicated PostgreSQL database with the benchmark's data set.

    python -m bench.populate [--force]

100,000 public projects (every non-draft state, submitted 2017-2026) of 5,000
sponsor organisations, asking for 50 bases (the 7 of the demo catalog and 43
generated ones), with themes, the Unibase programme, key dates, opinions,
authorisations and public events. Deterministic (seeded). The large tables are
written with COPY; the search trigger of migration 0005 fills `search_vector` as
rows arrive. Skipped when the projects are already there, unless --force.

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/portal_bench; the
database is created if missing, then migrated.
"""

import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta

from bench import use_bench_settings


def report(*parts: str) -> None:
    """The benchmark's results go to standard output, for a terminal or a file."""
    sys.stdout.write(" ".join(parts) + "\n")


use_bench_settings()

PROJECTS = 100_000
ORGANISATIONS = 5_000
BASES = 50
YEARS = range(2017, 2027)
SEED = 2023
TODAY = date(2026, 11, 1)

SUBJECTS = [
    "Détection précoce de la rétinopathie diabétique",
    "Parcours de soins après un accident vasculaire cérébral",
    "Prévention des chutes chez les personnes âgées",
    "Effets des vagues de chaleur sur les hospitalisations",
    "Suivi des patients atteints de cancer du poumon",
    "Vaccination et formes graves de Covid-19",
    "Usage des antibiotiques en ville",
    "Dépistage du cancer du sein",
    "Insuffisance cardiaque et réhospitalisations",
    "Santé mentale des adolescents",
    "Pollution de l'air et asthme de l'enfant",
    "Repérage des maladies rares",
    "Infarctus du myocarde pris en charge par le SAMU",
    "Hépatite C et accès aux antiviraux",
    "Grossesse et diabète gestationnel",
    "Polymédication des personnes âgées",
    "Cancers colorectaux et chimiothérapie orale",
    "Insuffisance rénale chronique et dialyse",
    "Maladie d'Alzheimer et entrée en établissement",
    "Sclérose en plaques et traitements de fond",
    "Bronchopneumopathie chronique obstructive",
    "Obésité de l'enfant et chirurgie bariatrique",
    "Recours aux urgences pédiatriques",
    "Consommation d'opioïdes après une chirurgie",
    "Dépression du post-partum",
    "Tuberculose et populations précaires",
    "Épilepsie et grossesse",
    "Accidents de la route et traumatismes crâniens",
    "Mélanome et immunothérapie",
    "Hypertension artérielle non contrôlée",
    "Leucémies de l'enfant",
    "Prothèses de hanche et reprises chirurgicales",
    "Troubles du spectre de l'autisme",
    "Suicide et tentatives de suicide",
    "Infections nosocomiales en réanimation",
    "Cancer de la prostate et surveillance active",
    "Arthrose du genou et kinésithérapie",
    "Allergies alimentaires de l'enfant",
    "Maladie de Parkinson et chutes",
    "Covid long et retour au travail",
]
ANGLES = [
    "une étude de cohorte nationale",
    "un modèle d'apprentissage automatique",
    "une analyse des disparités territoriales",
    "une évaluation médico-économique",
    "une étude avant-après",
    "un appariement avec un registre",
    "une étude cas-témoins",
    "un algorithme de traitement du langage naturel",
    "une série temporelle interrompue",
    "une cartographie des parcours de soins",
    "une émulation d'essai cible",
    "une étude de pharmacovigilance",
]
POPULATIONS = [
    "en Île-de-France",
    "en Occitanie",
    "en Bretagne",
    "dans les Hauts-de-France",
    "en Auvergne-Rhône-Alpes",
    "en Nouvelle-Aquitaine",
    "dans les territoires ultramarins",
    "en zone rurale",
    "chez les plus de 75 ans",
    "chez les moins de 18 ans",
    "chez les femmes enceintes",
    "chez les bénéficiaires de la complémentaire santé solidaire",
    "en France métropolitaine",
    "dans les quartiers prioritaires",
]
PURPOSES = [
    "pour éclairer les décisions de santé publique",
    "pour améliorer la prise en charge des patients",
    "pour mesurer les inégalités d'accès aux soins",
    "pour évaluer une politique de prévention",
    "pour aider les cliniciens à repérer les patients à risque",
    "pour estimer le coût des parcours pour l'Assurance maladie",
]
SOURCES = [
    "à partir de données pseudonymisées du SNDS",
    "en croisant des données hospitalières et de ville",
    "à partir d'entrepôts de données de santé hospitaliers",
    "à partir de registres et de cohortes existants",
]
ORG_KINDS = [
    "CHU de",
    "Centre hospitalier de",
    "Université de",
    "Clinique de",
    "Centre de lutte contre le cancer de",
    "Observatoire régional de santé de",
    "Laboratoire d'épidémiologie de",
    "Institut de recherche de",
    "Start-up santé de",
    "Agence régionale de santé de",
]
CITIES = [
    "Paris", "Lyon", "Marseille", "Toulouse", "Nice", "Nantes", "Montpellier",
    "Strasbourg", "Bordeaux", "Lille", "Rennes", "Reims", "Toulon", "Saint-Étienne",
    "Le Havre", "Grenoble", "Dijon", "Angers", "Nîmes", "Villeurbanne", "Clermont-Ferrand",
    "Le Mans", "Aix-en-Provence", "Brest", "Tours", "Amiens", "Limoges", "Annecy",
    "Perpignan", "Metz", "Besançon", "Orléans", "Rouen", "Mulhouse", "Caen", "Nancy",
    "Poitiers", "Pau", "Avignon", "La Rochelle",
]  # fmt: skip
BASE_WORDS = [
    ("Registre", "REG"),
    ("Cohorte", "COH"),
    ("Entrepôt", "EDS"),
    ("Observatoire", "OBS"),
    ("Base", "BDD"),
]
BASE_TOPICS = [
    "des cancers", "des maladies rares", "des urgences", "de la périnatalité", "du diabète",
    "des AVC", "de la dialyse", "des vaccinations", "de la santé mentale", "des transplantations",
]  # fmt: skip
# State weights by how many years ago the project was submitted (0, 1, 2, 3+).
STATE_WEIGHTS = {
    0: {"submitted": 20, "changes_requested": 12, "under_review": 20,
        "awaiting_authorisation": 14, "approved": 10, "in_progress": 16, "rejected": 4,
        "withdrawn": 4},
    1: {"submitted": 2, "changes_requested": 3, "under_review": 5, "awaiting_authorisation": 6,
        "approved": 10, "in_progress": 56, "completed": 6, "rejected": 6, "withdrawn": 6},
    2: {"approved": 3, "in_progress": 60, "completed": 22, "rejected": 8, "withdrawn": 7},
    3: {"in_progress": 30, "completed": 55, "rejected": 8, "withdrawn": 7},
}  # fmt: skip
THEME_SHARE = {"ai": 0.30, "prevention": 0.18, "covid-19": 0.08, "health-environment": 0.07,
               "boas": 0.10}  # fmt: skip


def main(argv: list[str]) -> None:
    import django

    force = "--force" in argv
    create_database(os.environ["DATABASE_URL"])
    django.setup()

    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)

    from projects.models import Project

    count = Project.objects.count()
    if count >= PROJECTS and not force:
        report(f"{count} projects already there: nothing to do (--force to rebuild).")
        return
    started = time.perf_counter()
    populate()
    report(f"Populated in {time.perf_counter() - started:.1f} s.")


def create_database(url: str) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
            report(f"Created database {name}.")


def populate() -> None:
    from django.db import connection, transaction

    from portal.demo.catalog import load_catalog
    from projects import processing

    rng = random.Random(SEED)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE projects_project, projects_organisation, projects_referencecounter "
            "RESTART IDENTITY CASCADE"
        )
    with transaction.atomic():
        load_catalog()
        bases = make_bases(rng)
        sponsors = make_organisations()
        projects = list(make_projects(rng, sponsors, bases))
        publish_results(projects)
        copy_all(projects)
        make_results(projects)
        # What the services store with each change: the processing times read it.
        processing.store_measures()
    with connection.cursor() as cursor:
        for table in (
            "projects_project",
            "projects_project_themes",
            "projects_requestedbase",
            "projects_event",
            "projects_stagemeasure",
            "projects_result",
            "projects_algorithm",
            "projects_algorithmversion",
            "projects_opinion",
            "projects_authorisation",
            "projects_organisation",
            "catalog_base",
            "catalog_milestone",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")


def make_bases(rng: random.Random) -> list[tuple[int, str]]:
    """The demo's bases and generated ones up to 50: (id, slug), demo ones first."""
    from catalog.models import Base, DataHolder, Milestone

    holder, _ = DataHolder.objects.get_or_create(
        name="Consortium de recherche en santé (banc d'essai)", defaults={"acronym": "CRS"}
    )
    existing = Base.objects.count()
    for index in range(BASES - existing):
        word, prefix = BASE_WORDS[index % len(BASE_WORDS)]
        topic = BASE_TOPICS[index // len(BASE_WORDS) % len(BASE_TOPICS)]
        acronym = f"{prefix}-{index + 1:02d}"
        base, _ = Base.objects.get_or_create(
            acronym=acronym,
            defaults={
                "slug": acronym.lower(),
                "name": f"{word} {topic} n° {index + 1}",
                "description": f"{word} national {topic}, généré pour le banc d'essai.",
                "data_holder": holder,
            },
        )
        for kind in Milestone.Kind.values[: 1 + index % 4]:
            Milestone.objects.get_or_create(
                base=base,
                kind=kind,
                defaults={"reached_on": date(2019 + index % 7, 1 + index % 12, 1 + index % 28)},
            )
    return list(Base.objects.order_by("id").values_list("id", "slug"))


def organisation_names() -> list[str]:
    names = []
    for index in range(ORGANISATIONS):
        kind = ORG_KINDS[index % len(ORG_KINDS)]
        city = CITIES[index // len(ORG_KINDS) % len(CITIES)]
        batch = index // (len(ORG_KINDS) * len(CITIES))
        names.append(f"{kind} {city}" + (f" ({batch + 1})" if batch else ""))
    return names


def make_organisations() -> list[int]:
    from projects.models import Organisation

    now = datetime(2017, 1, 1, tzinfo=UTC)
    Organisation.objects.bulk_create(
        [Organisation(name=name, created_at=now) for name in organisation_names()],
        batch_size=2000,
    )
    return list(Organisation.objects.order_by("id").values_list("id", flat=True))


def make_projects(rng, sponsors, bases, count=PROJECTS):
    """One dict per project, with its themes, bases and events."""
    from projects.models import Programme, Theme

    theme_ids = dict(Theme.objects.values_list("slug", "id"))
    unibase = Programme.objects.get(slug="unibase").pk
    base_ids = [pk for pk, _slug in bases]
    # The demo's seven bases are asked for far more often than the generated ones.
    base_weights = [12 if index < 7 else 1 for index in range(len(base_ids))]
    year_weights = [6, 7, 8, 9, 10, 11, 12, 13, 13, 11]
    counters = dict.fromkeys(YEARS, 0)
    for pk in range(1, count + 1):
        year = rng.choices(YEARS, year_weights)[0]
        age = min(2026 - year, 3)
        weights = STATE_WEIGHTS[age]
        state = rng.choices(list(weights), list(weights.values()))[0]
        first_day = date(year, 1, 1)
        last_day = min(date(year, 12, 31), TODAY - timedelta(days=30))
        submitted = first_day + timedelta(days=rng.randrange((last_day - first_day).days + 1))
        opinion = authorised = launched = completed = None
        if state in ("awaiting_authorisation", "approved", "in_progress", "completed", "rejected"):
            opinion = submitted + timedelta(days=rng.randint(30, 120))
        if state in ("approved", "in_progress", "completed"):
            authorised = opinion + timedelta(days=rng.randint(20, 90))
        if state in ("in_progress", "completed"):
            launched = authorised + timedelta(days=rng.randint(30, 200))
        if state == "completed":
            completed = launched + timedelta(days=rng.randint(200, 900))
        # Nothing happens after today: a step still to come leaves the project before it.
        if completed and completed > TODAY:
            state, completed = "in_progress", None
        if launched and launched > TODAY:
            state, launched = "approved", None
        if authorised and authorised > TODAY:
            state, authorised = "awaiting_authorisation", None
        if opinion and opinion > TODAY:
            state, opinion = "under_review", None
        counters[year] += 1
        subject = rng.choice(SUBJECTS)
        angle = rng.choice(ANGLES)
        population = rng.choice(POPULATIONS)
        last_change = max(d for d in (submitted, opinion, authorised, launched, completed) if d)
        changed_at = datetime(
            last_change.year, last_change.month, last_change.day, 9, tzinfo=UTC
        ) + timedelta(seconds=pk)
        sponsor = sponsors[int(len(sponsors) * rng.random() ** 2)]
        themes = [theme_ids[slug] for slug, share in THEME_SHARE.items() if rng.random() < share]
        requested = set(rng.choices(base_ids, base_weights, k=rng.choice((1, 1, 2, 2, 3))))
        yield {
            "id": pk,
            "reference": f"HDH-{year}-{counters[year]:05d}",
            "status": state,
            "title": f"{subject} {population} : {angle}",
            "summary": (
                f"{subject} {population}. Le projet s'appuie sur {angle} "
                f"{rng.choice(SOURCES)}, {rng.choice(PURPOSES)}."
            ),
            "sponsor": sponsor,
            "programme": unibase if rng.random() < 0.04 else None,
            "submitted": submitted,
            "opinion": opinion,
            "authorised": authorised,
            "launched": launched,
            "completed": completed,
            "created_at": datetime(submitted.year, submitted.month, submitted.day, tzinfo=UTC)
            - timedelta(days=rng.randint(5, 60)),
            "changed_at": changed_at,
            "themes": themes,
            "bases": sorted(requested),
            "verdict": "unfavourable" if state == "rejected" else "favourable",
        }


# Three completed projects in five have published results, within two years of their
# end; the rest are due or overdue. One BOAS project in three with results has an
# algorithm in the library.
RESULTS_SHARE = 0.6


def publish_results(projects: list[dict]) -> None:
    """When each project's results were first published (its own generator, so the
    projects themselves stay as they were before results existed)."""
    rng = random.Random(SEED + 1)
    for p in projects:
        published = None
        if p["completed"] and rng.random() < RESULTS_SHARE:
            published = p["completed"] + timedelta(days=rng.randint(60, 720))
            if published > TODAY:
                published = None
        p["results_published"] = published


def make_results(projects: list[dict]) -> None:
    """A published publication per project with results, and the library's algorithms."""
    from projects.models import Algorithm, AlgorithmVersion, Result, ReviewState, Theme

    def at(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)

    boas = Theme.objects.get(slug="boas").pk
    published = [p for p in projects if p["results_published"]]
    Result.objects.bulk_create(
        (
            Result(
                project_id=p["id"],
                kind=Result.Kind.PUBLICATION,
                title=f"Résultats : {p['title']}"[:500],
                doi=f"10.5281/zenodo.{8_000_000 + p['id']}",
                venue="Revue d'épidémiologie et de santé publique",
                year=p["results_published"].year,
                state=ReviewState.PUBLISHED,
                reviewed_at=at(p["results_published"]),
            )
            for p in published
        ),
        batch_size=2000,
    )
    with_algorithm = [p for p in published if boas in p["themes"]][::3]
    algorithms = Algorithm.objects.bulk_create(
        Algorithm(project_id=p["id"], name=f"Score {p['reference']}", slug=p["reference"].lower())
        for p in with_algorithm
    )
    versions = AlgorithmVersion.objects.bulk_create(
        AlgorithmVersion(
            algorithm=algorithm,
            version="1.0",
            purpose=f"Estimer un risque pour {p['title']}.",
            intended_use="Aide à la décision en santé publique, jamais au diagnostic.",
            population=p["summary"],
            inputs="Consultations, séjours, délivrances.",
            outputs="Un score de risque entre 0 et 1.",
            performance="AUC 0,78 sur l'échantillon de validation.",
            metric="AUC",
            validation_data="Une année tenue à l'écart.",
            limitations="Non validé hors de la population d'étude.",
            licence="EUPL-1.2",
            repository_url=f"https://code.example/boas/{p['reference'].lower()}",
            state=ReviewState.PUBLISHED,
            reviewed_at=at(p["results_published"]),
        )
        for algorithm, p in zip(algorithms, with_algorithm, strict=True)
    )
    for algorithm, version in zip(algorithms, versions, strict=True):
        algorithm.current = version
    Algorithm.objects.bulk_update(algorithms, ["current"], batch_size=2000)
    through = AlgorithmVersion.bases.through
    through.objects.bulk_create(
        through(algorithmversion_id=version.pk, base_id=p["bases"][0])
        for version, p in zip(versions, with_algorithm, strict=True)
    )
    report(f"{len(published)} projects with results, {len(algorithms)} algorithms.")


EVENT_STEPS = [
    ("submitted", "draft", "submitted", "submitted"),
    ("opinion_given", "under_review", "awaiting_authorisation", "opinion"),
    ("authorised", "awaiting_authorisation", "approved", "authorised"),
    ("launched", "approved", "in_progress", "launched"),
    ("completed", "in_progress", "completed", "completed"),
]


def copy_all(projects: list[dict]) -> None:
    from django.db import connection

    def at(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)

    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY projects_project (id, reference, status, title, summary, purpose, methodology,"
            " expected_results, funding, data_processor, results, created_at, updated_at,"
            " status_changed_at, edit_version, submitted_on, opinion_on, authorised_on,"
            " launched_on, completed_on, programme_id, sponsor_id, results_published_on)"
            " FROM STDIN"
        ) as copy:
            for p in projects:
                copy.write_row(
                    (
                        p["id"],
                        p["reference"],
                        p["status"],
                        p["title"],
                        p["summary"],
                        "Intérêt public : " + p["summary"],
                        "",
                        "",
                        "",
                        "",
                        "Article publié et code partagé." if p["completed"] else "",
                        p["created_at"],
                        p["changed_at"],
                        p["changed_at"],
                        1,
                        p["submitted"],
                        p["opinion"],
                        p["authorised"],
                        p["launched"],
                        p["completed"],
                        p["programme"],
                        p["sponsor"],
                        p["results_published"],
                    )  # fmt: skip
                )
        with cursor.copy("COPY projects_project_themes (project_id, theme_id) FROM STDIN") as copy:
            for p in projects:
                for theme in p["themes"]:
                    copy.write_row((p["id"], theme))
        with cursor.copy(
            "COPY projects_requestedbase (project_id, base_id, justification, period_start,"
            " period_end, decision, decided_on, decision_note, set_aside) FROM STDIN"
        ) as copy:
            for p in projects:
                decision = "agreed" if p["launched"] else "pending"
                for base in p["bases"]:
                    copy.write_row(
                        (
                            p["id"],
                            base,
                            "Seule source nationale sur cette population.",
                            date(2012, 1, 1),
                            date(p["submitted"].year - 1, 12, 31),
                            decision,
                            p["authorised"] if p["launched"] else None,
                            "",
                            False,
                        )  # fmt: skip
                    )
        with cursor.copy(
            "COPY projects_event (project_id, at, from_status, to_status, action, reason,"
            " visibility) FROM STDIN"
        ) as copy:
            for p in projects:
                for action, frm, to, key in EVENT_STEPS:
                    if p[key]:
                        copy.write_row((p["id"], at(p[key]), frm, to, action, "", "public"))
                if p["status"] in ("rejected", "withdrawn"):
                    day = p["opinion"] or p["submitted"]
                    copy.write_row(
                        (p["id"], at(day), "under_review", p["status"], p["status"], "", "public")
                    )
        with cursor.copy(
            "COPY projects_opinion (project_id, verdict, given_on, text) FROM STDIN"
        ) as copy:
            for p in projects:
                if p["opinion"]:
                    copy.write_row((p["id"], p["verdict"], p["opinion"], ""))
        with cursor.copy(
            "COPY projects_authorisation (project_id, kind, decision_number, methodology,"
            " decided_on) FROM STDIN"
        ) as copy:
            # Numbered as the CNIL does, DR-YYYY-NNN: the year, then a count in the year.
            per_year: dict[int, int] = {}
            for p in projects:
                if p["authorised"]:
                    year = p["authorised"].year
                    per_year[year] = per_year.get(year, 0) + 1
                    number = f"DR-{year}-{per_year[year]:03d}"
                    copy.write_row((p["id"], "cnil", number, "", p["authorised"]))
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('projects_project', 'id'),"
            " (SELECT max(id) FROM projects_project))"
        )
        cursor.execute(
            "INSERT INTO projects_referencecounter (year, last)"
            " SELECT substr(reference, 5, 4)::int, max(substr(reference, 10)::int)"
            " FROM projects_project GROUP BY 1"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
