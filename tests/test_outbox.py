"""The outbox on its own: eager (no broker) it runs the job in-process after commit as before;
a broker that refuses leaves the row for the relay; SKIP LOCKED keeps two relays apart."""

import threading

import pytest
from django.db import connection, connections, transaction
from kombu.exceptions import OperationalError as BrokerError

from outbox import services
from outbox.models import OutboxMessage


@pytest.mark.django_db(transaction=True)
def test_eager_runs_the_job_after_commit_and_marks_it_sent():
    with transaction.atomic():
        message = services.message_enqueue(task="audit.tasks.purge_expired_events")
        assert OutboxMessage.objects.get(pk=message.pk).sent_at is None
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_a_refusing_broker_leaves_the_row_for_the_relay(monkeypatch, settings):
    from celery import current_app

    monkeypatch.setitem(current_app.conf, "task_always_eager", False)

    def refuse(message):
        raise BrokerError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(services, "_send", refuse)
    with transaction.atomic():
        message = services.message_enqueue(task="audit.tasks.purge_expired_events")  # no error after commit
    message.refresh_from_db()
    assert (message.sent_at, message.attempts) == (None, 1) and "Connection refused" in message.last_error

    settings.OUTBOX_RELAY_AFTER_SECONDS = 3600
    assert services.messages_relay() == (0, 0)  # too young: its own request may still send it
    settings.OUTBOX_RELAY_AFTER_SECONDS = 0
    assert services.messages_relay() == (0, 1)
    sent = []
    monkeypatch.setattr(services, "_send", sent.append)
    assert services.messages_relay() == (1, 0)
    assert [m.pk for m in sent] == [message.pk]
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 3 and message.last_error == ""


@pytest.mark.django_db(transaction=True)
def test_two_relays_never_send_one_row_at_once(monkeypatch, settings):
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED needs PostgreSQL")
    from celery import current_app

    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    settings.OUTBOX_RELAY_AFTER_SECONDS = 0
    OutboxMessage.objects.bulk_create(OutboxMessage(task="audit.tasks.purge_expired_events") for _ in range(20))
    sent, inside, go_on = [], threading.Event(), threading.Event()

    def slow_send(message):
        # The first relay holds its rows while the second one runs.
        inside.set()
        go_on.wait(30)
        sent.append(message.pk)

    monkeypatch.setattr(services, "_send", slow_send)
    results = {}

    def relay(name):
        try:
            results[name] = services.messages_relay()
        finally:
            connections.close_all()

    first = threading.Thread(target=relay, args=("first",))
    first.start()
    assert inside.wait(30)
    monkeypatch.setattr(services, "_send", lambda message: sent.append(message.pk))
    relay("second")  # finds every row locked: sends nothing
    go_on.set()
    first.join(30)

    assert results == {"first": (20, 0), "second": (0, 0)}
    assert sorted(sent) == sorted(set(sent)) and len(sent) == 20


@pytest.mark.django_db(transaction=True)
def test_a_row_with_an_unknown_task_does_not_hold_up_the_others(monkeypatch, settings):
    from celery import current_app

    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    settings.OUTBOX_RELAY_AFTER_SECONDS = 0
    current_app.loader.import_default_modules()
    sent = []
    monkeypatch.setattr(current_app.tasks["audit.tasks.purge_expired_events"], "apply_async", lambda **kw: sent.append(kw))
    bad = OutboxMessage.objects.create(task="nowhere.tasks.gone")
    good = OutboxMessage.objects.create(task="audit.tasks.purge_expired_events", args=[1])

    assert services.messages_relay() == (1, 1)
    assert sent == [{"args": [1], "kwargs": {}}]
    bad.refresh_from_db(), good.refresh_from_db()
    assert bad.sent_at is None and "NotRegistered" in bad.last_error
    assert good.sent_at is not None
