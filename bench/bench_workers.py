#!/usr/bin/env python
"""Workers in numbers (issue 17): N departments publish at once; how long until every disclosure
document they ask for is ready, with 1 and with 2 worker processes, and how often each document
was rendered (once is right).

    createdb -h 127.0.0.1 -U postgres -T lecrs_x1 lecrs_workers      # a copy: the run writes
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lecrs_workers \\
        .venv/bin/python bench/bench_workers.py --broker redis://127.0.0.1:6379/11

Needs the generated province with its authority data (generate_province.py, then
generate_authority.py) and a Redis. For each worker count, untimed first: a new approved version
of each department's breakdown (its published one copied with the app's copy, one power renamed
so the content, and so the documents, are new), then ``count`` real ``celery worker`` processes
(solo pool, one process each, as compose runs a replica with WORKER_CONCURRENCY=1) on a queue of
their own, started and ready. Timed: the office publishes the N versions one after the other
through ``breakdown_publish`` (each publication, after its commit, asks through the outbox for
its booklet and bulletin sheet and for its government's open data, as in production) until every
document of those publications is ready. The departments are the first of a few counties, so
the publications of one government queue up together, as in a campaign.

Writes to the database (versions, documents, two accounts per government, ``bench_workers_…``)
and renders into a temporary MEDIA_ROOT, removed at the end. Prints, last:
``workers-1-seconds``, ``workers-2-seconds``, ``workers-speedup`` and ``renders-per-document``.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--departments", type=int, default=100, help="departments that publish at once (default 100)")
    parser.add_argument("--workers", default="1,2", help="worker process counts to time, comma-separated (default 1,2)")
    parser.add_argument("--broker", default=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/11"))
    parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait for the documents of one run")
    return parser.parse_args()


ARGS = parse_args() if __name__ == "__main__" else None
MEDIA = Path(tempfile.mkdtemp(prefix="bench-workers-media-"))
if ARGS is not None:
    # Before Django and Celery read them: a real broker (not eager tasks) and a scratch media folder.
    os.environ["CELERY_BROKER_URL"] = ARGS.broker
    os.environ["CELERY_RESULT_BACKEND"] = ARGS.broker
os.environ["MEDIA_ROOT"] = str(MEDIA)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, F, Max  # noqa: E402
from django.db.models.functions import Concat  # noqa: E402
from django.db.models import Value  # noqa: E402
from django.utils import timezone  # noqa: E402
from kombu import pools  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from authority.models import Breakdown, PowerItem  # noqa: E402
from authority.services import breakdown_publish  # noqa: E402
from authority.services.breakdown import _copy_powers  # noqa: E402
from organisations.models import OfficeFunction, Organisation, OrganisationKind  # noqa: E402
from responsibility.models import DisclosureDocument, DocumentStatus  # noqa: E402
from workflow.review import OPEN_STATUSES, ReviewStatus  # noqa: E402

SETTLED = (DocumentStatus.READY, DocumentStatus.FAILED)


def account(username: str, organisation: Organisation) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=Role.OFFICE_REVIEWER, full_name=username)
        user.set_password(os.urandom(16).hex() + "Aa1!")
        user.password_changed_at = timezone.now()
    user.role, user.organisation = Role.OFFICE_REVIEWER, organisation
    user.save()
    return user


def pick_departments(count: int) -> list[tuple[Organisation, User]]:
    """The first ``count`` departments (by code) with a published breakdown and none in the
    works, taken county by county; each with its government's legal-affairs reviewer."""
    busy = Breakdown.objects.filter(status__in=list(OPEN_STATUSES)).values("department_id")
    candidates = (
        Organisation.objects.filter(
            kind=OrganisationKind.DEPARTMENT, code__startswith="PRV-",
            breakdowns__status=ReviewStatus.PUBLISHED, jurisdiction__kind=OrganisationKind.COUNTY,
        )
        .exclude(pk__in=busy)
        .select_related("jurisdiction")
        .distinct()
        .order_by("jurisdiction__code", "code")
    )
    picked, reviewers = [], {}
    for department in candidates[:count]:
        government = department.jurisdiction
        if government.pk not in reviewers:
            office = Organisation.objects.get(jurisdiction=government, office_function=OfficeFunction.LEGAL_AFFAIRS)
            reviewers[government.pk] = account(f"bench_workers_{government.code}", office)
        picked.append((department, reviewers[government.pk]))
    if len(picked) < count:
        sys.exit(f"only {len(picked)} departments can publish a new breakdown; run bench/generate_authority.py")
    return picked


