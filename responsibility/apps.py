from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsibilityConfig(AppConfig):
    name = "responsibility"
    verbose_name = _("Responsibility")

    def ready(self):
        from workflow.review import version_published

        from basis.signals import compilation_links

        from .receivers import on_compilation_links, on_version_published

        version_published.connect(on_version_published, dispatch_uid="responsibility.disclosure")
        compilation_links.connect(on_compilation_links, dispatch_uid="responsibility.compilation_links")
