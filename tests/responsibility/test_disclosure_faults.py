"""Faults that lose nothing, with a real Celery worker on Redis and the PostgreSQL test database
(started as in test_disclosure_worker.py): Redis down while a department publishes, and the
worker killed in the middle of a render.

The render is held in the middle honestly, without touching the worker's code: the test takes an
ACCESS EXCLUSIVE lock on the powers' table, so the worker, once it has claimed the row, waits on
that lock while reading the content, as it would behind a long migration; the test sees it
waiting in pg_stat_activity and kills it there.
"""

import signal
import subprocess
import time
import uuid
from types import SimpleNamespace

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection
from kombu import pools

from authority.models import PowerItem
from authority.services import breakdown_publish
from outbox.models import OutboxMessage
from outbox.services import messages_relay
from responsibility.models import DisclosureDocument, DocumentKind, DocumentStatus
from responsibility.tasks import render_disclosure_document
from tests.authority.factories import BreakdownFactory, PowerFactory
from tests.test_worker import REDIS_URL, _redis_or_skip
from workflow.review import ReviewStatus

from .disclosure_fixtures import published_department
from .test_disclosure_worker import start_worker_process

TIMEOUT = 90  # seconds for a cold worker on a loaded machine to start and render
DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1
# The worker's clock for a dead render and the broker's for an unacknowledged message, short for
# the test; the rule they keep is the production one (settings: visibility timeout > stale).
STALE_SECONDS, VISIBILITY_SECONDS = 2, 3


def _poll(predicate, *, timeout=TIMEOUT, what="", logs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    tails = "\n".join(f"--- {path}\n{path.read_text(errors='replace')[-3000:]}" for path in logs)
    pytest.fail(f"timed out waiting for {what}\n{tails}")


@pytest.fixture
def services(tmp_path):
    broker_url = _redis_or_skip(REDIS_URL)
    if connection.vendor != "postgresql":
        pytest.skip("a worker process can share the test database only on PostgreSQL")
    media = tmp_path / "media"
    media.mkdir()
    started = []

    def start_worker(name: str):
        log_path = tmp_path / f"{name}.log"
        process = start_worker_process(
            f"{name}-{queue}", queue, media, broker_url, log_path,
            CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_SECONDS), DISCLOSURE_STALE_RENDER_SECONDS=str(STALE_SECONDS),
        )
        started.append(process)
        return SimpleNamespace(process=process, log_path=log_path)

    queue = f"lecrs-faults-{uuid.uuid4().hex[:12]}"
    try:
        yield SimpleNamespace(broker_url=broker_url, queue=queue, media=media, start_worker=start_worker)
    finally:
        for process in started:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@pytest.fixture
def broker(services, monkeypatch):
    """The project's Celery app sends to Redis instead of running eagerly; ``broker.down()`` and
    ``broker.up()`` point it at a closed port and back."""
    from config.celery import app

    def point_at(url):
        # Celery prefers the environment to its configuration for the broker.
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        monkeypatch.setenv("CELERY_RESULT_BACKEND", services.broker_url)
        monkeypatch.setitem(app.conf, "broker_url", url)
        # The producer pools live in kombu's registry, shared by every app on one URL.
        app.amqp._producer_pool = None
        app._pool = None
        pools.reset()

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "task_default_queue", services.queue)
    point_at(services.broker_url)
    yield SimpleNamespace(down=lambda: point_at(DEAD_BROKER), up=lambda: point_at(services.broker_url))
    point_at(services.broker_url)


@pytest.fixture(autouse=True)
def renders_only():
    """A publication (and a certificate saved) also asks the portal to rebuild its open data;
    these tests follow the disclosure renders alone, on one worker, so that job is left out."""
    from django.db.models.signals import post_save

    from authority.models import Certificate
    from portal.receivers import on_certificate_saved, on_version_published
    from workflow.review import version_published

    version_published.disconnect(dispatch_uid="portal.open_data.published")
    post_save.disconnect(sender=Certificate, dispatch_uid="portal.open_data.certificate")
    yield
    version_published.connect(on_version_published, dispatch_uid="portal.open_data.published")
    post_save.connect(on_certificate_saved, sender=Certificate, dispatch_uid="portal.open_data.certificate")


