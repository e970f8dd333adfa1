"""The transactional outbox: a background job asked for inside a transaction is a row written in
that same transaction, so it exists exactly when the change that asked for it does. Sending it
to the broker comes after commit, and again from the relay until it succeeds (see services)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    # A Celery task by its registered name and JSON arguments: the outbox knows no app.
    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["pk"]
        indexes = [
            # The relay's only question: what is still unsent, oldest first.
            models.Index(fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="outbox_unsent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)} ({'sent' if self.sent_at else 'unsent'})"
