"""Never twice: a second sweep, two sweeps at once (PostgreSQL), a sweep that dies half-way and
is re-run, a mail job retried. Who gets what, the mail itself, the audit event, the queries."""

import threading
import time

import pytest
from django.core import mail
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from notifications import services
from notifications.models import MailStatus, Notification, Reminder
from notifications.registry import Due
from outbox.models import OutboxMessage
from tests.factories import UserFactory

from .conftest import at

DUE = at(2026, 12, 15, 17, 0)
BEFORE = at(2026, 12, 13, 9, 0)
AFTER = at(2026, 12, 16, 9, 0)


def _recipients(n, *, email=True):
    return [UserFactory(email=f"u{i}@example.gov.cn" if email else "") for i in range(n)]


def _dues(n, recipients, prefix="d"):
    ids = tuple(u.pk for u in recipients)
    return [Due(key=f"{prefix}:{i}", due_at=DUE, what=f"事项{i}", url=f"/office/x/{i}/", recipients=ids) for i in range(n)]


def _rows():
    return sorted(Reminder.objects.values_list("key", "recipient_id", "kind"))


@pytest.mark.django_db
def test_a_second_sweep_sends_nothing(deadlines, sweep):
    people = _recipients(2)
    deadlines.extend(_dues(3, people))
    first = sweep(BEFORE)
    assert (first.sent, first.mailed) == (6, 6) and len(mail.outbox) == 6
    second = sweep(BEFORE)
    assert second.sent == 0 and len(mail.outbox) == 6
    assert Reminder.objects.count() == Notification.objects.count() == 6
    later = sweep(AFTER)
    assert (later.before, later.overdue) == (0, 6)
    assert sweep(AFTER).sent == 0 and len(mail.outbox) == 12


@pytest.mark.django_db
def test_the_mail_says_what_when_and_links_to_it(deadlines, sweep, settings):
    settings.SITE_URL = "https://zfzr.example.gov.cn"
    person = UserFactory(email="li@example.gov.cn", full_name="李四")
    deadlines.append(Due(key="k", due_at=DUE, what="基础目录报送", url="/office/basis/catalogues/", recipients=(person.pk,)))
    sweep(BEFORE)
    (message,) = mail.outbox
    assert message.to == ["li@example.gov.cn"] and "基础目录报送" in message.subject
    assert "基础目录报送" in message.body and "2026年12月15日 17:00" in message.body
    assert "https://zfzr.example.gov.cn/office/basis/catalogues/" in message.body and "李四" in message.body
    reminder = Reminder.objects.get()
    assert reminder.mail_status == MailStatus.SENT and reminder.mailed_at is not None


@pytest.mark.django_db
def test_no_address_gets_the_notification_only_and_inactive_gets_nothing(deadlines, sweep):
    with_mail, without = _recipients(1)[0], _recipients(1, email=False)[0]
    gone = UserFactory(email="gone@example.gov.cn", is_active=False)
    deadlines.append(Due(key="k", due_at=DUE, what="x", url="/", recipients=(with_mail.pk, without.pk, gone.pk)))
    summary = sweep(BEFORE)
    assert (summary.sent, summary.mailed, summary.in_app_only) == (2, 1, 1)
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {with_mail.pk, without.pk}
    assert [m.to for m in mail.outbox] == [[with_mail.email]]
    assert Reminder.objects.get(recipient=without).mail_status == MailStatus.NONE


@pytest.mark.django_db
def test_one_audit_event_sums_up_the_sweep(deadlines, sweep):
    deadlines.extend(_dues(2, _recipients(2)))
    before = AuditEvent.objects.count()
    summary = sweep(BEFORE)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert event.detail["before"] == 4 and event.detail["mailed"] == 4 and event.detail["sweep"] == summary.sweep
    sweep(BEFORE)  # sends nothing: writes nothing
    assert AuditEvent.objects.count() == before + 1


