from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    name = "accountability"
    verbose_name = _("Accountability")

    def ready(self):
        from notifications.registry import register

        from .reminders import due_items

        register("accountability.cases", due_items)
