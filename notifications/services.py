"""The reminder sweep, the reminder mails, and marking notifications read.

The sweep (``reminders_sweep``), run hourly by beat (``notifications.tasks.sweep``) or by
``manage.py send_reminders`` from cron:

1. asks every registered provider (``notifications.registry``) for its open deadlines;
2. decides, for each, which reminder is due at ``now``: *before* from local midnight (Asia/Shanghai,
   ``settings.TIME_ZONE``) of the day ``REMINDER_DAYS_BEFORE`` days before the due day until the
   deadline; *overdue* from the deadline on;
3. in ONE transaction: inserts one ``Reminder`` per (key, recipient, kind) with ON CONFLICT DO
   NOTHING, takes the rows this sweep inserted (the reminders it won: RETURNING on PostgreSQL,
   read back by the sweep's id elsewhere), writes their notifications, asks for one mail job
   through the outbox, and records one audit event.

Never twice: the unique constraint decides. A concurrent sweep blocks on the rows the first one
is inserting and, once that commits, finds them there; a sweep that dies half-way rolls back as a
whole (rows, notifications, mail job and event together), so its re-run sends each reminder once.
On PostgreSQL the sweep runs in a constant number of queries whatever the number of deadlines (one
statement writes the reminders and the notifications); elsewhere its inserts go by batches.
A provider that fails, or yields a deadline the log cannot hold, is left out of that sweep (its
deadlines go out at the next one) and named in the audit event; the others' reminders go out.
"""

import datetime
import json
import logging
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext

from audit.models import AuditAction, AuditOutcome
from audit.services import event_record
from outbox.services import message_enqueue

from . import registry
from .models import MailStatus, Notification, Reminder, ReminderKind

logger = logging.getLogger(__name__)

MAIL_TASK = "notifications.tasks.mail_reminders"
# Rows the generic (non-PostgreSQL) path writes per INSERT: SQLite allows 999 variables a query.
BATCH = 100
# A mail still unsent this long after its sweep (the SMTP server refused it through all the job's
# retries) is asked for again by the next sweep.
MAIL_STALE_AFTER = datetime.timedelta(hours=1)
# How many mails the job claims, sends and marks at a time.
MAIL_CHUNK = 100


# -- Timing -----------------------------------------------------------------------------------


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())


def reminder_kind_at(due_at: datetime.datetime, now: datetime.datetime, days_before: int) -> str | None:
    """The reminder due at ``now`` for a deadline at ``due_at``, or None. Days are calendar days
    in ``settings.TIME_ZONE``: with 3 days, a deadline on the 15th (any hour) is reminded from
    00:00 on the 12th."""
    if now >= due_at:
        return ReminderKind.OVERDUE
    due_day = timezone.localtime(due_at, timezone.get_default_timezone()).date()
    if now >= _local_midnight(due_day - datetime.timedelta(days=days_before)):
        return ReminderKind.BEFORE
    return None


# -- The sweep --------------------------------------------------------------------------------


@dataclass
class SweepSummary:
    sweep: str
    now: datetime.datetime
    deadlines: dict[str, int] = field(default_factory=dict)  # open deadlines by provider
    before: int = 0
    overdue: int = 0
    mailed: int = 0  # reminders with an e-mail asked for
    in_app_only: int = 0  # recipients without an address
    failed_providers: list[str] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return self.before + self.overdue

    def as_detail(self) -> dict:
        return {
            "sweep": self.sweep, "now": self.now.isoformat(), "deadlines": self.deadlines,
            "before": self.before, "overdue": self.overdue, "mailed": self.mailed,
            "in_app_only": self.in_app_only, "failed_providers": self.failed_providers,
        }


class _Texts:
    """The notification's title and text, in the official language, formatted once per distinct
    deadline moment and day count (a hundred thousand deadlines share few of either)."""

    def __init__(self, now: datetime.datetime):
        self.today = timezone.localtime(now, timezone.get_default_timezone()).date()
        self._when: dict[datetime.datetime, tuple[str, int]] = {}
        self.overdue_title = _("%(what)s: overdue")
        self.due_today = _("%(what)s: due today")
        self.before_body = _("%(what)s is due by %(when)s (Beijing time).")
        self.overdue_body = _("%(what)s was due by %(when)s (Beijing time) and has not been delivered.")
        self._in_days: dict[int, str] = {}

    def _moment(self, due_at: datetime.datetime) -> tuple[str, int]:
        known = self._when.get(due_at)
        if known is None:
            local = timezone.localtime(due_at, timezone.get_default_timezone())
            known = self._when[due_at] = (formats.date_format(local, "DATETIME_FORMAT"), (local.date() - self.today).days)
        return known

    def render(self, due: registry.Due, kind: str) -> tuple[str, str]:
        when, days = self._moment(due.due_at)
        what = str(due.what)
        if kind == ReminderKind.OVERDUE:
            return (self.overdue_title % {"what": what})[:255], self.overdue_body % {"what": what, "when": when}
        if days <= 0:
            title = self.due_today % {"what": what}
        else:
            if days not in self._in_days:
                self._in_days[days] = ngettext("%(what)s: due in %(days)d day", "%(what)s: due in %(days)d days", days)
            title = self._in_days[days] % {"what": what, "days": days}
        return title[:255], self.before_body % {"what": what, "when": when}


