#!/usr/bin/env python
"""Time the import of a 10,000-row catalogue spreadsheet (parse and validate: what the editor
waits for before the preview) and measure its peak memory.

    DATABASE_URL=sqlite:////tmp/bench_import.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/bench_import.sqlite3 .venv/bin/python bench/bench_import.py

The workbook is generated in memory from the starter registry (``load_instruments``) for the
demo city's market regulator (``load_demo``); both commands are run first if their data is
missing. The last two lines printed are the figures the issue sets targets for.
"""

import gc
import io
import os
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from basis.models import LegalInstrument, Provision  # noqa: E402
from basis.numbering import chinese_number  # noqa: E402
from basis.spreadsheets import parse_catalogue_upload  # noqa: E402
from basis.spreadsheets.columns import CATALOGUE_FIELDS, header_for  # noqa: E402
from organisations.models import Organisation  # noqa: E402

ROWS = 10_000
DEPARTMENT = "621200-SCJ"  # 陇南市市场监督管理局
PARTNERS = ("621200-WJW", "621200-STHJ", "621200-JTYS", "621200-GA", "621200-NYNC", "621200-YJGL")
RIGHTS = "依法对辖区内生产经营活动实施监督检查，查处违法行为，责令改正并依法给予行政处罚；对检查中发现的问题督促整改到位。"


def ensure_data() -> None:
    quiet = io.StringIO()
    if not LegalInstrument.objects.exists():
        call_command("load_instruments", stdout=quiet)
    if not Organisation.objects.filter(code=DEPARTMENT).exists():
        call_command("load_demo", stdout=quiet)


def generate_workbook() -> bytes:
    """10,000 distinct valid rows: sole, joint and coordinated entries over the registry, some
    departments written without the city's name, some laws without the country's."""
    department = Organisation.objects.get(code=DEPARTMENT)
    partners = list(Organisation.objects.filter(code__in=PARTNERS).values_list("name", flat=True))
    articles: dict[str, list[int]] = {}
    for name, article in Provision.objects.filter(paragraph=0, item=0).values_list("instrument__name", "article"):
        articles.setdefault(name, []).append(article)
    names = sorted(articles)
    rng = random.Random(2026)
    seen = set()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("执法依据目录")
    sheet.append(["陇南市市场监督管理局行政执法依据目录"])
    sheet.append([header_for(field) for field in CATALOGUE_FIELDS])
    while len(seen) < ROWS:
        name = rng.choice(names)
        cited = tuple(sorted(rng.sample(articles[name], min(2, len(articles[name])))))
        if (name, cited) in seen:
            continue
        seen.add((name, cited))
        provisions = "、".join(
            f"第{chinese_number(a)}条" + ("第二款" if i else "") for i, a in enumerate(cited)
        )
        partner = rng.choice(partners)
        kind = rng.random()
        lead, joint, assisting, category = department.name, "", "", "单一主管"
        if kind > 0.85:
            category, lead, assisting = "协同管理", partner, department.name.removeprefix("陇南市")
        elif kind > 0.6:
            category, joint = "共同管理", "、".join(rng.sample(partners, 2))
        shown = name.removeprefix("中华人民共和国") if rng.random() < 0.3 else name
        sheet.append(
            [len(seen), shown, "", "", "", provisions, category, lead, joint, assisting, RIGHTS, "法定行政机关", ""]
        )
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def parse(data: bytes, department):
    preview = parse_catalogue_upload(SimpleUploadedFile("目录.xlsx", data), department=department)
    if preview.errors or len(preview.rows) != ROWS:
        for error in preview.errors[:20]:
            print("  row", error.row, error.column, error.message)
        raise SystemExit(f"expected {ROWS} clean rows, got {len(preview.rows)} rows and {len(preview.errors)} errors")
    return preview


def time_confirm(data: bytes, department) -> float:
    """Save the 10,000 rows into a new draft, inside a transaction rolled back afterwards."""
    from django.db import transaction

    from accounts.models import Role, User
    from basis import services
    from basis.models import BasisCatalogue
    from basis.spreadsheets import import_confirm

    editor = User.objects.filter(organisation=department, role=Role.DEPARTMENT_EDITOR).first()
    preview = parse(data, department)
    with transaction.atomic():
        catalogue = BasisCatalogue.objects.filter(department=department, status__in=["draft", "returned"]).first()
        catalogue = catalogue or services.catalogue_start(actor=editor, department=department)
        started = time.perf_counter()
        import_confirm(actor=editor, catalogue=catalogue, preview=preview)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def main() -> None:
    ensure_data()
    data = generate_workbook()
    department = Organisation.objects.get(code=DEPARTMENT)
    print(f"database: {connection.vendor}; workbook: {ROWS} rows, {len(data) / 1024 / 1024:.1f} MB")

    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    preview = parse(data, department)
    elapsed = time.perf_counter() - started
    rss_delta = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024  # KiB on Linux
    del preview

    # A second run under tracemalloc (which slows Python down) for the allocation peak.
    gc.collect()
    tracemalloc.start()
    parse(data, department)
    _current, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    traced = traced_peak / 1024 / 1024

    confirm = time_confirm(data, department)

    print(f"tracemalloc peak: {traced:.1f} MB; ru_maxrss growth: {rss_delta:.1f} MB")
    print(f"import-10k-confirm: {confirm:.2f} s (no target: the save after a clean preview)")
    print(f"import-10k-rows: {elapsed:.2f} s (target: ≤ 10 s)")
    print(f"import-10k-peak-memory: {max(traced, rss_delta):.1f} MB (target: ≤ 300 MB)")


if __name__ == "__main__":
    main()
