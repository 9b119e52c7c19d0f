from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        # The admin names every app in the staff's language: two libraries name theirs
        # in English only (or with an acronym).
        from django.apps import apps

        apps.get_app_config("django_tasks_database").verbose_name = _("Background tasks")
        apps.get_app_config("mfa").verbose_name = _("Two-factor authentication")
