"""The sponsor's pages: their applications under /my/ (namespace "my") and their
organisations under /my/organisations/ (namespace "organisations")."""

from django.urls import path

from projects.sponsor import organisations, results
from projects.sponsor import views as sponsor

# The sponsor's private pages, mounted under /my/ with the namespace "my".
sponsor_patterns = (
    [
        path("", sponsor.my_projects, name="projects"),
        path("projects/new/", sponsor.project_new, name="project-new"),
        path("projects/base-row/", sponsor.base_row, name="base-row"),
        path("projects/<int:pk>/", sponsor.project_detail, name="project"),
        path("projects/<int:pk>/edit/", sponsor.project_edit, name="project-edit"),
        path("projects/<int:pk>/withdraw/", sponsor.project_withdraw, name="project-withdraw"),
        path("projects/<int:pk>/messages/", sponsor.message_post, name="message"),
        path("projects/<int:pk>/copy/", sponsor.project_duplicate, name="project-duplicate"),
        path("projects/<int:pk>/team/", sponsor.invitation_send, name="invite"),
        path("projects/<int:pk>/versions/<int:number>/", sponsor.version_detail, name="version"),
        path(
            "projects/<int:pk>/versions/<int:number>/pdf/",
            sponsor.version_pdf,
            name="version-pdf",
        ),
        path("projects/<int:pk>/pdf/", sponsor.project_pdf, name="project-pdf"),
        path("projects/<int:pk>/compare/", sponsor.version_compare, name="version-compare"),
        path(
            "projects/<int:pk>/attachments/<int:attachment_id>/",
            sponsor.attachment_download,
            name="attachment",
        ),
        path(
            "projects/<int:pk>/attachments/<int:attachment_id>/delete/",
            sponsor.attachment_delete,
            name="attachment-delete",
        ),
        path(
            "projects/<int:pk>/statistics/<int:delivery_id>/",
            sponsor.delivery_download,
            name="delivery",
        ),
        path("projects/<int:pk>/results/new/", results.result_new, name="result-new"),
        path(
            "projects/<int:pk>/results/<int:result_id>/report.pdf",
            results.result_file,
            name="result-file",
        ),
        path("projects/<int:pk>/algorithms/new/", results.algorithm_new, name="algorithm-new"),
        path(
            "projects/<int:pk>/algorithms/<slug:slug>/versions/new/",
            results.algorithm_new,
            name="algorithm-version-new",
        ),
        path("invitations/<str:token>/", sponsor.invitation_accept, name="invitation"),
    ],
    "my",
)

# The sponsor's organisations, mounted under /my/organisations/ with the namespace
# "organisations".
organisation_patterns = (
    [
        path("", organisations.organisation_list, name="list"),
        path("<int:pk>/invite/", organisations.organisation_invite, name="invite"),
        path("join/<str:token>/", organisations.organisation_join, name="join"),
    ],
    "organisations",
)
