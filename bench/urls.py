"""The portal's URLs plus `bench/minimal/`, the yardstick for the directory's throughput.

The minimal view is the simplest honest paginated list of the same table: one
COUNT(*), one page of twenty rows, a tiny template. It is not in the production
URLconf.
"""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from portal.urls import urlpatterns as portal_patterns
from projects.models import Project

TEMPLATE = engines["django"].from_string(
    "<!doctype html><title>Projects</title><ul>"
    "{% for project in page %}<li>{{ project.reference }} {{ project.title }}</li>{% endfor %}"
    "</ul><p>Page {{ page.number }} of {{ page.paginator.num_pages }}</p>"
)


def minimal(request):
    page = Paginator(Project.objects.order_by("-id"), 20).get_page(request.GET.get("page"))
    return HttpResponse(TEMPLATE.render({"page": page}, request))


urlpatterns = [*portal_patterns, path("bench/minimal/", minimal, name="bench-minimal")]
