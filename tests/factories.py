from datetime import date

import factory
from django.contrib.auth import get_user_model

from catalog.models import Base, DataHolder, Milestone


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    password = factory.django.Password("correct horse battery staple")


class DataHolderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataHolder

    name = factory.Sequence(lambda n: f"Data holder {n}")
    acronym = factory.Sequence(lambda n: f"DH{n}")
    kind = DataHolder.Kind.AGENCY


class BaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Base

    acronym = factory.Sequence(lambda n: f"BASE{n}")
    slug = factory.LazyAttribute(lambda base: base.acronym.lower())
    name = factory.Sequence(lambda n: f"Base number {n}")
    description = "A base of the catalog."
    data_holder = factory.SubFactory(DataHolderFactory)
    period_start = date(2015, 1, 1)
    keywords = "cancer, cohort"


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    base = factory.SubFactory(BaseFactory)
    kind = Milestone.Kind.CONTRACT
    reached_on = date(2023, 3, 1)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.Organisation"
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Organisation {n}")


def make_project(*, owner, members=(), **fields):
    """A draft owned by `owner`, through the same service the sponsor's form uses."""
    from projects import services
    from projects.models import TeamMember

    project = services.project_create(owner=owner)
    for name, value in fields.items():
        setattr(project, name, value)
    project.save()
    for member in members:
        TeamMember.objects.create(project=project, user=member)
    return project


def make_public_project(
    reference,
    title,
    *,
    summary="",
    sponsor="CHU Nord",
    themes=(),
    bases=(),
    programme=None,
    status="submitted",
    submitted_on=date(2024, 3, 1),
    launched_on=None,
    kind="access",
):
    """A project of the public directory, created directly in its final state; it moves
    the public data version on, as an import does."""
    from catalog.models import Base
    from projects import services
    from projects.models import Organisation, Programme, Project, RequestedBase, Theme

    project = Project.objects.create(
        kind=kind,
        reference=reference,
        title=title,
        summary=summary,
        sponsor=Organisation.objects.get_or_create(name=sponsor)[0],
        status=status,
        submitted_on=submitted_on,
        launched_on=launched_on,
        programme=Programme.objects.get(slug=programme) if programme else None,
    )
    project.themes.set(Theme.objects.filter(slug__in=themes))
    for slug in bases:
        RequestedBase.objects.create(project=project, base=Base.objects.get(slug=slug))
    services.public_data_changed()
    return project


def record_evidence(project) -> None:
    """The CESREES opinion and the CNIL authorisation on record, so that the review may
    move the project to awaiting authorisation and then approve it."""
    from projects.models import Authorisation, Opinion

    Opinion.objects.create(
        project=project, verdict=Opinion.Verdict.FAVOURABLE, given_on=date(2027, 1, 1)
    )
    Authorisation.objects.create(
        project=project,
        kind=Authorisation.Kind.CNIL,
        decision_number="DR-2027-001",
        decided_on=date(2027, 1, 1),
    )


def a_publication(**fields):
    """A publication as a team declares it (unsaved)."""
    from projects.models import Result

    values = {
        "kind": Result.Kind.PUBLICATION,
        "title": "Parcours après un infarctus",
        "doi": "10.1016/j.lanepe.2025.101234",
        "venue": "The Lancet Regional Health – Europe",
        "year": 2026,
    } | fields
    return Result(**values)


def an_algorithm_version(number: str = "1.0", **fields):
    """A version of an algorithm card as a team declares it (unsaved)."""
    from projects.models import AlgorithmVersion

    values = {
        "version": number,
        "purpose": "Repérer les patients diabétiques à risque de rétinopathie.",
        "intended_use": "Aide au dépistage, jamais au diagnostic.",
        "population": "Adultes diabétiques, 2015–2022.",
        "inputs": "Consultations, délivrances.",
        "outputs": "Un score de risque.",
        "performance": "AUC 0,82 (IC 95 % 0,80–0,84).",
        "metric": "AUC",
        "validation_data": "Échantillon de 2023.",
        "limitations": "Moins précis chez les moins de 30 ans.",
        "licence": "EUPL-1.2",
        "repository_url": "https://gitlab.example/boas/retino",
    } | fields
    return AlgorithmVersion(**values)


# The open library of algorithms: cards written directly, as the team's declaration and
# the hub's review (`results.algorithm_declare`, `results.review`) leave them, at the
# dates a test gives. The card names no disease (unlike `an_algorithm_version`'s): the
# library's search tests say which words each card holds.
ALGORITHM_CARD = {
    "purpose": "Repérer les patients à risque à partir de leurs parcours de soins.",
    "intended_use": "Aide au ciblage des actions de prévention, jamais au diagnostic.",
    "population": "Adultes suivis entre 2015 et 2022.",
    "inputs": "Consommations de soins, séjours hospitaliers, âge et sexe.",
    "outputs": "Un score de risque entre 0 et 1.",
    "performance": "AUC de 0,81 sur l'échantillon de validation.",
    "metric": "AUC",
    "validation_data": "Un échantillon tiré au sort de 20 % des patients, mis de côté.",
    "limitations": "Non évalué chez l'enfant ; biais possibles selon la région.",
    "licence": "EUPL-1.2",
    "repository_url": "https://git.example.org/boas/algorithme",
}


def make_algorithm(project, name, *, slug=None):
    from django.utils.text import slugify

    from projects.models import Algorithm

    return Algorithm.objects.create(project=project, name=name, slug=slug or slugify(name))


def declare_version(algorithm, version="1.0", *, bases=(), declared_by=None, **card):
    """A version awaiting the hub's review, as the sponsor team declares it."""
    from catalog.models import Base
    from projects.models import AlgorithmVersion

    declared = AlgorithmVersion.objects.create(
        algorithm=algorithm,
        version=version,
        declared_by=declared_by,
        **{**ALGORITHM_CARD, **card},
    )
    declared.bases.set(Base.objects.filter(slug__in=bases))
    return declared


def publish_version(version, *, reviewer=None, at=None):
    """What the hub's publication does: the version published, the algorithm's current
    one, the project's results published on that day if not already."""
    from django.utils import timezone

    from projects import services
    from projects.models import Project, ReviewState

    version.state = ReviewState.PUBLISHED
    version.reviewed_by = reviewer
    version.reviewed_at = at or timezone.now()
    version.save(update_fields=["state", "reviewed_by", "reviewed_at"])
    algorithm = version.algorithm
    algorithm.current = version
    algorithm.save(update_fields=["current"])
    Project.objects.filter(pk=algorithm.project_id, results_published_on__isnull=True).update(
        results_published_on=timezone.localdate(version.reviewed_at)
    )
    services.public_data_changed()
    return version


def refuse_version(version, *, reviewer=None, comment="Les performances ne sont pas étayées."):
    from django.utils import timezone

    from projects.models import ReviewState

    version.state = ReviewState.REFUSED
    version.reviewed_by = reviewer
    version.reviewed_at = timezone.now()
    version.review_comment = comment
    version.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_comment"])
    return version


def make_published_algorithm(project, name, version="1.0", *, bases=(), at=None, **card):
    """An algorithm of the library with one published version."""
    algorithm = make_algorithm(project, name)
    publish_version(declare_version(algorithm, version, bases=bases, **card), at=at)
    algorithm.refresh_from_db()
    return algorithm
