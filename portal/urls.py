from django.contrib import admin
from django.urls import include, path

from portal import mfa, views
from projects.holder.urls import holder_patterns
from projects.public.urls import algorithm_patterns, statistics_patterns
from projects.sponsor.urls import organisation_patterns, sponsor_patterns

admin.site.site_header = admin.site.site_title = "Health Data Hub"

handler500 = "portal.errors.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("stats/", include(statistics_patterns)),
    path("privacy/", views.privacy, name="privacy"),
    path("terms/", views.terms, name="terms"),
    path("legal/", views.legal, name="legal"),
    path("accessibility/", views.accessibility, name="accessibility"),
    # Browsers and bots ask for it without reading the page's <link rel="icon">.
    path("favicon.ico", views.favicon),
    path("catalog/", include("catalog.urls")),
    path("projects/", include("projects.public.urls")),
    path("algorithms/", include(algorithm_patterns)),
    path("api/v1/", include("projects.api.urls")),
    path("my/organisations/", include(organisation_patterns)),
    path("my/", include(sponsor_patterns)),
    path("holder/", include(holder_patterns)),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before the admin's own URLs: its sign-in form would skip the second factor.
    path("admin/login/", mfa.admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
]
