from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Public portal")

    def ready(self):
        from django.db.models.signals import post_save

        from authority.models import Certificate
        from workflow.review import version_published

        from .receivers import on_certificate_saved, on_version_published

        version_published.connect(on_version_published, dispatch_uid="portal.open_data.published")
        post_save.connect(on_certificate_saved, sender=Certificate, dispatch_uid="portal.open_data.certificate")
