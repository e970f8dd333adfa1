"""What bench_scale.py is made of (issue 17): a figure is a page (or an API call) and its raw-SQL
twin, the SQL that returns the same rows, timed in the same loop so that both see the same
machine. Each figure module (scale_*.py) gives a list of them; bench_scale.py runs them all and
prints, for each, the page's p95, its twin's p95 and the ratio.

Times are in milliseconds; the p95 is the nearest-rank one.
"""

from __future__ import annotations

import gc
import math
import os
import statistics
import time
from dataclasses import dataclass, field
from typing import Callable

from django.db import connection
from django.test import Client
from django.utils import timezone


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass
class Figure:
    """``page()`` makes one request (it asserts its status itself); ``sql()`` runs the twin and
    fetches every row. ``before()`` runs untimed ahead of each page request (say, emptying the
    cache for a first view after a change). ``target`` is the page's own target in words, or
    empty; ``ratio_target`` the page-to-SQL ratio the issue sets, or None."""

    name: str
    page: Callable[[], object]
    sql: Callable[[], object] | None = None
    target: str = ""
    ratio_target: float | None = 3.0
    before: Callable[[], object] | None = None
    note: str = ""
    page_times: list[float] = field(default_factory=list)
    sql_times: list[float] = field(default_factory=list)


def sql_rows(statement: str, params=()) -> Callable[[], list]:
    """A twin that runs one statement and fetches every row."""

    def run():
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()

    return run


def sql_all(*twins: Callable[[], list]) -> Callable[[], list]:
    """A twin made of several statements (a page shows a header and a list, say)."""

    def run():
        return [twin() for twin in twins]

    return run


def get(client: Client, url: str, status: int = 200, **extra) -> Callable[[], object]:
    def run():
        response = client.get(url, **extra)
        assert response.status_code == status, (url, response.status_code)
        # A streaming or lazily rendered body is part of the page's time.
        return response.content

    return run


def measure(figures: list[Figure], runs: int) -> None:
    """Warm each figure once, then ``runs`` rounds in which every figure's page and twin run one
    after the other."""
    for figure in figures:
        if figure.before:
            figure.before()
        figure.page()
        if figure.sql:
            figure.sql()
    for _ in range(runs):
        for figure in figures:
            if figure.before:
                figure.before()
            start = time.perf_counter()
            figure.page()
            figure.page_times.append((time.perf_counter() - start) * 1000)
            if figure.sql:
                start = time.perf_counter()
                figure.sql()
                figure.sql_times.append((time.perf_counter() - start) * 1000)


def report(figures: list[Figure]) -> list[str]:
    """Detail lines first (p50 and max), then one line a figure: the page's p95 with its target,
    the twin's p95 and the ratio of the two p95s with the issue's ratio target."""
    for figure in figures:
        line = f"  {figure.name}: page p50 {statistics.median(figure.page_times):.1f} ms, max {max(figure.page_times):.1f} ms"
        if figure.sql_times:
            line += f"; sql p50 {statistics.median(figure.sql_times):.1f} ms"
        if figure.note:
            line += f" ({figure.note})"
        print(line)
    lines = []
    for figure in figures:
        page = p95(figure.page_times)
        lines.append(f"{figure.name}-p95: {page:.1f} ms (target: {figure.target or 'none of its own'})")
        if figure.sql_times:
            sql = p95(figure.sql_times)
            lines.append(f"{figure.name}-sql-p95: {sql:.1f} ms (target: none; the twin)")
            ratio_target = f"≤ {figure.ratio_target:g}×" if figure.ratio_target else "none"
            lines.append(f"{figure.name}-ratio: {page / sql:.1f} × (target: {ratio_target})")
    return lines


def account(username: str, role: str, organisation):
    from accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, organisation=organisation, full_name=username)
        user.set_password(os.urandom(16).hex() + "Aa1!")
        user.password_changed_at = timezone.now()
        user.save()
    elif user.organisation_id != organisation.pk:
        user.organisation = organisation
        user.save(update_fields=["organisation"])
    return user


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def collect_now() -> None:
    gc.collect()
