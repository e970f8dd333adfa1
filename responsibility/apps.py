from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsibilityConfig(AppConfig):
    name = "responsibility"
    verbose_name = _("Responsibility")

    def ready(self):
        from celery.signals import worker_ready

        from basis.signals import compilation_links, instrument_amended
        from organisations.signals import organisation_reformed
        from workflow.review import version_published

        from . import checks  # noqa: F401  (registers the deploy check of SITE_URL)
        from .receivers import (
            on_compilation_links,
            on_instrument_amended,
            on_organisation_reformed,
            on_version_published,
            on_worker_ready,
        )

        version_published.connect(on_version_published, dispatch_uid="responsibility.disclosure")
        instrument_amended.connect(on_instrument_amended, dispatch_uid="responsibility.amendment")
        organisation_reformed.connect(on_organisation_reformed, dispatch_uid="responsibility.reform")
        compilation_links.connect(on_compilation_links, dispatch_uid="responsibility.compilation_links")
        worker_ready.connect(on_worker_ready, dispatch_uid="responsibility.subsetter")
