from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        # Django's and axes' authentication signals are the only way to see logins, failures
        # and lockouts, so the audit trail listens to them here.
        from . import receivers  # noqa: F401
