#!/usr/bin/env python
"""Time the reminder sweep (issue 14) over 100,000 open deadlines, then a second sweep right
after, which must send nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lecrs_bench .venv/bin/python bench/bench_reminders.py

A provider registered by this script alone ("bench") yields the deadlines: each with one to
three recipients (two on average) drawn from 8,000 bench accounts (``bench_reminder_…``,
created once; nine in ten have an e-mail address), owed by an enforcement department of the
database if there are any. The provider builds its ``Due`` objects on every call, as a real one
does after its bulk read. The chapters' own providers (catalogues, certificates) run too.

Two scenarios, each with its own deadlines: first the worst case, every deadline due for a
reminder at the first sweep (due dates from ten days ago, overdue, to the edge of the reminder
window) so that every (deadline, recipient, kind) is written — 200,000 reminders and as many
notifications in one transaction; then the ordinary hour, due dates spread over the coming year
(and the last ten days), of which a few percent are due. The headline figures
(``reminder-sweep-100k``, ``reminder-second-sweep-sent``) are the ordinary hour's; the worst
case is printed above them.

What is timed is ``reminders_sweep`` as beat runs it: the providers, the decision, the one
transaction with the reminder rows, the notifications, the mail job's outbox row and the audit
event. Sending the mails is the worker's job, one batch at a time, after the sweep: here the
outbox message is left unsent (as when the broker is down) and removed at the end, with the
bench's reminders and notifications. Each run uses new keys, so its first sweep is a first.
"""

import argparse
import datetime
import os
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

import outbox.services  # noqa: E402
from accounts.models import User  # noqa: E402
from notifications import registry, services  # noqa: E402
from notifications.models import Reminder  # noqa: E402
from notifications.registry import Due  # noqa: E402
from organisations.models import Organisation, OrganisationKind  # noqa: E402
from outbox.models import OutboxMessage  # noqa: E402

USERS = 8000


def bench_users() -> list[int]:
    """The bench's accounts (created once, without a usable password)."""
    existing = User.objects.filter(username__startswith="bench_reminder_").count()
    if existing < USERS:
        unusable = make_password(None)
        now = timezone.now()
        User.objects.bulk_create(
            [
                User(username=f"bench_reminder_{i:05d}", full_name=f"提醒测试{i}", password=unusable, password_changed_at=now,
                     email=f"bench{i}@example.gov.cn" if i % 10 else "")
                for i in range(existing, USERS)
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
    return list(User.objects.filter(username__startswith="bench_reminder_").order_by("pk").values_list("pk", flat=True))


def plan(count: int, users: list[int], organisations: list[int], now: datetime.datetime, spread: str, run: str, rng) -> list[tuple]:
    days = registry.days_before()
    rows = []
    for i in range(count):
        if spread == "year":
            due = now + datetime.timedelta(hours=rng.uniform(-24 * 10, 24 * 365))
        else:
            # Overdue (up to ten days) or inside the window: every one is reminded.
            due = now + datetime.timedelta(hours=rng.uniform(-24 * 10, 24 * days - 1))
        due = due.replace(minute=0, second=0, microsecond=0)  # deadlines fall on the hour
        recipients = tuple(rng.sample(users, rng.choice((1, 2, 2, 3))))
        organisation = organisations[i % len(organisations)] if organisations else None
        rows.append((f"bench:{run}:{i}", due, f"基准测试事项{i % 500}", f"/office/bench/{i}/", recipients, organisation))
    return rows


def scenario(spread: str, count: int, users: list[int], organisations: list[int], rng) -> tuple[float, int, float]:
    """One first sweep and one second sweep right after; (first seconds, second sent, second seconds)."""
    now = timezone.now()
    run = uuid.uuid4().hex[:8]
    rows = plan(count, users, organisations, now, spread, run, rng)

    def provider(moment):
        return [Due(key=k, due_at=d, what=w, url=u, recipients=r, organisation_id=o) for k, d, w, u, r, o in rows]

    registry.register("bench", provider)
    started = timezone.now()
    print(f"{count:,} open deadlines, due dates {SPREADS[spread]}:", flush=True)
    try:
        with CaptureQueriesContext(connection) as first_queries:
            start = time.perf_counter()
            first = services.reminders_sweep(now=now)
            first_seconds = time.perf_counter() - start
        print(f"  first sweep: {first.sent:,} reminders ({first.before:,} before, {first.overdue:,} overdue), "
              f"{first.mailed:,} e-mails asked for, {first.in_app_only:,} in-app only; "
              f"{len(first_queries)} queries, {first_seconds:.2f} s", flush=True)
        with CaptureQueriesContext(connection) as second_queries:
            start = time.perf_counter()
            second = services.reminders_sweep(now=now + datetime.timedelta(minutes=1))
            second_seconds = time.perf_counter() - start
        print(f"  second sweep: {second.sent:,} reminders; {len(second_queries)} queries, {second_seconds:.2f} s", flush=True)
    finally:
        registry._providers.pop("bench", None)
        start = time.perf_counter()
        deleted, _ = Reminder.objects.filter(provider="bench", key__startswith=f"bench:{run}:").delete()
        OutboxMessage.objects.filter(task=services.MAIL_TASK, created_at__gte=started).delete()
        print(f"  (removed the bench's {deleted:,} rows in {time.perf_counter() - start:.1f} s)", flush=True)
    return first_seconds, second.sent, second_seconds


SPREADS = {
    "year": "spread over the coming year and the last ten days (a few percent due for a reminder)",
    "due": "all due for a reminder now (overdue up to ten days, or inside the window): the worst case",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deadlines", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against a PostgreSQL database (see the docstring): the figures mean nothing on SQLite.")

    rng = random.Random(args.seed)
    users = bench_users()
    organisations = list(
        Organisation.objects.filter(kind=OrganisationKind.DEPARTMENT, office_function="").values_list("pk", flat=True)[:4000]
    )
    # The mail job's message stays in the outbox (as if the broker were down): sending the mails
    # is the worker's work after the sweep, not the sweep's.
    outbox.services.message_send = lambda *, message_id: False
    print(f"{len(users):,} recipients, {len(organisations):,} organisations; reminder window "
          f"{registry.days_before()} days; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    worst = scenario("due", args.deadlines, users, organisations, rng)
    usual = scenario("year", args.deadlines, users, organisations, rng)
    print(f"reminder-sweep-100k-all-due: {worst[0]:.1f} s (worst case, no target)")
    print(f"reminder-second-sweep-100k-all-due: {worst[2]:.1f} s, sent {worst[1]} (target: 0 sent)")
    print(f"reminder-second-sweep-100k: {usual[2]:.1f} s (no target)")
    print(f"reminder-sweep-100k: {usual[0]:.1f} s (target: ≤ 5 s)")
    print(f"reminder-second-sweep-sent: {usual[1] + worst[1]} (target: 0)")


if __name__ == "__main__":
    main()
