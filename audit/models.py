"""The append-only event log: logins, failed logins, lockouts, permission denials, writes,
state transitions, imports and exports. Field-level history of domain records is kept by
django-simple-history on each model; this log says who did what, from where, with what outcome.

Rows are never changed: the model refuses to save an existing row and to delete through the
ORM, and on PostgreSQL a trigger refuses UPDATE, and DELETE of rows younger than 180 days.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Login")
    LOGOUT = "logout", _("Logout")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKOUT = "lockout", _("Lockout")
    UNLOCK = "unlock", _("Unlock")
    PASSWORD_CHANGE = "password_change", _("Password change")
    PERMISSION_DENIED = "permission_denied", _("Permission denied")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    TRANSITION = "transition", _("State transition")
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    DENIED = "denied", _("Denied")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit events are append-only.")

    def delete(self):
        raise PermissionError("Audit events are deleted only by the retention job.")

    def _purge(self):
        """Used by audit.services.events_purge_expired alone, which filters by age first."""
        return models.QuerySet.delete(self)


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept as text too: the log must read the same if an account is renamed.
    actor_username = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=24, choices=AuditAction.choices, db_index=True)
    outcome = models.CharField(
        _("outcome"), max_length=8, choices=AuditOutcome.choices, default=AuditOutcome.SUCCESS
    )
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    message = models.TextField(_("message"), blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)
    path = models.CharField(_("path"), max_length=255, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["actor_username", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Audit events are append-only.")
        # An unsaved instance given an existing id would otherwise become an UPDATE of that row.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are deleted only by the retention job.")