@dataclass
class _Batch:
    """What one sweep writes: the deadlines due for a reminder (one kind each, at a given moment)
    and the (deadline, recipient) pairs, the deadline by its index in ``dues``."""

    dues: list[tuple[str, registry.Due, str]] = field(default_factory=list)  # (provider, due, kind)
    pairs: list[tuple[int, int]] = field(default_factory=list)  # (index in dues, recipient id)


def _collect(now: datetime.datetime, summary: SweepSummary) -> _Batch:
    days = registry.days_before()
    kinds: dict[datetime.datetime, str | None] = {}  # deadlines share their moments
    batch, seen = _Batch(), set()
    for name, provider in sorted(registry.providers().items()):
        dues, pairs, count = [], [], 0
        try:
            for due in provider(now):
                count += 1
                if len(due.key) > Reminder._meta.get_field("key").max_length:
                    raise ValueError(f"deadline key longer than 255 characters: {due.key[:80]}…")
                kind = kinds.get(due.due_at, "")
                if kind == "":
                    kind = kinds[due.due_at] = reminder_kind_at(due.due_at, now, days)
                if kind is None or not due.recipients or due.key in seen:
                    continue
                seen.add(due.key)
                index = len(batch.dues) + len(dues)
                dues.append((name, due, kind))
                pairs.extend((index, recipient) for recipient in set(due.recipients))
        except Exception:  # noqa: BLE001 - one broken chapter must not stop every other reminder
            # What it yielded before failing is dropped: a provider's deadlines go out together.
            logger.exception("reminder provider %s failed", name)
            summary.failed_providers.append(name)
            seen.difference_update(due.key for _, due, _ in dues)
            continue
        batch.dues.extend(dues)
        batch.pairs.extend(pairs)
        summary.deadlines[name] = count
    return batch


def _recipients(ids: set[int]) -> dict[int, str]:
    """Active recipients and their address ("" for none). Inactive users get nothing."""
    if not ids:
        return {}
    users = get_user_model().objects.filter(is_active=True)
    # A long IN list costs more to build than reading every account (a few thousand rows).
    if len(ids) <= 500:
        users = users.filter(pk__in=ids)
    users = users.values_list("pk", "email")
    return {pk: (email or "").strip() for pk, email in users if pk in ids}


# Reminders and their notifications in one statement: the rows this sweep inserted (RETURNING)
# are exactly the reminders it won, and only those get a notification. The deadlines and the pairs
# come as two JSON documents (one parameter each: the driver would otherwise build and the server
# parse an ARRAY[...] of hundreds of thousands of parameters). What is already on record is left
# out before the sort; the rest is inserted in key order, so that two sweeps wait for each other
# rather than deadlock, and ON CONFLICT settles the race between them.
_WRITE_SQL = """
WITH due AS (
    SELECT i, d->>0 AS key, (d->>1)::timestamptz AS due_at, d->>2 AS kind, d->>3 AS provider,
           (d->>4)::bigint AS organisation_id, d->>5 AS title, d->>6 AS body, d->>7 AS url
    FROM jsonb_array_elements(%(dues)s::jsonb) WITH ORDINALITY AS t(d, i)
), pair AS (
    SELECT (p->>0)::bigint AS i, (p->>1)::bigint AS recipient_id, p->>2 AS mail_status
    FROM jsonb_array_elements(%(pairs)s::jsonb) AS t(p)
), new AS (
    SELECT due.key, pair.recipient_id, due.kind, due.due_at, due.provider, due.organisation_id, pair.mail_status
    FROM pair JOIN due USING (i)
    WHERE NOT EXISTS (
        SELECT 1 FROM {reminder} r WHERE r.key = due.key AND r.recipient_id = pair.recipient_id AND r.kind = due.kind
    )
), won AS (
    INSERT INTO {reminder} (key, recipient_id, kind, due_at, provider, organisation_id, mail_status, sweep, created_at)
    SELECT key, recipient_id, kind, due_at, provider, organisation_id, mail_status, %(sweep)s, %(created_at)s
    FROM new
    ORDER BY key, recipient_id, kind
    ON CONFLICT DO NOTHING
    RETURNING id, key, recipient_id, kind, mail_status
), noted AS (
    INSERT INTO {notification} (recipient_id, kind, title, body, url, reminder_id, created_at)
    SELECT won.recipient_id, won.kind, due.title, due.body, due.url, won.id, %(created_at)s
    FROM won JOIN due USING (key)
)
SELECT kind, mail_status, count(*) FROM won GROUP BY kind, mail_status
"""