@pytest.mark.django_db
def test_the_sweep_runs_in_constant_queries(providers, django_capture_on_commit_callbacks):
    """The sweep's own queries (the mail job runs later, in the worker) do not grow with the
    number of deadlines or recipients."""
    people = _recipients(3)
    few, many = _dues(2, people, "few"), _dues(60, people, "many")
    counts, queries = [], []
    for dues in (few, many):
        providers["test"] = lambda now, dues=dues: dues
        with django_capture_on_commit_callbacks(execute=False), CaptureQueriesContext(connection) as captured:
            summary = services.reminders_sweep(now=BEFORE)
        counts.append(len(captured.captured_queries))
        queries.append([q["sql"][:90] for q in captured.captured_queries])
        assert summary.sent == 3 * len(dues)
    if connection.vendor == "postgresql":
        # One INSERT ... SELECT FROM unnest(...) per table, whatever the number of rows.
        assert counts[0] == counts[1] and counts[0] <= 12, queries
    else:
        # Elsewhere the inserts go by batches (SQLite: 999 variables a query): 180 rows, two more.
        assert counts[1] - counts[0] == 2 * (180 // services.BATCH), queries


@pytest.mark.django_db
def test_a_sweep_that_dies_half_way_leaves_nothing_and_its_rerun_sends_each_once(deadlines, sweep, monkeypatch):
    deadlines.extend(_dues(4, _recipients(2)))

    def broker_gone(**kwargs):
        raise RuntimeError("the outbox table is gone")

    monkeypatch.setattr(services, "message_enqueue", broker_gone)
    with pytest.raises(RuntimeError):
        sweep(BEFORE)  # after inserting the reminders and the notifications
    assert Reminder.objects.count() == Notification.objects.count() == OutboxMessage.objects.count() == 0
    assert mail.outbox == []

    monkeypatch.undo()
    from notifications import registry

    monkeypatch.setattr(registry, "_providers", {"test": lambda now: list(deadlines)})
    assert sweep(BEFORE).sent == 8
    assert sweep(BEFORE).sent == 0
    assert len(mail.outbox) == 8 and len(set(_rows())) == 8


@pytest.mark.django_db
def test_a_failing_provider_stops_only_its_own_reminders(providers, sweep):
    people = _recipients(1)
    good = _dues(2, people, "good")
    broken = {"on": True}

    def flaky(now):
        yield from _dues(1, people, "flaky")
        if broken["on"]:
            raise RuntimeError("half-way")
        yield from _dues(3, people, "flaky")[1:]

    providers.update(good=lambda now: good, flaky=flaky)
    first = sweep(BEFORE)
    assert first.failed_providers == ["flaky"] and first.sent == 2
    assert not Reminder.objects.filter(key__startswith="flaky").exists()
    broken["on"] = False
    second = sweep(BEFORE)
    assert second.failed_providers == [] and second.sent == 3
    assert sweep(BEFORE).sent == 0 and len(mail.outbox) == 5


@pytest.mark.django_db
def test_a_refused_mail_is_sent_once_by_the_retry(deadlines, sweep, monkeypatch):
    deadlines.extend(_dues(2, _recipients(1)))
    from django.core.mail.backends.locmem import EmailBackend

    send = EmailBackend.send_messages

    def refuse(self, messages):
        raise OSError("SMTP server unreachable")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    sweep(BEFORE)
    assert mail.outbox == [] and set(Reminder.objects.values_list("mail_status", flat=True)) == {MailStatus.PENDING}
    monkeypatch.setattr(EmailBackend, "send_messages", send)
    assert services.reminders_mail() == (2, 0)
    assert services.reminders_mail() == (0, 0)  # the job delivered twice
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_claimed_mail_is_not_sent_again(deadlines, sweep, monkeypatch):
    """A job retried after its worker died between the claim and the send finds the claim."""
    deadlines.extend(_dues(1, _recipients(1)))
    monkeypatch.setattr(services, "message_enqueue", lambda **kwargs: None)
    sweep(BEFORE)
    Reminder.objects.update(mail_status=MailStatus.SENDING)
    assert services.reminders_mail() == (0, 0) and mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_reminder_once(providers, users):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite locks the whole database)")
    people = _recipients(3)
    dues = _dues(50, people)
    both_collected = threading.Barrier(2, timeout=30)

    def provider(now):
        both_collected.wait()  # both sweeps have their candidates before either inserts
        return dues

    providers["test"] = provider
    write = services._write_postgresql
    attempts = []

    def slow(*args):
        attempts.append(threading.current_thread().name)
        counts = write(*args)
        # The first to insert holds its transaction open while the other one inserts too (and
        # waits on the rows the first has not committed yet).
        time.sleep(0.5)
        return counts

    services._write_postgresql = slow
    results, errors = {}, []

    def run(name):
        try:
            results[name] = services.reminders_sweep(now=BEFORE)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=run, args=(name,)) for name in ("one", "two")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        services._write_postgresql = write
    assert errors == []
    assert len(attempts) == 2  # both sweeps tried to insert every row
    assert sum(r.sent for r in results.values()) == 150
    assert Reminder.objects.count() == 150 and len(set(_rows())) == 150
    assert Notification.objects.count() == 150
    # The mail jobs ran in each thread after its commit (eager): one mail per reminder.
    assert len(mail.outbox) == 150 and len({(m.to[0], m.subject) for m in mail.outbox}) == 150


@pytest.mark.django_db
def test_a_deadline_the_log_cannot_hold_fails_its_provider_alone(providers, sweep):
    people = _recipients(1)
    providers.update(good=lambda now: _dues(1, people, "good"),
                     bad=lambda now: [Due(key="x" * 300, due_at=DUE, what="x", url="/", recipients=(people[0].pk,))])
    summary = sweep(BEFORE)
    assert summary.failed_providers == ["bad"] and summary.sent == 1
    event = AuditEvent.objects.order_by("-id").first()
    assert event.outcome == "failure" and event.detail["failed_providers"] == ["bad"]
