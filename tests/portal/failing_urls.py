"""The portal's URLs plus one view that fails, for the error-reporting tests."""

from django.urls import path

from portal.urls import handler500
from portal.urls import urlpatterns as portal_urlpatterns


def fail(request):
    raise RuntimeError("boom: a bug in a view")


urlpatterns = [path("test-failure/", fail), *portal_urlpatterns]

__all__ = ["handler500", "urlpatterns"]