def _write_postgresql(batch: _Batch, texts: list[tuple[str, str]], statuses: list[str], token, created_at) -> list[tuple]:
    moments: dict[datetime.datetime, str] = {}
    dues = []
    for (provider, due, kind), (title, body) in zip(batch.dues, texts):
        moment = moments.get(due.due_at)
        if moment is None:
            moment = moments[due.due_at] = due.due_at.isoformat()
        dues.append((due.key, moment, kind, provider, due.organisation_id, title, body, due.url[:500]))
    # ORDINALITY counts from 1.
    pairs = [(i + 1, recipient, status) for (i, recipient), status in zip(batch.pairs, statuses)]
    params = {
        "dues": json.dumps(dues, ensure_ascii=False, separators=(",", ":")),
        "pairs": json.dumps(pairs, separators=(",", ":")),
        "sweep": token,
        "created_at": created_at,
    }
    sql = _WRITE_SQL.replace("{reminder}", Reminder._meta.db_table).replace("{notification}", Notification._meta.db_table)
    with connection.cursor() as cursor:
        # The joins and the key order sort a few hundred thousand rows: in memory, not on disk.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, params)
        return cursor.fetchall()


def _write_generic(batch: _Batch, texts: list[tuple[str, str]], statuses: list[str], token, created_at) -> list[tuple]:
    """The same through the ORM, by batches (SQLite allows 999 variables a query): insert what is
    not there yet, read back the rows this sweep inserted, write their notifications."""
    order = sorted(range(len(batch.pairs)), key=lambda n: (batch.dues[batch.pairs[n][0]][1].key, batch.pairs[n][1]))
    rows = []
    for n in order:
        i, recipient = batch.pairs[n]
        provider, due, kind = batch.dues[i]
        rows.append(Reminder(key=due.key, recipient_id=recipient, kind=kind, due_at=due.due_at, provider=provider,
                             organisation_id=due.organisation_id, mail_status=statuses[n], sweep=token, created_at=created_at))
    Reminder.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    index = {due.key: i for i, (_, due, _) in enumerate(batch.dues)}
    won = list(Reminder.objects.filter(sweep=token).values_list("id", "key", "recipient_id", "kind", "mail_status"))
    Notification.objects.bulk_create(
        [
            Notification(recipient_id=recipient, kind=kind, title=texts[index[key]][0], body=texts[index[key]][1],
                         url=batch.dues[index[key]][1].url[:500], reminder_id=pk, created_at=created_at)
            for pk, key, recipient, kind, _ in won
        ],
        batch_size=BATCH,
    )
    counts: dict[tuple[str, str], int] = {}
    for _, _, _, kind, status in won:
        counts[(kind, status)] = counts.get((kind, status), 0) + 1
    return [(kind, status, n) for (kind, status), n in counts.items()]


def reminders_sweep(*, now: datetime.datetime | None = None) -> SweepSummary:
    """Send the reminders due at ``now`` that no sweep has sent yet (see the module's text)."""
    # The texts (the providers' too) are in the official language, whoever runs the sweep.
    with translation.override(settings.LANGUAGE_CODE):
        return _sweep(now or timezone.now())


def _sweep(now: datetime.datetime) -> SweepSummary:
    token = uuid.uuid4()
    summary = SweepSummary(sweep=str(token), now=now)
    batch = _collect(now, summary)
    addresses = _recipients({recipient for _, recipient in batch.pairs})
    batch.pairs = [pair for pair in batch.pairs if pair[1] in addresses]
    statuses = [MailStatus.PENDING.value if addresses[r] else MailStatus.NONE.value for _, r in batch.pairs]
    render = _Texts(now).render
    texts = [render(due, kind) for _, due, kind in batch.dues] if batch.pairs else []
    created_at = timezone.now()
    write = _write_postgresql if connection.vendor == "postgresql" else _write_generic
    with transaction.atomic():
        for kind, status, n in write(batch, texts, statuses, token, created_at) if batch.pairs else []:
            if kind == ReminderKind.OVERDUE:
                summary.overdue += n
            else:
                summary.before += n
            if status == MailStatus.PENDING:
                summary.mailed += n
            else:
                summary.in_app_only += n
        if summary.mailed:
            message_enqueue(task=MAIL_TASK, kwargs={"sweep": summary.sweep})
        if Reminder.objects.filter(mail_status=MailStatus.PENDING, created_at__lt=created_at - MAIL_STALE_AFTER).exists():
            message_enqueue(task=MAIL_TASK, kwargs={})
        if summary.sent or summary.failed_providers:
            event_record(
                action=AuditAction.CREATE,
                outcome=AuditOutcome.FAILURE if summary.failed_providers else AuditOutcome.SUCCESS,
                username="reminders",
                message=gettext_lazy("Reminder sweep"),
                detail=summary.as_detail(),
            )
    return summary


