"""The public directory of projects under /projects/ (namespace "projects"), and the
yearly statistics under /stats/, mounted by the root URLs."""

from django.urls import path

from projects.public import exports, views

app_name = "projects"
urlpatterns = [
    path("", views.project_directory, name="directory"),
    path("export.csv", exports.export_csv, name="export-csv"),
    path("export.json", exports.export_json, name="export-json"),
    path("feed/", exports.LatestProjectsFeed(), name="feed"),
    path("<str:reference>/", views.project_public, name="public"),
]

statistics_patterns = [
    path("", views.stats, name="stats"),
    path("<int:year>/", views.stats, name="stats-year"),
    path("<int:year>.json", views.stats_json, name="stats-json"),
]
