"""Several workers at once: each disclosure document is rendered exactly once.

Two real Celery worker processes (solo pool, as in test_disclosure_worker.py) share one queue on
Redis and the PostgreSQL test database. Several departments publish at once, and every render
message is then sent a second time (as the outbox's relay or a redelivery after a lost
acknowledgement may), so the two workers are handed the same documents together. The row's
claim (one conditional UPDATE, ``disclosure._claim``) must let exactly one of them render each.

The claim itself is also raced directly: several connections claim one row at the same instant.
"""

import functools
import os
import re
import subprocess
import threading
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone
from kombu import pools

from authority.services import breakdown_publish
from organisations.models import OrganisationKind
from responsibility import disclosure
from responsibility.models import DisclosureDocument, DocumentKind, DocumentStatus
from responsibility.tasks import render_disclosure_document
from tests.authority.factories import BreakdownFactory, PowerFactory
from tests.factories import OrganisationFactory
from tests.test_worker import _redis_or_skip
from workflow.review import ReviewStatus

from .disclosure_fixtures import published_department
from .test_disclosure_faults import _poll as _poll_for
from .test_disclosure_worker import start_worker_process

# A Redis database of its own (and a queue of its own): other suites' workers never see it.
REDIS_URL = os.environ.get("TEST_WORKERS_REDIS_URL", "redis://127.0.0.1:6379/11")
TIMEOUT = 180  # seconds for two cold workers on a loaded machine to start and render everything
DEPARTMENTS = 4


# The fault tests' poll, with this file's longer wait for two cold workers.
_poll = functools.partial(_poll_for, timeout=TIMEOUT)


@pytest.fixture
def two_workers(tmp_path, monkeypatch):
    """Two worker processes on one queue, started and ready before anything is sent; the test
    process sends to that queue instead of running tasks eagerly."""
    broker_url = _redis_or_skip(REDIS_URL)
    if connection.vendor != "postgresql":
        pytest.skip("worker processes can share the test database only on PostgreSQL")
    from config.celery import app

    queue = f"lecrs-workers-{uuid.uuid4().hex[:12]}"
    media = tmp_path / "media"
    media.mkdir()
    workers = []
    for name in ("one", "two"):
        log_path = tmp_path / f"{name}.log"
        process = start_worker_process(f"{name}-{queue}", queue, media, broker_url, log_path)
        workers.append(SimpleNamespace(process=process, log_path=log_path))

    def reset_connections():
        app.amqp._producer_pool = None
        app._pool = None
        pools.reset()

    monkeypatch.setenv("CELERY_BROKER_URL", broker_url)
    monkeypatch.setenv("CELERY_RESULT_BACKEND", broker_url)
    monkeypatch.setitem(app.conf, "broker_url", broker_url)
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "task_default_queue", queue)
    reset_connections()
    try:
        logs = [w.log_path for w in workers]
        for worker in workers:
            _poll(lambda w=worker: "ready." in w.log_path.read_text(errors="replace"), what="the workers to start", logs=logs)
        yield SimpleNamespace(workers=workers, media=media, logs=logs)
    finally:
        reset_connections()
        for worker in workers:
            if worker.process.poll() is None:
                worker.process.terminate()
        for worker in workers:
            try:
                worker.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()


@pytest.fixture
def renders_only():
    """The publications also ask for the open data (tested on its own): followed here are the
    renders alone."""
    from django.db.models.signals import post_save

    from authority.models import Certificate
    from portal.receivers import on_certificate_saved, on_version_published
    from workflow.review import version_published

    version_published.disconnect(dispatch_uid="portal.open_data.published")
    post_save.disconnect(sender=Certificate, dispatch_uid="portal.open_data.certificate")
    yield
    version_published.connect(on_version_published, dispatch_uid="portal.open_data.published")
    post_save.connect(on_certificate_saved, sender=Certificate, dispatch_uid="portal.open_data.certificate")


