"""The backup and restore drill (scripts/backup.py, `make backup` / `make restore`), run for real
with pg_dump and pg_restore: a backup of the test database and a media folder is restored into a
new database and folder, and the two are compared. The audit trail's guard comes back with it."""

import hashlib
import shutil
import subprocess
import sys
import uuid
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from accounts.models import User
from audit.models import AuditAction, AuditEvent
from audit.services import event_record
from organisations.models import Organisation

pytestmark = [pytest.mark.backup, pytest.mark.django_db(transaction=True)]

SCRIPT = settings.BASE_DIR / "scripts" / "backup.py"


def _url(name: str) -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="") + (":" + quote(s["PASSWORD"], safe="") if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _connect(name: str):
    s = connection.settings_dict
    return psycopg2.connect(dbname=name, user=s["USER"], password=s["PASSWORD"] or None, host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432)


def _script(*args, database_url):
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url},
    )


@pytest.fixture
def restored_name():
    if connection.vendor != "postgresql":
        pytest.skip("the drill restores a pg_dump; on SQLite a backup is a copy of the file")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("the PostgreSQL client tools are not installed")
    name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    yield name
    admin = _connect("postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


def _counts(cursor, models) -> dict:
    result = {}
    for model in models:
        cursor.execute(f'SELECT count(*) FROM "{model._meta.db_table}"')
        result[model._meta.label] = cursor.fetchone()[0]
    return result


def test_backup_restores_into_a_fresh_database_with_its_files_and_the_audit_guard(city, users, tmp_path, restored_name):
    event_record(action=AuditAction.CREATE, actor=users.sysadmin, obj=city.dept_a, message="备份演练")
    media = tmp_path / "media"
    (media / "disclosure").mkdir(parents=True)
    pdf = media / "disclosure" / "C-A-booklet-v1.pdf"
    pdf.write_bytes(b"%PDF-1.7 " + "测试市市场监督管理局".encode() * 1000)
    source_url = _url(connection.settings_dict["NAME"])

    made = _script("backup", "--out", str(tmp_path / "backups"), "--media-root", str(media), database_url=source_url)
    assert made.returncode == 0, made.stderr
    archive = tmp_path / "backups" / made.stdout.split()[0].rsplit("/", 1)[-1]
    checksum = (tmp_path / "backups" / f"{archive.name}.sha256").read_text()
    assert checksum == f"{hashlib.sha256(archive.read_bytes()).hexdigest()}  {archive.name}\n"

    restored_media = tmp_path / "restored-media"
    back = _script("restore", str(archive), "--database-url", _url(restored_name), "--media-root", str(restored_media), database_url=source_url)
    assert back.returncode == 0, back.stderr

    models = (Organisation, User, AuditEvent)
    with connection.cursor() as cursor:
        expected = _counts(cursor, models)
    restored = _connect(restored_name)
    try:
        with restored.cursor() as cursor:
            assert _counts(cursor, models) == expected
            assert expected[AuditEvent._meta.label] >= 1
        restored_pdf = restored_media / "disclosure" / pdf.name
        assert hashlib.sha256(restored_pdf.read_bytes()).hexdigest() == hashlib.sha256(pdf.read_bytes()).hexdigest()

        with restored.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_event_guard' AND NOT tgisinternal")
            assert cursor.fetchone()[0] == 1
            cursor.execute(f'SELECT max(id) FROM "{AuditEvent._meta.db_table}"')
            fresh = cursor.fetchone()[0]
        for statement in (f'DELETE FROM "{AuditEvent._meta.db_table}" WHERE id = %s', f'UPDATE "{AuditEvent._meta.db_table}" SET message = \'\' WHERE id = %s'):
            with pytest.raises(psycopg2.errors.RaiseException), restored.cursor() as cursor:
                cursor.execute(statement, [fresh])
            restored.rollback()
        with restored.cursor() as cursor:
            cursor.execute(f'SELECT count(*) FROM "{AuditEvent._meta.db_table}" WHERE id = %s', [fresh])
            assert cursor.fetchone()[0] == 1
    finally:
        restored.close()

    # Into a database that is not empty: refused, nothing touched.
    again = _script("restore", str(archive), "--database-url", _url(restored_name), "--media-root", str(restored_media), database_url=source_url)
    assert again.returncode == 1 and "not empty" in again.stderr


def test_a_damaged_archive_is_refused_before_anything_is_restored(city, tmp_path, restored_name):
    made = _script("backup", "--out", str(tmp_path), "--media-root", str(tmp_path / "none"), database_url=_url(connection.settings_dict["NAME"]))
    assert made.returncode == 0, made.stderr
    archive = tmp_path / made.stdout.split()[0].rsplit("/", 1)[-1]
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))

    back = _script("restore", str(archive), "--database-url", _url(restored_name), "--media-root", str(tmp_path / "m"), database_url="")
    assert back.returncode == 1 and "does not match its checksum" in back.stderr
    admin = _connect("postgres")
    with admin.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [restored_name])
        assert cursor.fetchone()[0] == 0
    admin.close()
