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
):
    """A project of the public directory, created directly in its final state; it moves
    the public data version on, as an import does."""
    from catalog.models import Base
    from projects import services
    from projects.models import Organisation, Programme, Project, RequestedBase, Theme

    project = Project.objects.create(
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