def approved_versions(picked, tag: str) -> list[Breakdown]:
    """For each department a new breakdown version, approved: its published one copied by the
    app's own copy, and the first power renamed with ``tag`` (new content, new documents)."""
    versions = []
    for department, _reviewer in picked:
        with transaction.atomic():
            published = Breakdown.objects.filter(department=department, status=ReviewStatus.PUBLISHED).order_by("-version").first()
            latest = Breakdown.objects.filter(department=department).aggregate(v=Max("version"))["v"]
            version = Breakdown.objects.create(
                department=department, version=latest + 1, based_on=published, status=ReviewStatus.APPROVED
            )
            _copy_powers(published, version)
            first = PowerItem.objects.filter(breakdown=version).order_by("pk").values_list("pk", flat=True).first()
            PowerItem.objects.filter(pk=first).update(name=Concat(F("name"), Value(f"（{tag}）")))
        versions.append(version)
    return versions


def start_workers(count: int, queue: str, logs: Path) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
        "CELERY_BROKER_URL": ARGS.broker,
        "CELERY_RESULT_BACKEND": ARGS.broker,
        "MEDIA_ROOT": str(MEDIA),
    }
    processes = []
    for n in range(count):
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1",
            "-l", "info", "-Q", queue, "-n", f"w{n}-{queue}@bench", "--without-gossip", "--without-mingle",
        ]
        with open(logs / f"worker-{n}.log", "w") as log:
            processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
    deadline = time.monotonic() + 180
    for n in range(count):
        while "ready." not in (logs / f"worker-{n}.log").read_text(errors="replace"):
            if time.monotonic() > deadline or processes[n].poll() is not None:
                stop_workers(processes)
                sys.exit((logs / f"worker-{n}.log").read_text(errors="replace")[-3000:])
            time.sleep(0.2)
    return processes


def stop_workers(processes) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def point_at(queue: str) -> None:
    from config.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = ARGS.broker
    app.conf.task_default_queue = queue
    app.amqp._producer_pool = None
    app._pool = None
    pools.reset()


def task_seconds(logs: list[Path]) -> dict[str, tuple[int, float]]:
    """(jobs, seconds) by task name, from the workers' "succeeded in" lines."""
    found: dict[str, tuple[int, float]] = {}
    for path in logs:
        for name, seconds in re.findall(r"Task ([\w.]+)\[[^\]]+\] succeeded in ([\d.]+)s", path.read_text(errors="replace")):
            jobs, total = found.get(name, (0, 0.0))
            found[name] = (jobs + 1, total + float(seconds))
    return found


