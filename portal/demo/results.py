"""Demo results: the demo team's, declared and reviewed through the portal's services
(one published, one waiting for the reviewers), and published results on most of the
directory's completed projects, so that the directory shows published, due and
overdue results side by side."""

from datetime import date, datetime, time

from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.db import transaction

from portal.demo.projects import PROTOCOL_PDF
from projects import clocks, results, services
from projects.models import Project, Result, ReviewState, Status


def team_results() -> dict[str, list[tuple[Result, bool]]]:
    """What the demo team declared, project by project, and whether the hub published it
    (new objects on each call: a declaration saves them)."""
    return {
        "Dépistage organisé du cancer colorectal : participation et délais": [
            (
                Result(
                    kind=Result.Kind.PUBLICATION,
                    title="Délais de coloscopie après un test immunologique positif en Occitanie",
                    doi="10.1016/j.gie.2026.04.012",
                    venue="Gastrointestinal Endoscopy",
                    year=2026,
                ),
                True,
            ),
            (
                Result(
                    kind=Result.Kind.DATASET,
                    title="Participation au dépistage par commune, 2019–2024 (agrégats)",
                    url="https://www.data.gouv.fr/fr/datasets/depistage-colorectal-occitanie/",
                ),
                False,
            ),
        ],
        "Recours aux soins après une amputation chez les personnes diabétiques": [
            (
                Result(
                    kind=Result.Kind.REPORT,
                    title="Rapport intermédiaire : les soins de la première année",
                    file=ContentFile(PROTOCOL_PDF, name="rapport.pdf"),
                ),
                False,
            ),
        ],
    }


# One completed project in three of the directory keeps no result: overdue.
DIRECTORY_KEEPS_OVERDUE = 3


@transaction.atomic
def load_results(*, owner, reviewer) -> None:
    """Idempotent: a project that has results already is left as it is."""
    for title, declared in team_results().items():
        project = Project.objects.filter(title=title, team__user=owner).first()
        if project is None or project.outputs.exists():
            continue
        for result, published in declared:
            result = results.result_declare(project=project, actor=owner, result=result)
            if published:
                results.review(item=result, actor=reviewer, publish=True)
    _directory_results(reviewer)


def _directory_results(reviewer) -> None:
    """The directory's projects have no team to declare: their results are recorded as
    published, as an import from the earlier register would."""
    completed = Project.objects.filter(status=Status.COMPLETED, team__isnull=True).order_by(
        "completed_on", "pk"
    )
    for index, project in enumerate(completed):
        if index % DIRECTORY_KEEPS_OVERDUE == DIRECTORY_KEEPS_OVERDUE - 1:
            continue
        if project.outputs.exists():
            continue
        published_on = (project.completed_on or date(2024, 1, 1)) + relativedelta(years=1)
        Result.objects.create(
            project=project,
            kind=Result.Kind.PUBLICATION,
            title=f"Résultats de l'étude « {project.title} »",
            doi=f"10.5281/zenodo.{7_000_000 + project.pk}",
            venue="Revue d'épidémiologie et de santé publique",
            year=published_on.year,
            state=ReviewState.PUBLISHED,
            reviewed_by=reviewer,
            reviewed_at=datetime.combine(published_on, time(10), tzinfo=clocks.hub_timezone()),
        )
        Project.objects.filter(pk=project.pk).update(results_published_on=published_on)
    services.public_data_changed()
