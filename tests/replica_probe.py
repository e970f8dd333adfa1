"""Run by tests/test_replica.py in a process of its own, against a real primary (DATABASE_URL) and
its streaming standby (DATABASE_REPLICA_URL): publishes on the primary, reads through the portal,
and prints what each read saw and which server answered it, as JSON on the last line."""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from organisations.models import OrganisationKind, SubjectKind  # noqa: E402
from tests.basis.factories import CatalogueFactory, EntryFactory, InstrumentFactory  # noqa: E402
from tests.factories import OrganisationFactory  # noqa: E402


def scalar(alias, sql):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def wait_for_replay(timeout=30.0):
    """Until the standby has replayed everything the primary has written so far."""
    target = scalar("default", "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if scalar("replica", f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"):
            return
        time.sleep(0.05)
    raise SystemExit("the standby did not catch up")


class Counter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def read(client, url, needle):
    on_primary, on_replica = Counter(), Counter()
    with connections["default"].execute_wrapper(on_primary), connections["replica"].execute_wrapper(on_replica):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    return {
        "status": response.status_code,
        "found": needle in response.content.decode(),
        "primary_queries": on_primary.count,
        "replica_queries": on_replica.count,
    }


def publish(city, code, law_name):
    department = OrganisationFactory(
        parent=city, code=code, name=f"{law_name}主管部门", subject_kind=SubjectKind.STATUTORY_ORGAN
    )
    catalogue = CatalogueFactory(department=department, published_at=timezone.now())
    EntryFactory(catalogue=catalogue, instrument=InstrumentFactory(name=law_name), provisions="第十条")
    return department


def main():
    result = {"standby_in_recovery": scalar("replica", "SELECT pg_is_in_recovery()")}
    city = OrganisationFactory(code="RC", name="副本测试市人民政府", kind=OrganisationKind.CITY)
    first = publish(city, "RC-A", "副本读取测试条例")
    wait_for_replay()
    visitor = Client()
    result["replayed"] = read(visitor, f"/departments/{first.code}/catalogue/", "副本读取测试条例")

    # The standby stops replaying: what the primary publishes now exists only there.
    scalar("replica", "SELECT pg_wal_replay_pause()::text")
    try:
        second = publish(city, "RC-B", "暂停回放期间条例")
        url = f"/departments/{second.code}/catalogue/"
        result["not_yet_replayed"] = read(visitor, url, "暂停回放期间条例")
        # A visitor who has just written something (here: switched the language) reads his
        # next pages from the primary.
        writer = Client()
        result["write_status"] = writer.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"}).status_code
        result["after_own_write"] = read(writer, url, "暂停回放期间条例")
    finally:
        scalar("replica", "SELECT pg_wal_replay_resume()::text")
    wait_for_replay()
    result["after_replay"] = read(visitor, url, "暂停回放期间条例")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
