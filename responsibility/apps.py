from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsibilityConfig(AppConfig):
    name = "responsibility"
    verbose_name = _("Responsibility")

    def ready(self):
        from workflow.review import version_published

        from .receivers import on_version_published

        version_published.connect(on_version_published, dispatch_uid="responsibility.disclosure")
