"""The team's results: declaring publications, reports, datasets, code and algorithm
cards for the hub to review (`projects.results`), and reading a declared report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from projects import results, selectors
from projects.models import Algorithm, Project, Result
from projects.sponsor.forms import AlgorithmVersionForm, ResultForm


def _project_for_declaring(request, pk: int) -> Project | None:
    """The team's project, if results may be declared on it now (a 404 for anyone
    off the team; a message and None when its state does not allow it)."""
    project = get_object_or_404(Project.objects.for_member(request.user), pk=pk)
    if not results.may_declare(project=project, user=request.user):
        messages.info(
            request, _("Results are declared once the project is in progress or completed.")
        )
        return None
    return project


@login_required
def result_new(request, pk: int):
    project = _project_for_declaring(request, pk)
    if project is None:
        return redirect("my:project", pk=pk)
    form = ResultForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            results.result_declare(project=project, actor=request.user, result=form.instance)
        except results.ResultsError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("Result declared: the hub reviews it before it is made public.")
            )
            return redirect(f"{project.get_absolute_url()}#results")
    return render(request, "projects/result_form.html", {"project": project, "form": form})


@login_required
def algorithm_new(request, pk: int, slug: str = ""):
    """A new algorithm card, or (with `slug`) a new version of one, prefilled from its
    latest version."""
    project = _project_for_declaring(request, pk)
    if project is None:
        return redirect("my:project", pk=pk)
    algorithm = get_object_or_404(Algorithm, project=project, slug=slug) if slug else None
    latest = algorithm.versions.order_by("-declared_at").first() if algorithm else None
    initial = {}
    if latest is not None:
        initial = {field: getattr(latest, field) for field in AlgorithmVersionForm.Meta.fields}
        initial["bases"] = list(latest.bases.all())
        initial["version"] = ""
    form = AlgorithmVersionForm(request.POST or None, initial=initial, new=algorithm is None)
    if request.method == "POST" and form.is_valid():
        bases = form.cleaned_data["bases"]
        try:
            if algorithm is None:
                results.algorithm_declare(
                    project=project,
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    version=form.instance,
                    bases=bases,
                )
            else:
                results.algorithm_version_declare(
                    algorithm=algorithm, actor=request.user, version=form.instance, bases=bases
                )
        except results.ResultsError as error:
            form.add_error("version", str(error))
        else:
            messages.success(
                request, _("Algorithm declared: the hub reviews it before the library shows it.")
            )
            return redirect(f"{project.get_absolute_url()}#results")
    return render(
        request,
        "projects/algorithm_form.html",
        {"project": project, "form": form, "algorithm": algorithm},
    )


@login_required
@cache_control(private=True, no_store=True)
def result_file(request, pk: int, result_id: int):
    """A declared report, for its team and the hub's reviewers, published or not."""
    project = get_object_or_404(selectors.projects_readable_by(request.user), pk=pk)
    result = get_object_or_404(Result, project=project, pk=result_id)
    return results.report_response(result)
