"""The root URLs. The pages people read are French at their plain address and
English under /en/ (`i18n_patterns`, the default language unprefixed); what a
machine or the hub's staff read stays at one address, in French: the open API
(JSON, the same in both languages), the admin, the health check, the language
switch of Django and the favicon."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from portal import mfa, views
from projects.holder.urls import holder_patterns
from projects.public.urls import algorithm_patterns, statistics_patterns
from projects.sponsor.urls import organisation_patterns, sponsor_patterns

admin.site.site_header = admin.site.site_title = "Health Data Hub"

handler500 = "portal.errors.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Browsers and bots ask for it without reading the page's <link rel="icon">.
    path("favicon.ico", views.favicon),
    path("api/v1/", include("projects.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before the admin's own URLs: its sign-in form would skip the second factor.
    path("admin/login/", mfa.admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    *i18n_patterns(
        path("", views.home, name="home"),
        path("stats/", include(statistics_patterns)),
        path("privacy/", views.privacy, name="privacy"),
        path("terms/", views.terms, name="terms"),
        path("legal/", views.legal, name="legal"),
        path("accessibility/", views.accessibility, name="accessibility"),
        path("catalog/", include("catalog.urls")),
        path("projects/", include("projects.public.urls")),
        path("algorithms/", include(algorithm_patterns)),
        path("my/organisations/", include(organisation_patterns)),
        path("my/", include(sponsor_patterns)),
        path("holder/", include(holder_patterns)),
        path("accounts/", include("allauth.urls")),
        prefix_default_language=False,
    ),
]
