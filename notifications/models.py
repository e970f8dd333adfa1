"""The in-app notification list, and the reminder log that makes each reminder happen once.

A reminder is one row of ``Reminder``, unique per (deadline key, recipient, kind): the sweep
inserts with ON CONFLICT DO NOTHING, so whichever sweep inserts the row first owns the reminder
and every other sweep — running at the same time, retried, or re-run after a crash — finds the
row there and sends nothing. The notification and the mail job are written in the same
transaction as the row: all three exist, or none.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReminderKind(models.TextChoices):
    BEFORE = "before", _("Deadline approaching")
    OVERDUE = "overdue", _("Overdue")


class MailStatus(models.TextChoices):
    PENDING = "pending", _("To send")
    # Claimed by a mail job, which commits the claim before it sends: a job retried or delivered
    # twice finds the claim and does not send again.
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    # No address, or no longer active when the job ran: the in-app notification alone.
    NONE = "none", _("No e-mail")


class Reminder(models.Model):
    key = models.CharField(_("deadline"), max_length=255)
    # No database constraint and no index of its own: the sweep writes up to hundreds of thousands
    # of rows at once, and a foreign-key check per row (a lock on the user's row) would double its
    # time. The recipients are read from the user table in the same transaction; accounts are
    # deactivated, not deleted, and Django still cascades a deletion.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+",
        db_constraint=False, db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices)
    due_at = models.DateTimeField(_("due at"))
    provider = models.CharField(_("provider"), max_length=64, blank=True)
    # An id, not a foreign key: the foundation knows no organisation model's rules of deletion.
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True)
    # The sweep that inserted the row. Off PostgreSQL the sweep reads back its own rows by this:
    # exactly the reminders it won (a conflicting insert leaves the other sweep's row untouched).
    sweep = models.UUIDField(_("sweep"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    mail_status = models.CharField(_("e-mail"), max_length=8, choices=MailStatus.choices, default=MailStatus.PENDING)
    mailed_at = models.DateTimeField(_("mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["key", "recipient", "kind"], name="reminder_once_per_recipient_and_kind"),
        ]
        indexes = [
            # The mail job's question (what is still to send, oldest first), and the sweep's check
            # for mails left behind; small, as mails leave it within minutes.
            models.Index(fields=["created_at", "id"], condition=Q(mail_status="pending"), name="reminder_mail_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.recipient_id} ({self.kind})"


class NotificationKind(models.TextChoices):
    BEFORE = ReminderKind.BEFORE.value, ReminderKind.BEFORE.label
    OVERDUE = ReminderKind.OVERDUE.value, ReminderKind.OVERDUE.label


class Notification(models.Model):
    # Indexed by the list's index, which starts with it.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # No database constraint, for the same reason as the reminder's recipient: written in the same
    # statement as its reminder, from that statement's own rows.
    reminder = models.OneToOneField(
        Reminder, verbose_name=_("reminder"), on_delete=models.CASCADE, null=True, blank=True, related_name="notification",
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The list, newest first.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_list_idx"),
            # The header's count: an index of the unread rows alone, which stays small.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
