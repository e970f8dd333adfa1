from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuthorityConfig(AppConfig):
    name = "authority"
    verbose_name = _("Authority breakdown")

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from basis.models import BasisCatalogue, CatalogueEntry, LegalInstrument, Provision
        from organisations.models import Organisation

        from basis.signals import instrument_amended
        from organisations.signals import organisation_reformed

        from . import models
        from .receivers import on_instrument_amended, on_organisation_reformed
        from .selectors import findings_changed

        instrument_amended.connect(on_instrument_amended, dispatch_uid="authority.amendment")
        organisation_reformed.connect(on_organisation_reformed, dispatch_uid="authority.reform")

        from notifications.registry import register

        from .reminders import certificate_expiries

        register("authority.certificate", certificate_expiries)

        # What the completeness findings read (selectors.findings_for): a change to any of it
        # moves the cached findings' generation.
        for model in (
            models.Breakdown, models.PowerItem, models.PostAssignment, models.Post, models.Officer,
            models.OfficerPost, models.Certificate, models.TrainingRecord, LegalInstrument, Provision, Organisation,
            # Coverage from law to power: the steps, and the published catalogue (a version is
            # published by saving it; its entries no longer change).
            models.ProcedureStep, BasisCatalogue, CatalogueEntry,
        ):
            post_save.connect(findings_changed, sender=model, dispatch_uid=f"authority.findings.save.{model.__name__}")
            post_delete.connect(findings_changed, sender=model, dispatch_uid=f"authority.findings.delete.{model.__name__}")
        for through in (
            models.PowerItem.provisions.through, models.Certificate.kinds.through,
            models.TrainingRecord.posts.through, models.TrainingRecord.kinds.through,
        ):
            m2m_changed.connect(findings_changed, sender=through, dispatch_uid=f"authority.findings.m2m.{through.__name__}")