def _renders_in(log_path, document) -> int:
    return log_path.read_text(errors="replace").count(f"disclosure {document.pk} rendered")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_workers_render_each_document_of_several_publications_once(city, users, renders_only, two_workers):
    call_command("load_authority_reference", verbosity=0)
    departments = [city.dept_a, city.dept_b] + [
        OrganisationFactory(parent=city.city, code=f"C-W{n}", name=f"测试市第{n}局", kind=OrganisationKind.DEPARTMENT)
        for n in range(DEPARTMENTS - 2)
    ]
    approved = []
    for n, department in enumerate(departments):
        published_department(department, prefix=f"部门{n}")
        breakdown = BreakdownFactory(department=department, status=ReviewStatus.APPROVED)
        PowerFactory(breakdown=breakdown, name=f"两个工作进程渲染的职权事项{n}")
        approved.append(breakdown)

    for breakdown in approved:  # one after the other, as fast as the reviewer's requests come
        breakdown_publish(actor=users.city_reviewer, breakdown=breakdown)
    documents = list(DisclosureDocument.objects.filter(organisation__in=departments))
    assert len(documents) == 2 * DEPARTMENTS  # a booklet and a bulletin sheet each
    # Every render asked for a second time: the two workers now hold copies of the same rows.
    for document in documents:
        render_disclosure_document.apply_async(args=[document.pk])

    def settled():
        rows = list(DisclosureDocument.objects.filter(organisation__in=departments))
        return rows if all(d.status in (DocumentStatus.READY, DocumentStatus.FAILED) for d in rows) else None

    def logged(pattern):
        return sum(len(re.findall(pattern, p.read_text(errors="replace"))) for p in two_workers.logs)

    done = _poll(settled, what="every document", logs=two_workers.logs)
    # Every message, duplicates included, has reached a worker (a duplicate finds its row ready,
    # or being rendered and comes back later to find it ready), and every render has logged.
    _poll(
        lambda: logged(r"render_disclosure_document\[[^\]]+\] received") >= 2 * len(done)
        and logged(r"disclosure \d+ rendered") >= len(done),
        what="the duplicate messages", logs=two_workers.logs,
    )
    for document in done:
        assert document.status == DocumentStatus.READY, document.error
        assert document.attempts == 1, document  # claimed once
        assert sum(_renders_in(p, document) for p in two_workers.logs) == 1, document
        assert (two_workers.media / document.file.name).read_bytes().startswith(b"%PDF")
    assert {d.kind for d in done} == {DocumentKind.BOOKLET, DocumentKind.BULLETIN}
    # Both workers rendered (prefetch 1: neither can hoard the queue).
    for path in two_workers.logs:
        assert re.search(r"disclosure \d+ rendered", path.read_text(errors="replace")), path
    pdfs = sorted(p.name for p in two_workers.media.rglob("*.pdf"))
    assert len(pdfs) == len(done)  # no second file for any document


def _race_claims(document_id: int, claimants: int) -> list[bool]:
    """``claimants`` connections claim the row together (released by one barrier)."""
    barrier = threading.Barrier(claimants)
    results: list[bool] = []
    lock = threading.Lock()

    def claim():
        try:
            barrier.wait(timeout=30)
            won = disclosure._claim(document_id)
            with lock:
                results.append(won)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim) for _ in range(claimants)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("state", ["queued", "dead render"])
def test_concurrent_claims_of_one_row_are_won_once(city, state):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections need PostgreSQL")
    document = DisclosureDocument.objects.create(
        organisation=city.dept_a, kind=DocumentKind.BOOKLET, version=1, content_hash="x" * 64, data_as_of=timezone.now()
    )
    if state == "dead render":
        DisclosureDocument.objects.filter(pk=document.pk).update(
            status=DocumentStatus.RENDERING, attempts=1, started_at=timezone.now() - disclosure.STALE_RENDER - timedelta(seconds=5)
        )
    for _round in range(3):
        results = _race_claims(document.pk, 8)
        assert len(results) == 8
        assert results.count(True) == (1 if _round == 0 else 0), results
    document.refresh_from_db()
    assert document.status == DocumentStatus.RENDERING
    assert document.attempts == (1 if state == "queued" else 2)
