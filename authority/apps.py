from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuthorityConfig(AppConfig):
    name = "authority"
    verbose_name = _("Authority breakdown")

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from basis.models import LegalInstrument, Provision
        from organisations.models import Organisation

        from . import models
        from .selectors import findings_changed

        # What the completeness findings read (selectors.findings_for): a change to any of it
        # moves the cached findings' generation.
        for model in (
            models.Breakdown, models.PowerItem, models.PostAssignment, models.ProcedureStep, models.Post, models.Officer,
            models.OfficerPost, models.Certificate, LegalInstrument, Provision, Organisation,
        ):
            post_save.connect(findings_changed, sender=model, dispatch_uid=f"authority.findings.save.{model.__name__}")
            post_delete.connect(findings_changed, sender=model, dispatch_uid=f"authority.findings.delete.{model.__name__}")
        for through in (models.PowerItem.provisions.through, models.Certificate.kinds.through):
            m2m_changed.connect(findings_changed, sender=through, dispatch_uid=f"authority.findings.m2m.{through.__name__}")
