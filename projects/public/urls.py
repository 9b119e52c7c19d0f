"""The public directory of projects under /projects/ (namespace "projects"), the
yearly statistics and processing times under /stats/, and the open library of
algorithms under /algorithms/ (namespace "algorithms"), mounted by the root URLs."""

from django.urls import path

from projects.public import algorithms, exports, views

app_name = "projects"
urlpatterns = [
    path("", views.project_directory, name="directory"),
    path("export.csv", exports.export_csv, name="export-csv"),
    path("export.json", exports.export_json, name="export-json"),
    path("feed/", exports.LatestProjectsFeed(), name="feed"),
    path("<str:reference>/", views.project_public, name="public"),
    path(
        "<str:reference>/results/<int:result_id>/report.pdf",
        views.result_file,
        name="result-file",
    ),
]

statistics_patterns = [
    path("", views.stats, name="stats"),
    # Before the yearly routes, so that no route standing for a year may capture them.
    path("processing/", views.stats_processing, name="stats-processing"),
    path("processing.json", views.stats_processing_json, name="stats-processing-json"),
    path("<int:year>/", views.stats, name="stats-year"),
    path("<int:year>.json", views.stats_json, name="stats-json"),
]

algorithm_patterns = (
    [
        path("", algorithms.algorithm_list, name="list"),
        path("<slug:slug>/", algorithms.algorithm_detail, name="detail"),
        # A version may hold any character a name may (even a slash): the rest of the path.
        path("<slug:slug>/versions/<path:version>/", algorithms.algorithm_version, name="version"),
    ],
    "algorithms",
)
