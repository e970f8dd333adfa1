from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsibilityConfig(AppConfig):
    name = "responsibility"
    verbose_name = _("Responsibility")

    def ready(self):
        from celery.signals import worker_ready

        from workflow.review import version_published

        from . import checks  # noqa: F401  (registers the deploy check of SITE_URL)
        from .receivers import on_version_published, on_worker_ready

        version_published.connect(on_version_published, dispatch_uid="responsibility.disclosure")
        worker_ready.connect(on_worker_ready, dispatch_uid="responsibility.subsetter")
