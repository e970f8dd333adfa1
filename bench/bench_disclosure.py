#!/usr/bin/env python
"""Time the disclosure booklet of a department of 300 powers, against WeasyPrint rendering a
plain table and bare paragraphs of the same text with the same font in the same run, and measure
its memory; and the time from a typical department's publication (30 powers, the median
breakdown) to its booklet being ready.

    .venv/bin/python bench/bench_disclosure.py            # a throwaway SQLite database
    .venv/bin/python bench/bench_disclosure.py --powers 30 --runs 3     # the typical department
    .venv/bin/python bench/bench_disclosure.py --subsetter fonttools    # as on a machine without
                                                                        # libharfbuzz-subset0
    DATABASE_URL=postgres://…/lecrs_bench .venv/bin/python bench/bench_disclosure.py --keep-database

``--subsetter fonttools`` makes WeasyPrint take the path it takes when HarfBuzz's subsetter is
not installed: it decides in ``weasyprint.pdf.fonts.Font.subset`` on the module's
``harfbuzz_subset`` handle (loaded at import with ``allow_fail``), so the script sets that handle
to None in its process (and in the memory child), which is exactly the state of a machine without
``libharfbuzz-subset.so.0``; ``responsibility.disclosure.harfbuzz_subsetter_available`` then says
False too.

Without ``--keep-database`` the script makes its own SQLite file in a temporary folder, migrates
it, builds the department and deletes the file at the end (the render is WeasyPrint's work; the
database's share is a dozen queries). With ``--keep-database`` it uses ``DATABASE_URL`` (migrated
already) and removes the organisations, instruments and users it made (codes ``BENCH-DISC-``).

The department: 300 powers, each resting on two provisions, assigned to two posts, with a
procedure of 5 to 7 steps; a catalogue of 60 entries; 600 responsibilities; 300 enforcement
standards of 3 bands; 40 officers with valid certificates.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

PREFIX = "BENCH-DISC-"
POWERS = 300
RUNS = 3
TYPICAL_POWERS = 30
# --clock cpu: time.process_time, the CPU this process used (the renders run in it, on one
# thread), so that other work on a shared machine does not count; wall: time.perf_counter.
clock = time.perf_counter


def force_subsetter(name: str) -> None:
    """"fonttools": WeasyPrint as without libharfbuzz-subset (see the module's docstring)."""
    if name == "fonttools":
        from weasyprint.pdf import fonts

        fonts.harfbuzz_subset = None
    from responsibility.disclosure import harfbuzz_subsetter_available

    assert harfbuzz_subsetter_available() == (name == "harfbuzz"), f"cannot measure with {name} on this machine"


def setup_django(database_url: str | None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


# -- The department ---------------------------------------------------------------------------


def build_department(powers_count: int = POWERS):
    import datetime
    import random

    from django.core.management import call_command
    from django.utils import timezone

    from authority.models import (
        Breakdown,
        Certificate,
        Officer,
        OfficerPost,
        Post,
        PostAssignment,
        PowerItem,
        PowerKind,
        ProcedureStage,
        ProcedureStep,
    )
    from basis.models import (
        BasisCatalogue,
        CatalogueEntry,
        InstrumentLevel,
        LegalInstrument,
        Provision,
    )
    from organisations.models import OrganisationKind, SubjectKind
    from organisations.services import organisation_create
    from responsibility.models import (
        EnforcementStandard,
        HolderLevel,
        Responsibility,
        ResponsibilityKind,
        ResponsibilitySet,
        StandardBand,
    )
    from workflow.review import ReviewStatus

    call_command("load_authority_reference", verbosity=0)
    rkind = ResponsibilityKind.objects.get_or_create(code="handling", defaults={"name": "承办责任", "order": 40})[0]
    rng = random.Random(2026)
    now = timezone.now()
    city = organisation_create(parent=None, code=f"{PREFIX}CITY", name="基准市人民政府", kind=OrganisationKind.CITY)
    department = organisation_create(
        parent=city, code=f"{PREFIX}SCJ", name="基准市市场监督管理局", kind=OrganisationKind.DEPARTMENT,
        subject_kind=SubjectKind.STATUTORY_ORGAN,
    )
    agencies = [
        organisation_create(parent=department, code=f"{PREFIX}A{n}", name=name, kind=OrganisationKind.AGENCY)
        for n, name in enumerate(["执法稽查科", "食品安全监管科", "特种设备安全监察科", "价格监督检查科"])
    ]
    posts = Post.objects.bulk_create(
        Post(agency=agency, name=name, positions=3)
        for agency in agencies
        for name in ("案件承办岗", "案件审核岗", "法制审核岗", "案件决定岗")
    )
    instruments = LegalInstrument.objects.bulk_create(
        LegalInstrument(
            code=f"{PREFIX}I{n:03d}", name=f"基准省市场监督管理条例第{n}号", level=InstrumentLevel.LOCAL_REGULATION,
            issuing_organ="基准省人民代表大会常务委员会", document_number=f"基准人大常委会公告第{n}号",
        )
        for n in range(60)
    )
    provisions = Provision.objects.bulk_create(
        Provision(instrument=i, article=a, text=f"违反本条例规定的，由市场监督管理部门责令改正，处{a}千元以上{a * 5}千元以下罚款。")
        for i in instruments
        for a in range(1, 21)
    )
    catalogue = BasisCatalogue.objects.create(department=department, version=1, status=ReviewStatus.PUBLISHED, published_at=now)
    entries = CatalogueEntry.objects.bulk_create(
        CatalogueEntry(
            catalogue=catalogue, position=n + 1, instrument=i, category="sole", lead_department=department,
            rights_and_duties="依法对辖区内生产经营活动实施监督检查，查处违法行为，责令改正并依法给予行政处罚。",
        )
        for n, i in enumerate(instruments)
    )
    CatalogueEntry.provisions.through.objects.bulk_create(
        CatalogueEntry.provisions.through(catalogueentry_id=e.pk, provision_id=p.pk)
        for n, e in enumerate(entries)
        for p in provisions[n * 20: n * 20 + 3]
    )
    breakdown = Breakdown.objects.create(department=department, version=1, status=ReviewStatus.PUBLISHED, published_at=now)
    penalty = PowerKind.objects.get(code="penalty")
    stages = list(ProcedureStage.objects.order_by("order"))
    powers = PowerItem.objects.bulk_create(
        PowerItem(
            breakdown=breakdown, position=n + 1, code=f"{PREFIX}P{n:04d}", kind=penalty, enforcing_organ=department,
            name=f"对生产经营者违反基准省市场监督管理条例第{n % 60}号第{n % 20 + 1}条规定行为的行政处罚（第{n + 1}项）",
            handling_agency=agencies[n % 4], accountability_grounds="《行政执法责任制实施方案》第五条",
        )
        for n in range(powers_count)
    )
    PowerItem.provisions.through.objects.bulk_create(
        PowerItem.provisions.through(poweritem_id=p.pk, provision_id=provisions[(n * 7 + k) % len(provisions)].pk)
        for n, p in enumerate(powers)
        for k in range(2)
    )
    PostAssignment.objects.bulk_create(
        PostAssignment(power=p, post=posts[(n % 4) * 4 + k], role=role)
        for n, p in enumerate(powers)
        for k, role in ((0, "handling"), (3, "decision"))
    )
    ProcedureStep.objects.bulk_create(
        ProcedureStep(
            power=p, order=k + 1, stage=stages[k % len(stages)], post=posts[(n % 4) * 4 + k % 4],
            duty="依照法定程序办理并制作相应文书", time_limit=rng.choice([3, 5, 7, 15]),
        )
        for n, p in enumerate(powers)
        for k in range(5 + n % 3)
    )
    rset = ResponsibilitySet.objects.create(department=department, version=1, status=ReviewStatus.PUBLISHED, published_at=now)
    Responsibility.objects.bulk_create(
        Responsibility(
            responsibility_set=rset, position=n * 2 + k + 1, level=HolderLevel.POST, post=posts[(n % 4) * 4 + k * 3],
            kind=rkind, power_code=p.code, stage=stages[k],
            content="对案件事实、证据、法律适用和程序进行审查，提出处理意见，对所承办事项的合法性负责。",
        )
        for n, p in enumerate(powers)
        for k in range(2)
    )
    standards = EnforcementStandard.objects.bulk_create(
        EnforcementStandard(responsibility_set=rset, position=n + 1, power_code=p.code, title=f"{p.name}裁量基准")
        for n, p in enumerate(powers)
    )
    StandardBand.objects.bulk_create(
        StandardBand(standard=s, order=k + 1, label=label, circumstances=f"{label}情节：违法行为持续时间、危害后果和改正情况", measure=f"处{k + 1}千元以上{k + 3}千元以下罚款")
        for s in standards
        for k, label in enumerate(("轻微", "一般", "严重"))
    )
    officers = Officer.objects.bulk_create(Officer(department=department, name=f"执法员{n:02d}") for n in range(40))
    OfficerPost.objects.bulk_create(
        OfficerPost(officer=o, post=posts[n % len(posts)], since=datetime.date(2020, 1, 1)) for n, o in enumerate(officers)
    )
    today = datetime.date.today()
    certificates = Certificate.objects.bulk_create(
        Certificate(
            number=f"{PREFIX}{n:06d}", officer=o, issuing_government=city, area="基准市",
            valid_from=today - datetime.timedelta(days=30), valid_until=today + datetime.timedelta(days=900),
        )
        for n, o in enumerate(officers)
    )
    Certificate.kinds.through.objects.bulk_create(Certificate.kinds.through(certificate_id=c.pk, powerkind_id=penalty.pk) for c in certificates)
    return department


def remove_department() -> None:
    """Delete what build_department made (for --keep-database)."""
    from django.db import transaction

    from authority.models import Breakdown, Certificate, Officer, Post
    from basis.models import BasisCatalogue, LegalInstrument, Provision
    from organisations.models import Organisation
    from responsibility.models import DisclosureDocument, ResponsibilitySet

    organisations = Organisation.objects.filter(code__startswith=PREFIX)
    with transaction.atomic():
        DisclosureDocument.objects.filter(organisation__in=organisations).delete()
        Certificate.objects.filter(number__startswith=PREFIX).delete()
        Officer.objects.filter(department__in=organisations).delete()
        ResponsibilitySet.objects.filter(department__in=organisations).delete()
        Breakdown.objects.filter(department__in=organisations).delete()
        BasisCatalogue.objects.filter(department__in=organisations).delete()
        Post.objects.filter(agency__in=organisations).delete()
        Provision.objects.filter(instrument__code__startswith=PREFIX).delete()
        LegalInstrument.objects.filter(code__startswith=PREFIX).delete()
        # A government is its own jurisdiction (a protected reference): undo that first.
        organisations.update(jurisdiction=None)
        for organisation in organisations.order_by("-depth"):
            organisation.delete()


# -- Measurements -----------------------------------------------------------------------------


def printed_strings(content: dict) -> list[str]:
    """Every string of the content, in order: what the booklet prints (and a few codes and
    dates it does not)."""
    cells: list[str] = []

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and value:
            cells.append(value)

    walk(content)
    return cells


def plain_table_html(content: dict) -> str:
    """Every string the booklet prints, one per row of a single table: the baseline."""
    from django.utils.html import escape

    rows = "".join(f"<tr><td>{n}</td><td>{escape(text)}</td></tr>" for n, text in enumerate(printed_strings(content)))
    return f'<!DOCTYPE html><html lang="zh-Hans"><body><table>{rows}</table></body></html>'


def paragraphs_html(content: dict) -> str:
    """The same strings as bare paragraphs, fifty to a <div> (WeasyPrint slows down on one block
    of thousands of children): no table, no borders, no running headers. Not a target, an
    estimate of what WeasyPrint needs for this much text on this machine."""
    from django.utils.html import escape

    cells = printed_strings(content)
    groups = ("".join(f"<p>{escape(text)}</p>" for text in cells[n:n + 50]) for n in range(0, len(cells), 50))
    return '<!DOCTYPE html><html lang="zh-Hans"><body>' + "".join(f"<div>{g}</div>" for g in groups) + "</body></html>"


def render_booklet(department) -> tuple[float, int, bytes]:
    """The booklet as the task makes it (content, HTML, PDF), without saving: seconds, pages."""
    from django.conf import settings
    from django.utils import translation

    from responsibility import disclosure

    started = clock()
    with translation.override(settings.LANGUAGE_CODE):
        font_file, family = disclosure.cjk_font()
        content = disclosure.content_for(department, "booklet")
        html = disclosure.build_html(content, "booklet", font_family=family)
    global last_content_seconds
    last_content_seconds = clock() - started
    pdf, pages = disclosure.write_pdf(html, font_file=font_file, font_family=family)
    return clock() - started, pages, pdf


# Of the last render_booklet: the seconds spent before WeasyPrint (queries, content, template).
last_content_seconds = 0.0


def render_plain(content: dict, make_html=plain_table_html) -> float:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from responsibility import disclosure

    font_file, family = disclosure.cjk_font()
    started = clock()
    html = make_html(content)
    fonts = FontConfiguration()
    css = CSS(
        string=(
            f'@font-face {{ font-family: "Disclosure CJK"; src: url("{Path(font_file).as_uri()}"); }}'
            'html { font-family: "Disclosure CJK", sans-serif; font-size: 9.5pt; } @page { size: A4; margin: 20mm 16mm; }'
            "table { width: 100%; border-collapse: collapse; } td { border: 0.5pt solid #888; padding: 1.2mm; } p { margin: 0; }"
        ),
        font_config=fonts,
    )
    HTML(string=html).render(stylesheets=[css], font_config=fonts).write_pdf()
    return clock() - started


def child(department_code: str, subsetter: str = "harfbuzz") -> None:
    """Run in a fresh process: the growth of the resident set from just before the render to its
    high-water mark (VmHWM, reset first), and the number of pages. Linux only."""
    from organisations.models import Organisation

    department = Organisation.objects.get(code=department_code)
    # Import what the render needs (WeasyPrint, the font lookup) but render nothing before the
    # measurement: loading and subsetting the CJK font is the largest allocation of a render
    # (hundreds of MB for a collection of 65,000 glyphs), and a warm-up render would hide it.
    import weasyprint  # noqa: F401

    from responsibility import disclosure

    force_subsetter(subsetter)
    disclosure.cjk_font()
    # ru_maxrss survives fork and exec: this process would report the parent's peak (the
    # parent has rendered the booklet already). Linux lets a process reset its high-water mark.
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_kib("VmRSS")
    _elapsed, pages, _pdf = render_booklet(department)
    after = _status_kib("VmHWM")
    print(json.dumps({"growth_kib": after - before, "pages": pages, "peak_kib": after}))


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep-database", action="store_true", help="use DATABASE_URL and remove the generated rows")
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--powers", type=int, default=POWERS, help=f"powers of the department (default {POWERS}; {TYPICAL_POWERS} is typical)")
    parser.add_argument(
        "--subsetter", choices=["harfbuzz", "fonttools"], default="harfbuzz",
        help="how WeasyPrint subsets the CJK font: fonttools is what a machine without libharfbuzz-subset0 does",
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the memory measurement (a fresh process)")
    parser.add_argument(
        "--clock", choices=["wall", "cpu"], default="wall",
        help="cpu: count the CPU time of this process only (renders are single-threaded), for a shared machine",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        setup_django(args.database_url)
        child(args.child, args.subsetter)
        return

    workdir = None
    if args.keep_database:
        database_url = os.environ.get("DATABASE_URL")
        if not database_url:
            sys.exit("--keep-database needs DATABASE_URL")
    else:
        workdir = tempfile.TemporaryDirectory(prefix="bench-disclosure-")
        database_url = f"sqlite:///{workdir.name}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = os.environ.get("MEDIA_ROOT") or tempfile.mkdtemp(prefix="bench-disclosure-media-")
    # The request at the end renders in-process (the embedded default), whatever the shell says.
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.pop("CELERY_RESULT_BACKEND", None)
    setup_django(database_url)
    force_subsetter(args.subsetter)
    global clock
    clock = time.process_time if args.clock == "cpu" else time.perf_counter

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from responsibility import disclosure
    from responsibility.models import DisclosureDocument

    try:
        if workdir is not None:
            call_command("migrate", verbosity=0)
        else:
            remove_department()
        started = time.perf_counter()
        department = build_department(args.powers)
        print(
            f"database: {connection.vendor}; department of {args.powers} powers built in {time.perf_counter() - started:.1f} s; "
            f"font subsetter: {args.subsetter}",
            flush=True,
        )

        with translation.override(settings.LANGUAGE_CODE):
            content = disclosure.content_for(department, "booklet")
        # Interleaved: each run renders the booklet, its bare-paragraphs twin and the plain table
        # one after the other, so that the three share the machine's load of the moment; the
        # ratios are taken run by run and their median reported (on a shared machine the load
        # moves between runs, not within one).
        booklet_times, plain_times, paragraph_times = [], [], []
        pages = 0
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                elapsed, pages, pdf = render_booklet(department)
            booklet_times.append(elapsed)
            paragraph_times.append(render_plain(content, paragraphs_html))
            plain_times.append(render_plain(content))
            print(
                f"run {len(booklet_times)}: booklet {elapsed:.2f} s (content and HTML {last_content_seconds:.2f} s), bare paragraphs {paragraph_times[-1]:.2f} s "
                f"({elapsed / paragraph_times[-1]:.2f} x), plain table {plain_times[-1]:.2f} s, load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )
        booklet, plain, paragraphs = (statistics.median(t) for t in (booklet_times, plain_times, paragraph_times))
        vs_paragraphs = statistics.median(b / p for b, p in zip(booklet_times, paragraph_times, strict=True))
        vs_plain = statistics.median(b / p for b, p in zip(booklet_times, plain_times, strict=True))
        strings = printed_strings(content)
        print(
            f"the same {len(strings)} strings ({sum(map(len, strings))} characters) as bare paragraphs: {paragraphs:.2f} s",
            flush=True,
        )
        print(
            f"booklet: {pages} pages, {len(pdf) / 1024:.0f} KiB, {len(queries)} queries; "
            f"runs {', '.join(f'{t:.2f}' for t in booklet_times)} s; plain table runs {', '.join(f'{t:.2f}' for t in plain_times)} s"
        )

        per_page = None
        if not args.no_memory:
            # Memory: a fresh interpreter renders once; its peak RSS growth over the render, per page.
            result = subprocess.run(
                [sys.executable, __file__, "--child", department.code, "--database-url", database_url, "--subsetter", args.subsetter],
                capture_output=True, text=True, check=True, env={**os.environ},
            )
            measured = json.loads(result.stdout.strip().splitlines()[-1])
            per_page = measured["growth_kib"] / 1024 / measured["pages"]
            print(f"child process: peak RSS {measured['peak_kib'] / 1024:.0f} MB, growth {measured['growth_kib'] / 1024:.0f} MB over {measured['pages']} pages")

        # After publication: what the publication's receiver does (request the booklet and the
        # bulletin sheet; the embedded default renders them in-process, in turn, after the
        # commit), timed until the booklet is ready. Content made unique first, so that it is
        # rendered rather than found ready.
        from django.utils import timezone

        from authority.models import Breakdown
        from responsibility import disclosure_services
        from responsibility.models import DocumentStatus
        from responsibility.receivers import on_version_published

        ready_times, both_times = [], []
        for run in range(args.runs):
            breakdown = Breakdown.objects.get(department=department)
            breakdown.powers.filter(position=1).update(name=f"对生产经营者违反基准省市场监督管理条例规定行为的行政处罚（第{run + 1}次公布）")
            published_at, wall, started = timezone.now(), time.perf_counter(), clock()
            on_version_published(sender=None, version=breakdown)
            both_times.append(clock() - started)
            booklet_ready = DisclosureDocument.objects.filter(organisation=department, kind="booklet").order_by("-version").first()
            assert booklet_ready.status == DocumentStatus.READY, (booklet_ready.status, booklet_ready.error)
            # The booklet is rendered first: its share of the wall time, scaled to the clock.
            booklet_wall = (booklet_ready.finished_at - published_at).total_seconds()
            ready_times.append(both_times[-1] * booklet_wall / max(time.perf_counter() - wall, 1e-9))
            print(f"publication {run + 1}: booklet ready in {ready_times[-1]:.2f} s, with the bulletin sheet {both_times[-1]:.2f} s", flush=True)
        after_publication = statistics.median(ready_times)

        # Unchanged content: request twice; the first renders (through the eager task), the
        # second must find the ready row.
        first = disclosure_services.request_render(department, "booklet")
        first.refresh_from_db()
        attempts_before = DisclosureDocument.objects.filter(organisation=department).values_list("attempts", flat=True)
        before = sum(attempts_before)
        again = disclosure_services.request_render(department, "booklet")
        rerenders = sum(DisclosureDocument.objects.filter(organisation=department).values_list("attempts", flat=True)) - before
        assert again.pk == first.pk and first.status == "ready", (first.status, first.error)

        tag = "" if args.subsetter == "harfbuzz" else "-fonttools"
        print(
            f"(font subsetter: {args.subsetter}; clock: {args.clock}; {os.cpu_count()} CPUs, load average "
            f"{os.getloadavg()[0]:.1f}: on a shared machine wall-clock figures are upper bounds)"
        )
        if args.powers <= TYPICAL_POWERS * 2:
            print(f"booklet-{args.powers}-powers-ready-after-publication{tag}: {after_publication:.2f} s (target: ≤ 3 s)")
        print(f"booklet-{args.powers}-powers{tag}: {booklet:.2f} s (target: none; was ≤ 10 s for 300 powers)")
        print(f"booklet-vs-bare-paragraphs{tag}: {vs_paragraphs:.2f} x (target: ≤ 1.1 x)")
        print(f"booklet-vs-plain-table{tag}: {vs_plain:.2f} x (target: ≤ 1.5 x)")
        if per_page is not None:
            print(f"booklet-peak-memory-per-page{tag}: {per_page:.2f} MB (target: ≤ 10 MB)")
        print(f"booklet-unchanged-rerender{tag}: {rerenders} renders (target: 0)")
    finally:
        if workdir is None:
            remove_department()
        else:
            connection.close()
            workdir.cleanup()


if __name__ == "__main__":
    main()
