#!/usr/bin/env python3
"""Backup and restore of the database and the media files, as one archive.

    backup.py backup [--out DIR]                    -> DIR/lecrs-<time>.tar and .tar.sha256
    backup.py restore ARCHIVE [--database-url URL] [--media-root DIR]

The archive holds ``manifest.json``, the database (PostgreSQL: ``database.dump``, pg_dump's
custom format; SQLite: ``database.sqlite3``, a consistent copy made with SQLite's backup API)
and ``media/``, the uploaded and rendered files. Beside it, ``<archive>.sha256`` in the format
``sha256sum -c`` reads; restore checks it before it touches anything.

A restore goes into a fresh database: on PostgreSQL the one named by ``--database-url`` (default
``DATABASE_URL``) is created if missing (with the source's encoding and locale, from the
manifest) and must hold no tables. pg_restore recreates the schema, the data and then the
triggers, the audit trail's append-only guard among them. The files go back under
``--media-root`` (default ``MEDIA_ROOT``, else ./media).

Standalone on purpose (no Django): it runs where only Python and the PostgreSQL client tools
are, with the same environment variables as the app.
"""

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "postgis"}


class BackupError(Exception):
    pass


def _run(command: list[str], **kwargs) -> str:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout


def _libpq_url(url: str) -> str:
    """dj-database-url's schemes as libpq reads them."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql", *parts[1:]))


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(_libpq_url(url))
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def _database_name(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/"))


def _sqlite_path(url: str) -> Path:
    # As dj-database-url reads it: sqlite:///relative.db, sqlite:////absolute/path.db
    return Path(url.split("sqlite://", 1)[1][1:])


def _psql(url: str, sql: str) -> str:
    return _run(["psql", "--no-psqlrc", "-Atq", "-v", "ON_ERROR_STOP=1", "-d", _libpq_url(url), "-c", sql]).strip()


def _major(version: str) -> int:
    return int(version.split(".")[0])


def check_pg_dump_version(url: str) -> dict:
    """pg_dump must be at least the server's major version (an older one refuses or, worse,
    misses objects); returns both for the manifest."""
    client = _run(["pg_dump", "--version"]).split()[-1]
    server = _psql(url, "SHOW server_version").split()[0]
    if _major(client) < _major(server):
        raise BackupError(f"pg_dump {client} is older than the server ({server}): install postgresql-client-{_major(server)}")
    return {"pg_dump": client, "server": server}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(*, database_url: str, media_root: Path, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    archive = out / f"lecrs-{stamp}.tar"
    scheme = urlsplit(database_url).scheme
    manifest = {"created_at": stamp, "format": 1}
    with tempfile.TemporaryDirectory(prefix="lecrs-backup-") as tmp:
        tmp = Path(tmp)
        if scheme in POSTGRES_SCHEMES:
            manifest["database"] = "postgresql"
            manifest["versions"] = check_pg_dump_version(database_url)
            encoding, collate, ctype = _psql(
                database_url,
                "SELECT pg_encoding_to_char(encoding) || '|' || datcollate || '|' || datctype FROM pg_database WHERE datname = current_database()",
            ).split("|")
            manifest["encoding"] = {"encoding": encoding, "lc_collate": collate, "lc_ctype": ctype}
            dump = tmp / "database.dump"
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(dump), "--dbname", _libpq_url(database_url)])
        elif scheme == "sqlite":
            manifest["database"] = "sqlite"
            dump = tmp / "database.sqlite3"
            source = sqlite3.connect(_sqlite_path(database_url))
            target = sqlite3.connect(dump)
            with target:
                source.backup(target)  # consistent even while the app writes
            source.close()
            target.close()
        else:
            raise BackupError(f"unsupported database: {scheme}")
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2))
        with tarfile.open(archive, "w") as tar:
            tar.add(tmp / "manifest.json", arcname="manifest.json")
            tar.add(dump, arcname=dump.name)
            if media_root.is_dir():
                tar.add(media_root, arcname="media")
    # The checksum is written last: an archive without one is an unfinished backup.
    Path(f"{archive}.sha256").write_text(f"{sha256_of(archive)}  {archive.name}\n")
    return archive


def verify(archive: Path) -> None:
    checksum = Path(f"{archive}.sha256")
    if not checksum.is_file():
        raise BackupError(f"no checksum beside the archive ({checksum})")
    expected = checksum.read_text().split()[0]
    if sha256_of(archive) != expected:
        raise BackupError(f"{archive.name} does not match its checksum: damaged or incomplete, not restored")


def _safe_members(tar: tarfile.TarFile):
    for member in tar.getmembers():
        if member.name.startswith("/") or ".." in Path(member.name).parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"unexpected member in the archive: {member.name}")
    return tar.getmembers()


def _create_fresh_pg(url: str, encoding: dict) -> None:
    name = _database_name(url)
    maintenance = _with_database(url, "postgres")
    exists = _psql(maintenance, f"SELECT 1 FROM pg_database WHERE datname = '{name.replace(chr(39), chr(39) * 2)}'")
    if exists:
        tables = _psql(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        if int(tables):
            raise BackupError(f"database {name} is not empty ({tables} tables): restore into a fresh one")
        return
    _run([
        "createdb", "--template=template0",
        f"--encoding={encoding['encoding']}", f"--lc-collate={encoding['lc_collate']}", f"--lc-ctype={encoding['lc_ctype']}",
        "--maintenance-db", maintenance, name,
    ])


def restore(*, archive: Path, database_url: str, media_root: Path) -> dict:
    verify(archive)
    with tempfile.TemporaryDirectory(prefix="lecrs-restore-") as tmp:
        tmp = Path(tmp)
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, members=_safe_members(tar), filter="data")
        manifest = json.loads((tmp / "manifest.json").read_text())
        scheme = urlsplit(database_url).scheme
        if manifest["database"] == "postgresql":
            if scheme not in POSTGRES_SCHEMES:
                raise BackupError("a PostgreSQL backup restores into PostgreSQL: set DATABASE_URL or --database-url")
            check_pg_dump_version(_with_database(database_url, "postgres"))
            _create_fresh_pg(database_url, manifest["encoding"])
            _run([
                "pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                "--dbname", _libpq_url(database_url), str(tmp / "database.dump"),
            ])
        else:
            if scheme != "sqlite":
                raise BackupError("a SQLite backup restores into SQLite")
            target = _sqlite_path(database_url)
            if target.exists():
                raise BackupError(f"{target} exists: restore into a fresh file")
            shutil.copy2(tmp / "database.sqlite3", target)
        restored_files = 0
        if (tmp / "media").is_dir():
            for source in (tmp / "media").rglob("*"):
                if source.is_file():
                    destination = media_root / source.relative_to(tmp / "media")
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, destination)
                    restored_files += 1
    return {"database": _database_name(database_url) if manifest["database"] == "postgresql" else str(_sqlite_path(database_url)), "files": restored_files}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="write an archive and its checksum")
    make.add_argument("--out", type=Path, default=Path(os.environ.get("BACKUP_DIR", BASE_DIR / "backups")))
    back = commands.add_parser("restore", help="check an archive and restore it into a fresh database")
    back.add_argument("archive", type=Path)
    back.add_argument("--database-url", default=None, help="the target (default: DATABASE_URL)")
    for sub in (make, back):
        sub.add_argument("--media-root", type=Path, default=Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media")))
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    try:
        if args.command == "backup":
            archive = backup(database_url=database_url, media_root=args.media_root, out=args.out)
            print(f"{archive}\n{archive}.sha256")
        else:
            result = restore(archive=args.archive, database_url=args.database_url or database_url, media_root=args.media_root)
            print(f"restored into {result['database']}; {result['files']} files under {args.media_root}")
    except BackupError as error:
        print(f"backup.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
