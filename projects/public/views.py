"""The public side of projects: the directory and each project's public page."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from projects import directory
from projects.filters import PUBLIC_STATES, ProjectFilter
from projects.models import Project

PAGE_SIZE = 20


# The same URL gives the whole page or, to htmx, the fragment (hx-push-url puts the
# fragment's URL in the history): without Vary, going back to it from another page
# could show the fragment from the browser's cache, bare, without the layout.
@vary_on_headers("HX-Request")
def project_directory(request):
    version = directory.data_version()
    filterset = ProjectFilter(request.GET, queryset=Project.objects.public())
    if filterset.form.errors:
        messages.warning(request, _("Some filters were not understood and are ignored."))
    filtered = filterset.qs
    counts = directory.facets(filtered, params=request.GET, version=version)
    _label_choices(filterset.form, counts)

    paginator = Paginator(directory.page_rows(filterset.ordered(filtered)), PAGE_SIZE)
    paginator.count = counts["total"]  # known from the facets: no second COUNT(*)
    page_number = request.GET.get("page") or 1
    page = paginator.get_page(page_number)
    if str(page.number) != str(page_number):
        messages.info(
            request,
            _("There is no page %(asked)s: here is page %(page)s of %(pages)s.")
            % {"asked": page_number, "page": page.number, "pages": paginator.num_pages},
        )
    context = {
        "version": version,
        "filter": filterset,
        "page": page,
        "total": counts["total"],
        "sponsors": counts["sponsor"],
        "query_without_page": _without(request.GET, "page"),
    }
    template = "projects/directory.html"
    if request.htmx:
        template += "#directory"
    return render(request, template, context)


def _label_choices(form, counts: dict) -> None:
    """Each facet's values, with how many projects each would give."""

    def label(name, n):
        return f"{name} ({n})"

    chosen_bases = form.data.getlist("base")
    form.fields["theme"].choices = [(slug, label(name, n)) for slug, name, n in counts["theme"]]
    form.fields["base"].choices = [
        (slug, label(acronym, n))
        for slug, acronym, n in counts["base"]
        if n or slug in chosen_bases
    ]
    form.fields["programme"].widget.choices = [("", _("Any programme"))] + [
        (slug, label(name, n)) for slug, name, n in counts["programme"]
    ]
    form.fields["status"].choices = [("", _("Any status"))] + [
        (value, label(name, counts["status"].get(value, 0))) for value, name in PUBLIC_STATES
    ]
    form.fields["year"].widget.choices = [("", _("Any year"))] + [
        (year, label(year, n)) for year, n in counts["year"].items() if year
    ]


def _without(params, key: str) -> str:
    copy = params.copy()
    copy.pop(key, None)
    return copy.urlencode()


def project_public(request, reference: str):
    project = get_object_or_404(
        directory.page_rows(Project.objects.public()).select_related("opinion", "authorisation"),
        reference=reference,
    )
    events = project.events.filter(visibility="public").order_by("at", "pk")
    return render(request, "projects/project_public.html", {"project": project, "events": events})
