"""The open data API, mounted at /api/v1/ by the root URLs (namespace "api")."""

from django.urls import path, re_path

from projects.api import views

app_name = "api"
urlpatterns = [
    path("projects/", views.ProjectList.as_view(), name="project-list"),
    path("projects/<str:reference>/", views.ProjectDetail.as_view(), name="project-detail"),
    path("bases/", views.BaseList.as_view(), name="base-list"),
    path("bases/<slug:slug>/", views.BaseDetail.as_view(), name="base-detail"),
    path("algorithms/", views.AlgorithmList.as_view(), name="algorithm-list"),
    path("algorithms/<slug:slug>/", views.AlgorithmDetail.as_view(), name="algorithm-detail"),
    path("stats/<int:year>/", views.YearStatistics.as_view(), name="stats-year"),
    path("processing-times/", views.ProcessingTimesView.as_view(), name="processing-times"),
    path("openapi.json", views.Schema.as_view(), name="schema"),
    path("docs/", views.docs, name="docs"),
    re_path(r"^(?P<path>[\s\S]*)$", views.not_found),
]
