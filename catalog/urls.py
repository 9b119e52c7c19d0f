from django.urls import path

from catalog import dcat, views

app_name = "catalog"
urlpatterns = [
    path("", views.base_list, name="base-list"),
    path("dcat.jsonld", dcat.catalog_jsonld, name="dcat"),
    path("<slug:slug>/", views.base_detail, name="base-detail"),
]
