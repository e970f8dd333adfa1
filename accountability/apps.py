from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    name = "accountability"
    verbose_name = _("Accountability")

    def ready(self):
        from appraisal.signals import round_finalised
        from notifications.registry import register

        from . import receivers
        from .reminders import due_items

        register("accountability.cases", due_items)
        round_finalised.connect(receivers.round_finalised, dispatch_uid="accountability.round_finalised")
