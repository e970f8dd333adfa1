from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RolloutConfig(AppConfig):
    name = "rollout"
    verbose_name = _("Rollout")

    def ready(self):
        from notifications.registry import register

        from .campaigns_reminders import open_deadlines

        register("rollout.deliverables", open_deadlines)
