from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BasisConfig(AppConfig):
    name = "basis"
    verbose_name = _("Enforcement basis")

    def ready(self):
        from organisations.signals import organisation_reformed

        from .receivers import on_organisation_reformed

        organisation_reformed.connect(on_organisation_reformed, dispatch_uid="basis.reform")

        from notifications.registry import register

        from .reminders import catalogue_deadlines

        register("basis.catalogue", catalogue_deadlines)