def _publish_a_breakdown(city, users):
    call_command("load_authority_reference", verbosity=0)
    published_department(city.dept_a, agency=city.agency_a)
    approved = BreakdownFactory(department=city.dept_a, status=ReviewStatus.APPROVED)
    PowerFactory(breakdown=approved, name="故障演练中的职权事项")
    return breakdown_publish(actor=users.city_reviewer, breakdown=approved)


def _documents(city):
    return {d.kind: d for d in DisclosureDocument.objects.filter(organisation=city.dept_a)}


def _rendered_lines(log_path, document) -> int:
    return log_path.read_text(errors="replace").count(f"disclosure {document.pk} rendered")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_publication_while_redis_is_down_is_rendered_once_redis_is_back(city, users, services, broker, settings):
    broker.down()
    published = _publish_a_breakdown(city, users)  # the reviewer sees no error

    assert published.status == ReviewStatus.PUBLISHED
    documents = _documents(city)
    assert set(documents) == {DocumentKind.BOOKLET, DocumentKind.BULLETIN}
    assert {d.status for d in documents.values()} == {DocumentStatus.QUEUED}
    messages = OutboxMessage.objects.filter(task=render_disclosure_document.name)
    assert sorted(m.args for m in messages) == sorted([d.pk] for d in documents.values())
    assert all(m.sent_at is None and m.attempts == 1 and m.last_error for m in messages)

    broker.up()
    worker = services.start_worker("back")
    settings.OUTBOX_RELAY_AFTER_SECONDS = 0
    assert messages_relay() == (2, 0)

    def rendered():
        current = _documents(city)
        return current if {d.status for d in current.values()} <= {DocumentStatus.READY, DocumentStatus.FAILED} else None

    done = _poll(rendered, what="the two renders", logs=[worker.log_path])
    for document in done.values():
        assert document.status == DocumentStatus.READY, document.error
        assert document.attempts == 1
        assert (services.media / document.file.name).read_bytes().startswith(b"%PDF")
        assert _rendered_lines(worker.log_path, document) == 1
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    assert messages_relay() == (0, 0)  # nothing is sent twice


def _lock_powers():
    """A connection of the test's own holding ACCESS EXCLUSIVE on the powers' table."""
    s = connection.settings_dict
    locker = psycopg2.connect(
        dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"] or None, host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432
    )
    locker.cursor().execute(f"LOCK TABLE {PowerItem._meta.db_table} IN ACCESS EXCLUSIVE MODE")
    return locker


def _backend_waiting_on_a_lock() -> int | None:
    # Asked on the test's own connection (autocommit): the locker's transaction would see one
    # snapshot of pg_stat_activity for its whole life.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        row = cursor.fetchone()
    return row[0] if row else None


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_b_a_worker_killed_mid_render_is_rendered_exactly_once_by_the_next(city, users, services, broker):
    _publish_a_breakdown(city, users)  # sent to the queue; no worker yet
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()

    locker = _lock_powers()
    try:
        first = services.start_worker("killed")
        waiting = _poll(_backend_waiting_on_a_lock, what="the render to wait on the lock", logs=[first.log_path])
        (victim,) = [d for d in _documents(city).values() if d.status == DocumentStatus.RENDERING]
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=30)
        # Its server process would find out at its next write; the machine is gone, end it now.
        locker.cursor().execute("SELECT pg_terminate_backend(%s)", [waiting])
    finally:
        locker.rollback()
        locker.close()
    victim.refresh_from_db()
    assert (victim.status, victim.attempts) == (DocumentStatus.RENDERING, 1)

    second = services.start_worker("back")

    def all_ready():
        current = _documents(city)
        return current if {d.status for d in current.values()} == {DocumentStatus.READY} else None

    done = _poll(all_ready, what="the redelivered render", logs=[first.log_path, second.log_path])
    victim = done[victim.kind]
    assert victim.attempts == 2  # the killed claim and the one that finished
    assert _rendered_lines(first.log_path, victim) == 0
    assert _rendered_lines(second.log_path, victim) == 1
    pdfs = sorted(p.name for p in services.media.rglob("*.pdf"))
    assert pdfs == sorted(d.file.name.rsplit("/", 1)[-1] for d in done.values())  # one file each, no duplicates
