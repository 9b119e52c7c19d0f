from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from catalog.filters import BaseFilter
from catalog.models import Base, Milestone


def base_list(request):
    bases = Base.objects.with_holder().prefetch_related("milestones")
    filterset = BaseFilter(request.GET or None, queryset=bases)
    return render(
        request,
        "catalog/base_list.html",
        {
            "filter": filterset,
            "bases": filterset.qs,
            "total": Base.objects.count(),
            "milestone_counts": Milestone.objects.summary(),
        },
    )


def base_detail(request, slug: str):
    base = get_object_or_404(
        Base.objects.with_holder().prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("reached_on"))
        ),
        slug=slug,
    )
    return render(request, "catalog/base_detail.html", {"base": base})