def run(count: int, picked, tag: str, logs: Path) -> dict:
    versions = approved_versions(picked, tag)
    first_document = (DisclosureDocument.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    queue = f"bench-workers-{uuid.uuid4().hex[:10]}"
    point_at(queue)
    processes = start_workers(count, queue, logs)
    departments = [d for d, _ in picked]
    try:
        started = time.monotonic()
        for version, (_department, reviewer) in zip(versions, picked, strict=True):
            breakdown_publish(actor=reviewer, breakdown=version)
        published = time.monotonic() - started
        documents = DisclosureDocument.objects.filter(organisation__in=departments, pk__gte=first_document)
        expected = documents.count()
        deadline = started + ARGS.timeout
        while documents.filter(status__in=SETTLED).count() < expected:
            if time.monotonic() > deadline:
                sys.exit(f"timed out: {documents.filter(status__in=SETTLED).count()} of {expected} documents settled")
            time.sleep(0.25)
        seconds = time.monotonic() - started
        # The jobs still queued behind the last render (open data, the duplicates' no-ops) are
        # not waited for; they are counted from the logs once the workers have stopped.
        time.sleep(1)
    finally:
        stop_workers(processes)
    worker_logs = sorted(logs.glob("worker-*.log"))
    rendered = {}
    for path in worker_logs:
        for pk in re.findall(r"disclosure (\d+) rendered", path.read_text(errors="replace")):
            rendered[int(pk)] = rendered.get(int(pk), 0) + 1
    builds = sum(len(re.findall(r"open data of \S+ built for", p.read_text(errors="replace"))) for p in worker_logs)
    rows = list(documents.values_list("pk", "status", "attempts"))
    failed = [pk for pk, status, _ in rows if status != DocumentStatus.READY]
    return {
        "seconds": seconds,
        "published": published,
        "documents": len(rows),
        "failed": failed,
        "renders": sum(rendered.get(pk, 0) for pk, _, _ in rows),
        "claims": sum(attempts for _, _, attempts in rows),
        "tasks": task_seconds(worker_logs),
        "builds": builds,
        "logs": worker_logs,
    }


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Run against a copy of the PostgreSQL bench database (see the docstring).")
    counts = [int(c) for c in ARGS.workers.split(",")]
    picked = pick_departments(ARGS.departments)
    governments = sorted({d.jurisdiction.code for d, _ in picked})
    sizes = dict(
        PowerItem.objects.filter(breakdown__department__in=[d for d, _ in picked], breakdown__status=ReviewStatus.PUBLISHED)
        .values("breakdown__department_id").annotate(n=Count("id")).values_list("breakdown__department_id", "n")
    )
    print(
        f"{len(picked)} departments of {len(governments)} counties ({', '.join(governments)}), "
        f"{sum(sizes.values())} powers ({min(sizes.values())}–{max(sizes.values())} each); broker {ARGS.broker}"
    )
    results = {}
    work = Path(tempfile.mkdtemp(prefix="bench-workers-logs-"))
    try:
        for count in counts:
            logs = work / f"workers-{count}"
            logs.mkdir()
            load = open("/proc/loadavg").read().split()[:3] if os.path.exists("/proc/loadavg") else []
            result = run(count, picked, f"{count}-{uuid.uuid4().hex[:6]}", logs)
            results[count] = result
            tasks = result["tasks"]
            busy = sum(total for _, total in tasks.values()) or 1.0
            print(
                f"{count} worker(s): {result['documents']} documents ready in {result['seconds']:.1f} s "
                f"(publishing took {result['published']:.1f} s; load before {' '.join(load)}); "
                f"{result['renders']} renders, {result['claims']} claims, {len(result['failed'])} failed; "
                f"open data built {result['builds']} times for {len(governments)} government(s)"
            )
            for name, (jobs, total) in sorted(tasks.items(), key=lambda item: -item[1][1]):
                print(f"    {name}: {jobs} jobs, {total:.1f} s ({100 * total / busy:.0f} % of the workers' task time)")
    finally:
        shutil.rmtree(MEDIA, ignore_errors=True)
    documents = sum(r["documents"] for r in results.values())
    renders = sum(r["renders"] for r in results.values())
    for count in counts:
        print(f"workers-{count}-seconds: {results[count]['seconds']:.1f} s (target: none; {ARGS.departments} departments publish at once)")
    if 1 in results and 2 in results:
        print(f"workers-speedup: {results[1]['seconds'] / results[2]['seconds']:.2f} × (target: ≈ 2 × on 2 free cores)")
    print(f"renders-per-document: {renders / max(documents, 1):.2f} renders (target: 1.00, each document rendered once)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
