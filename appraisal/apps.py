from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "appraisal"
    verbose_name = _("Appraisal")

    def ready(self):
        # Sources other chapters feed, registered beside the appraisal's own (indicators.py).
        from . import indicators_rollout  # noqa: F401