# -- The mails ---------------------------------------------------------------------------------


def _claim(sweep: str | None, skip: set[int]) -> list[int]:
    """Mark up to MAIL_CHUNK pending reminders as being sent, and commit: a job retried or
    delivered twice finds them claimed. Rows another job holds are skipped, not waited for."""
    with transaction.atomic():
        pending = Reminder.objects.filter(mail_status=MailStatus.PENDING).exclude(pk__in=skip)
        if sweep:
            pending = pending.filter(sweep=sweep)
        ids = list(pending.order_by("created_at", "pk").select_for_update(skip_locked=True).values_list("pk", flat=True)[:MAIL_CHUNK])
        Reminder.objects.filter(pk__in=ids).update(mail_status=MailStatus.SENDING)
    return ids


def _message(notification: Notification, address: str, full_name: str) -> mail.EmailMessage:
    subject = f"[{settings.SITE_NAME}] {notification.title}"
    body = render_to_string(
        "notifications/email/reminder.txt",
        {"notification": notification, "name": full_name, "link": settings.SITE_URL + notification.url
         if notification.url else settings.SITE_URL, "site_name": settings.SITE_NAME},
    )
    return mail.EmailMessage(subject.replace("\n", " "), body, settings.DEFAULT_FROM_EMAIL, [address])


def reminders_mail(*, sweep: str | None = None) -> tuple[int, int]:
    """Send the pending reminder mails (of one sweep, or all); (sent, failed).

    At most once: a mail is claimed (committed) before it is sent and marked sent after; a
    failure the SMTP server reports puts it back to pending for the job's retry. A worker killed
    between the claim and the send loses that mail (the in-app notification stays): the
    opposite order could send it twice, which the reminders must never do."""
    sent = failed = 0
    failures: set[int] = set()
    with translation.override(settings.LANGUAGE_CODE):
        while ids := _claim(sweep, failures):
            notifications = list(
                Notification.objects.filter(reminder_id__in=ids).select_related("recipient").order_by("reminder_id")
            )
            has_notification = {n.reminder_id for n in notifications}
            done, unsendable, back = [], [n for n in ids if n not in has_notification], []
            connection_ = mail.get_connection()
            try:
                connection_.open()
                for notification in notifications:
                    user = notification.recipient
                    address = (user.email or "").strip()
                    if not user.is_active or not address:
                        unsendable.append(notification.reminder_id)
                        continue
                    try:
                        connection_.send_messages([_message(notification, address, getattr(user, "full_name", "") or user.get_username())])
                    except Exception as error:  # noqa: BLE001 - back to pending, retried by the job
                        logger.warning("reminder mail %s not sent: %s", notification.reminder_id, error)
                        back.append(notification.reminder_id)
                    else:
                        done.append(notification.reminder_id)
            except Exception as error:  # noqa: BLE001 - the server is down: every unsent one goes back
                logger.warning("reminder mails not sent: %s", error)
                back = [n for n in ids if n not in done and n not in unsendable]
            finally:
                try:
                    connection_.close()
                except Exception:  # noqa: BLE001, S110 - closing a broken connection
                    pass
            Reminder.objects.filter(pk__in=done).update(mail_status=MailStatus.SENT, mailed_at=timezone.now())
            Reminder.objects.filter(pk__in=unsendable).update(mail_status=MailStatus.NONE)
            Reminder.objects.filter(pk__in=back).update(mail_status=MailStatus.PENDING)
            sent += len(done)
            failed += len(back)
            failures.update(back)
    return sent, failed


# -- Reading ----------------------------------------------------------------------------------


def notification_mark_read(*, actor, notification: Notification) -> Notification:
    """Mark one of the actor's notifications read (no change, and no event, if it already is)."""
    with transaction.atomic():
        changed = Notification.objects.filter(
            pk=notification.pk, recipient=actor, read_at__isnull=True
        ).update(read_at=timezone.now())
        if changed:
            event_record(action=AuditAction.UPDATE, actor=actor, obj=notification, message=gettext_lazy("notification read"))
    notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, actor) -> int:
    with transaction.atomic():
        changed = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
        if changed:
            event_record(
                action=AuditAction.UPDATE, actor=actor, message=gettext_lazy("all notifications read"), detail={"count": changed}
            )
    return changed
