"""The data holders' pages, mounted under /holder/ with the namespace "holder"."""

from django.urls import path

from projects.holder import views

holder_patterns = (
    [
        path("", views.request_list, name="requests"),
        path("requests/<int:pk>/", views.request_detail, name="request"),
        path("requests/<int:pk>/decide/", views.request_decide, name="decide"),
        path("requests/<int:pk>/deliver/", views.request_deliver, name="deliver"),
        path("members/", views.members, name="members"),
        path("bases/<slug:slug>/", views.base_proposal, name="base"),
        path("<int:pk>/invite/", views.invite, name="invite"),
        path("join/<str:token>/", views.join, name="join"),
    ],
    "holder",
)
