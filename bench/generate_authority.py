#!/usr/bin/env python
"""Extend the province of bench/generate_province.py with the authority breakdown of issue 4:
for every generated enforcement department (entrusted bodies included) internal agencies and
their posts, one published breakdown (5 % also have a submitted second version, a copy of the
first), 200,000 power items in all, each citing 1–3 provisions of instruments in the
department's published catalogue, post assignments for most powers, procedures for a third of
them, and 40,000 officers with their placements, training, exams and certificates. Everything
is written with bulk inserts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lecrs_bench \\
        .venv/bin/python bench/generate_authority.py --reset

The totals are for the full province (3,990 departments) and shrink with it: a province built
with ``--scale`` or ``--small`` gets as many powers and officers per department on average.
Sizes are uneven, as in real lists: a city's market-supervision bureau has several hundred
powers, a small county office a dozen. Some powers are deliberately left without a post, some
posts without a certified officer, and some certificates expired, suspended, revoked, short of
kinds or issued elsewhere, so that the completeness report has something to find.

Generated agencies have codes starting ``PRV-`` (under their department's code), certificates
numbers starting ``BENCH-``; ``--reset`` removes every breakdown, post, officer and certificate
of the generated departments, and the agencies, first. Run it with ``--remove`` (removes and
stops) before regenerating the province itself, whose reset does not know these tables.
"""

import argparse
import datetime
import io
import os
import random
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from authority.models import (  # noqa: E402
    AssignmentRole,
    Breakdown,
    BreakdownEvent,
    Certificate,
    CertificateEvent,
    CertificateStatus,
    ExamResult,
    Gender,
    Officer,
    OfficerPost,
    Post,
    PostAssignment,
    PowerItem,
    PowerKind,
    ProcedureStage,
    ProcedureStep,
    TimeUnit,
    TrainingKind,
    TrainingRecord,
)
from basis.models import CatalogueEntry, LegalInstrument, Provision  # noqa: E402
from organisations.models import Organisation, OrganisationKind  # noqa: E402
from workflow.review import ReviewStatus  # noqa: E402

ORG_PREFIX = "PRV-"  # as in generate_province.py
CERTIFICATE_PREFIX = "BENCH-"

# For the full province of 3,990 departments; scaled by the number of departments present.
FULL_DEPARTMENTS = 3990
POWERS = 200_000
OFFICERS = 40_000

OPEN_VERSION_SHARE = 0.05  # departments with a submitted second version
UNASSIGNED_SHARE = 0.04  # powers assigned to no post (不重不漏 finds them)
PROCEDURE_SHARE = 0.35  # powers with a written procedure
EMPTY_POST_SHARE = 0.04  # posts on which nobody sits
# Officers' certificates: the rest hold a valid one.
NO_CERTIFICATE, LAPSED, EXPIRED, SUSPENDED, REVOKED = 0.05, 0.03, 0.03, 0.02, 0.01
SHORT_OF_KINDS = 0.04  # a valid certificate missing one kind of the post's powers
ELSEWHERE = 0.01  # a certificate issued by another government

# How much a department type weighs in powers (the index is its place in generate_province's
# DEPARTMENT_TYPES: market supervision, transport, urban management, health, environment, land,
# construction, agriculture first); the rest weigh 1, entrusted bodies 0.6.
TYPE_WEIGHTS = {0: 9, 1: 5, 2: 5, 3: 4, 4: 4, 5: 3, 6: 3, 7: 3, 8: 2, 9: 2, 10: 2}
CITY_WEIGHT = 1.4  # a city's departments list more than a county's
# Kinds of power and how often each occurs.
KIND_SHARES = {
    "penalty": 60, "coercion": 10, "licensing": 8, "supervision": 8, "confirmation": 3, "levy": 2,
    "adjudication": 2, "reward": 2, "approval": 2, "benefit": 1, "fee": 1, "other": 1,
}
# The stages a procedure draws from, by kind (others use the penalty's).
PROCEDURES = {
    "penalty": ["filing", "investigation", "review", "notice", "decision", "service", "execution", "archiving"],
    "licensing": ["acceptance", "examination", "decision", "service", "archiving"],
    "coercion": ["investigation", "review", "decision", "execution", "archiving"],
}
AGENCY_TITLES = ["执法一科", "执法二科", "审批服务科", "监督检查科", "综合执法科", "稽查科", "执法三科", "执法四科"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国志红文斌辉宇浩然欣怡晨"


class Timer:
    def __init__(self):
        self.start = self.last = time.perf_counter()

    def lap(self, what: str) -> None:
        now = time.perf_counter()
        print(f"  {what}: {now - self.last:.1f} s", flush=True)
        self.last = now

    def total(self) -> float:
        return time.perf_counter() - self.start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reset", action="store_true", help="remove previously generated authority data first")
    parser.add_argument("--remove", action="store_true", help="only remove previously generated authority data")
    parser.add_argument("--small", action="store_true", help="allow SQLite (for a province built with --small)")
    parser.add_argument("--seed", type=int, default=20261216)
    args = parser.parse_args()
    if connection.vendor != "postgresql" and not args.small:
        sys.exit("Refusing to fill %s: set DATABASE_URL to PostgreSQL, or pass --small." % connection.vendor)
    random.seed(args.seed)
    timer = Timer()
    print(f"Generating the authority breakdown on {connection.vendor} ({connection.settings_dict['NAME']})", flush=True)
    if args.reset or args.remove:
        reset()
        timer.lap("reset")
        if args.remove:
            return
    elif Breakdown.objects.filter(department__code__startswith=ORG_PREFIX).exists():
        sys.exit("Generated authority data is already present: pass --reset to replace it.")
    if not PowerKind.objects.exists() or not ProcedureStage.objects.exists():
        call_command("load_authority_reference", stdout=io.StringIO())

    governments = load_province()
    departments = [d for g in governments for d in g.departments]
    if not departments:
        sys.exit("No generated province: run bench/generate_province.py first.")
    factor = len(departments) / FULL_DEPARTMENTS
    plan_powers(departments, round(POWERS * factor))
    plan_officers(departments, round(OFFICERS * factor))
    timer.lap(f"{len(governments)} governments, {len(departments)} departments loaded and planned")

    reference = Reference()
    totals = defaultdict(int)
    with transaction.atomic():
        for index, government in enumerate(governments):
            for key, value in build_government(government, reference, [g for g in governments if g is not government][:20]).items():
                totals[key] += value
            if index % 10 == 9 or index == len(governments) - 1:
                timer.lap(f"{index + 1} governments ({totals['powers']} powers, {totals['officers']} officers)")
    if connection.vendor == "postgresql":
        # VACUUM as well: bulk inserts leave the visibility map empty, so that index-only scans
        # would visit the heap until autovacuum came by, as it would in service.
        tables = [m._meta.db_table for m in (Organisation, Breakdown, BreakdownEvent, PowerItem, PowerItem.provisions.through,
                                              Post, PostAssignment, ProcedureStep, Officer, OfficerPost, TrainingRecord,
                                              ExamResult, Certificate, Certificate.kinds.through, CertificateEvent)]
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
        timer.lap("vacuum and analyze")
    print(
        f"Done in {timer.total():.0f} s: {len(departments)} departments, {totals['agencies']} agencies, "
        f"{totals['posts']} posts, {totals['breakdowns']} breakdowns, {totals['powers']} powers "
        f"({totals['citations']} citations, {totals['assignments']} assignments, {totals['steps']} steps), "
        f"{totals['officers']} officers, {totals['certificates']} certificates.",
        flush=True,
    )


# -- Reset ------------------------------------------------------------------------------------


def reset() -> None:
    """Delete what an earlier run made, bypassing the ORM's collector (and its history rows)."""
    organisations = Organisation.objects.filter(code__startswith=ORG_PREFIX)
    agencies = organisations.filter(kind=OrganisationKind.AGENCY)
    breakdowns = Breakdown.objects.filter(department__in=organisations)
    powers = PowerItem.objects.filter(breakdown__in=breakdowns)
    officers = Officer.objects.filter(department__in=organisations)
    certificates = Certificate.objects.filter(officer__in=officers)
    posts = Post.objects.filter(agency__in=organisations)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        # The bench's own accounts sit in generated organisations; detach them so that the
        # province can be regenerated (accounts stay: the audit trail refers to them).
        User.objects.filter(username__startswith="bench_", organisation__in=organisations).update(organisation=None)
        _raw_delete(Certificate.kinds.through.objects.filter(certificate__in=certificates))
        _raw_delete(CertificateEvent.objects.filter(certificate__in=certificates))
        _raw_delete(certificates)
        for model in (ExamResult, TrainingRecord, OfficerPost):
            _raw_delete(model.objects.filter(officer__in=officers))
        _raw_delete(OfficerPost.objects.filter(post__in=posts))
        _raw_delete(officers)
        _raw_delete(ProcedureStep.objects.filter(power__in=powers))
        _raw_delete(PostAssignment.objects.filter(power__in=powers))
        _raw_delete(PowerItem.provisions.through.objects.filter(poweritem__in=powers))
        _raw_delete(powers)
        _raw_delete(BreakdownEvent.objects.filter(breakdown__in=breakdowns))
        _raw_delete(breakdowns)
        _raw_delete(posts)
        _raw_delete(agencies)
        # The departments' child counts go back to what is left under them (entrusted bodies).
        paths = dict(organisations.values_list("path", "pk"))
        children: dict[str, int] = defaultdict(int)
        for path in paths:
            children[path[: -Organisation.steplen]] += 1
        stale = [
            Organisation(pk=pk, numchild=children[path])
            for path, pk, numchild in organisations.filter(kind=OrganisationKind.DEPARTMENT).values_list("path", "pk", "numchild")
            if numchild != children[path]
        ]
        Organisation.objects.bulk_update(stale, ["numchild"], batch_size=2000)


def _raw_delete(queryset) -> None:
    # One DELETE … WHERE … statement; the subqueries above are evaluated before their rows go.
    ids = queryset.values("pk")
    sql, params = ids.query.sql_with_params()
    table = queryset.model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id IN ({sql})", params)


# -- The province as generated ----------------------------------------------------------------


class Department:
    __slots__ = ("pk", "code", "name", "path", "depth", "numchild", "government", "weight", "powers", "officers",
                 "instruments", "second_version")

    def __init__(self, row, government):
        self.pk, self.code, self.name, self.path, self.depth, self.numchild = row
        self.government = government
        self.instruments: list[int] = []
        self.second_version = False


class Government:
    def __init__(self, pk: int, name: str, path: str, is_city: bool):
        self.pk, self.name, self.path, self.is_city = pk, name, path, is_city
        self.departments: list[Department] = []


def load_province() -> list[Government]:
    """The generated governments, their enforcement departments (offices left out) and the
    instruments of each department's published catalogue."""
    governments = {
        pk: Government(pk, name, path, kind == OrganisationKind.CITY)
        for pk, name, path, kind in Organisation.objects.filter(
            code__startswith=ORG_PREFIX, kind__in=[OrganisationKind.CITY, OrganisationKind.COUNTY]
        ).order_by("path").values_list("pk", "name", "path", "kind")
    }
    by_pk: dict[int, Department] = {}
    rows = Organisation.objects.filter(
        code__startswith=ORG_PREFIX, kind=OrganisationKind.DEPARTMENT, office_function=""
    ).order_by("path").values_list("pk", "code", "name", "path", "depth", "numchild", "jurisdiction_id")
    for *row, jurisdiction_id in rows:
        government = governments[jurisdiction_id]
        department = Department(row, government)
        government.departments.append(department)
        by_pk[department.pk] = department
    pairs = (
        CatalogueEntry.objects.filter(catalogue__status=ReviewStatus.PUBLISHED, catalogue__department__in=list(by_pk))
        .order_by()
        .values_list("catalogue__department_id", "instrument_id")
        .distinct()
    )
    for department_id, instrument_id in pairs.iterator(chunk_size=20000):
        by_pk[department_id].instruments.append(instrument_id)
    for department in by_pk.values():
        department.instruments = sorted(set(department.instruments))
    return [g for g in governments.values() if g.departments]


def _type_index(department: Department) -> int | None:
    """The department type in generate_province's numbering (``…-D07``), None for a body."""
    tail = department.code.rsplit("-", 1)[-1]
    return int(tail[1:]) if tail.startswith("D") and tail[1:].isdigit() else None


def plan_powers(departments: list[Department], total: int) -> None:
    """Each department's number of powers: its type's weight, a city's extra, a random spread;
    a department with a second version writes its powers twice, and ``total`` rows are written
    in all."""
    for department in departments:
        t = _type_index(department)
        weight = TYPE_WEIGHTS.get(t, 1) if t is not None else 0.6
        if department.government.is_city:
            weight *= CITY_WEIGHT
        department.weight = weight * random.lognormvariate(0, 0.35) if department.instruments else 0
        department.second_version = bool(department.instruments) and random.random() < OPEN_VERSION_SHARE
    # Apportioned in rows (a second version's copies included), then halved back for those.
    rows = _apportion([d.weight * (2 if d.second_version else 1) for d in departments], total, minimum=3,
                      even=[d.second_version for d in departments])
    for department, count in zip(departments, rows):
        department.powers = count // 2 if department.second_version else count


def plan_officers(departments: list[Department], total: int) -> None:
    """Officers follow the number of powers, less than in proportion (a big list is not worked
    by proportionally more people), with at least three per department."""
    counts = _apportion([max(d.powers, 1) ** 0.8 for d in departments], total, minimum=3)
    for department, count in zip(departments, counts):
        department.officers = count


def _apportion(weights: list[float], total: int, minimum: int, even: list[bool] | None = None) -> list[int]:
    """Whole numbers in proportion to ``weights`` (zero for a zero weight, else at least
    ``minimum``; even where ``even`` says so) that add up to ``total`` exactly."""
    even = even or [False] * len(weights)
    step = [2 if e else 1 for e in even]
    active = [i for i, w in enumerate(weights) if w > 0]
    counts = [0] * len(weights)
    floor = {i: minimum * step[i] for i in active}
    spare = total - sum(floor.values())
    weight_sum = sum(weights[i] for i in active)
    shares = {i: max(0.0, weights[i] * total / weight_sum - floor[i]) for i in active}
    scale = spare / sum(shares.values()) if shares and sum(shares.values()) else 0
    for i in active:
        exact = shares[i] * scale
        counts[i] = floor[i] + int(exact) // step[i] * step[i]
    # Hand out what rounding left, largest remainders first, in steps the department allows.
    left = total - sum(counts)
    order = sorted(active, key=lambda i: shares[i] * scale - (counts[i] - floor[i]), reverse=True)
    while left > 0 and order:
        for i in order:
            if step[i] <= left:
                counts[i] += step[i]
                left -= step[i]
            if left <= 0:
                break
    return counts


class Reference:
    """Power kinds, procedure stages and the generated instruments' provisions, read once."""

    def __init__(self):
        kinds = dict(PowerKind.objects.values_list("code", "pk"))
        codes = [c for c in KIND_SHARES if c in kinds]
        self.kind_ids = [kinds[c] for c in codes]
        self.kind_weights = [KIND_SHARES[c] for c in codes]
        self.kind_code_of = {kinds[c]: c for c in codes}
        self.stages = dict(ProcedureStage.objects.values_list("code", "pk"))
        self.provisions: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        for pk, instrument_id, article, paragraph in Provision.objects.filter(
            instrument__code__startswith="BENCH-"
        ).values_list("pk", "instrument_id", "article", "paragraph"):
            self.provisions[instrument_id].append((pk, article, paragraph))
        self.instrument_names = dict(
            LegalInstrument.objects.filter(code__startswith="BENCH-").values_list("pk", "name")
        )

    def pick_kind(self) -> int:
        return random.choices(self.kind_ids, self.kind_weights)[0]


# -- One government ---------------------------------------------------------------------------


def _path(parent_path: str, step: int) -> str:
    return Organisation._get_path(parent_path, len(parent_path) // Organisation.steplen + 1, step)


def build_government(government: Government, reference: Reference, others: list[Government]) -> dict[str, int]:
    departments = [d for d in government.departments if d.powers]
    counts = defaultdict(int)
    today = timezone.localdate()
    now = timezone.now()

    # Internal agencies: a legal-affairs section and one enforcement agency per 60 powers (1–6),
    # each with its posts.
    agencies: dict[int, list[Organisation]] = {}
    rows = []
    for department in departments:
        titles = ["法制科"] + AGENCY_TITLES[: max(1, min(6, round(department.powers / 60)))]
        agencies[department.pk] = []
        for k, title in enumerate(titles):
            agency = Organisation(
                path=_path(department.path, department.numchild + k + 1),
                depth=department.depth + 1,
                code=f"{department.code}-A{k}",
                name=title,
                kind=OrganisationKind.AGENCY,
                jurisdiction_id=government.pk,
            )
            rows.append(agency)
            agencies[department.pk].append(agency)
        department.numchild += len(titles)
    Organisation.objects.bulk_create(rows, batch_size=2000)
    counts["agencies"] = len(rows)
    Organisation.objects.bulk_update(
        [Organisation(pk=d.pk, numchild=d.numchild) for d in departments], ["numchild"], batch_size=1000
    )

    # Posts: the legal-affairs section reviews and its head decides; every enforcement agency
    # has posts that handle cases and one that checks them.
    posts: dict[int, dict[str, list[Post]]] = {}
    post_rows = []
    for department in departments:
        legal, *enforcing = agencies[department.pk]
        review, decision = Post(agency=legal, name="法制审核岗"), Post(agency=legal, name="负责人决定岗")
        handling: dict[int, list[Post]] = {}
        checking: dict[int, Post] = {}
        for agency in enforcing:
            handling[agency.pk] = [Post(agency=agency, name=n) for n in ("执法岗", "调查取证岗")[: random.choice((1, 2))]]
            checking[agency.pk] = Post(agency=agency, name="案件审核岗")
            post_rows += [*handling[agency.pk], checking[agency.pk]]
        post_rows += [review, decision]
        posts[department.pk] = {"review": review, "decision": decision, "handling": handling, "checking": checking}
    for post in post_rows:
        post.positions = random.choice((1, 2, 2, 3, 4))
    Post.objects.bulk_create(post_rows, batch_size=5000)
    counts["posts"] = len(post_rows)

    # Breakdowns: version 1 published; some departments have a second version with the office.
    breakdowns, events = [], []
    for department in departments:
        published = Breakdown(department_id=department.pk, version=1, status=ReviewStatus.PUBLISHED,
                              submitted_at=now - datetime.timedelta(days=40), published_at=now - datetime.timedelta(days=30))
        breakdowns.append(published)
    second = [d for d in departments if d.second_version]
    Breakdown.objects.bulk_create(breakdowns, batch_size=2000)
    first_of = {b.department_id: b for b in breakdowns}
    seconds = [
        Breakdown(department_id=d.pk, version=2, based_on=first_of[d.pk], submitted_at=now - datetime.timedelta(days=2),
                  status=random.choice((ReviewStatus.SUBMITTED, ReviewStatus.UNDER_REVIEW)))
        for d in second
    ]
    Breakdown.objects.bulk_create(seconds, batch_size=2000)
    for breakdown in breakdowns:
        for source, target in (("", ReviewStatus.DRAFT), (ReviewStatus.DRAFT, ReviewStatus.SUBMITTED),
                               (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED), (ReviewStatus.APPROVED, ReviewStatus.PUBLISHED)):
            events.append(BreakdownEvent(breakdown=breakdown, from_status=source, to_status=target))
    for breakdown in seconds:
        events += [BreakdownEvent(breakdown=breakdown, from_status="", to_status=ReviewStatus.DRAFT),
                   BreakdownEvent(breakdown=breakdown, from_status=ReviewStatus.DRAFT, to_status=ReviewStatus.SUBMITTED)]
    BreakdownEvent.objects.bulk_create(events, batch_size=5000)
    counts["breakdowns"] = len(breakdowns) + len(seconds)

    # Powers of the first versions, with their basis, posts and procedures; the second versions
    # copy them.
    drafts = []  # (department, power, provision ids, assignments, steps)
    for department in departments:
        department_posts = posts[department.pk]
        agency_ids = list(department_posts["handling"])
        for position in range(1, department.powers + 1):
            drafts.append((department, *_power(department, position, department_posts, agency_ids, reference)))
    for department, power, *_rest in drafts:
        power.breakdown = first_of[department.pk]
    copies = []
    for department, power, provisions, assignments, steps in drafts:
        if department.second_version:
            copy = PowerItem(**{f.attname: getattr(power, f.attname) for f in PowerItem._meta.concrete_fields if f.attname != "id"})
            copies.append((department, copy, provisions, assignments, steps))
    seconds_of = {b.department_id: b for b in seconds}
    for department, copy, *_rest in copies:
        copy.breakdown = seconds_of[department.pk]
    drafts += copies
    PowerItem.objects.bulk_create([d[1] for d in drafts], batch_size=5000)
    counts["powers"] = len(drafts)

    Cites = PowerItem.provisions.through
    cites, assignment_rows, step_rows = [], [], []
    post_kinds: dict[int, set[int]] = defaultdict(set)
    for _department, power, provisions, assignments, steps in drafts:
        cites += [Cites(poweritem_id=power.pk, provision_id=p) for p in provisions]
        for post, role in assignments:
            assignment_rows.append(PostAssignment(power_id=power.pk, post_id=post.pk, role=role))
            post_kinds[post.pk].add(power.kind_id)
        for order, (stage, post, limit, unit) in enumerate(steps, start=1):
            step_rows.append(ProcedureStep(power_id=power.pk, order=order, stage_id=stage, post_id=post.pk if post else None,
                                           duty="依法履行本环节职责", time_limit=limit, time_unit=unit))
    Cites.objects.bulk_create(cites, batch_size=10000)
    PostAssignment.objects.bulk_create(assignment_rows, batch_size=10000)
    ProcedureStep.objects.bulk_create(step_rows, batch_size=10000)
    counts |= {"citations": len(cites), "assignments": len(assignment_rows), "steps": len(step_rows)}

    counts["officers"], counts["certificates"] = build_officers(government, departments, posts, post_kinds, reference, today, others)
    return counts


def _power(department: Department, position: int, department_posts: dict, agency_ids: list[int], reference: Reference):
    """One power of a first version: the unsaved row, its provisions, assignments and steps."""
    kind_id = reference.pick_kind()
    kind_code = reference.kind_code_of[kind_id]
    instruments = random.sample(department.instruments, min(len(department.instruments), random.choice((1, 1, 1, 2))))
    cited = []
    for instrument_id in instruments:
        cited += random.sample(reference.provisions[instrument_id], random.choice((1, 1, 2)))
    cited = cited[:3]
    _pk, article, _paragraph = cited[0]
    name = _power_name(kind_code, reference.instrument_names[instruments[0]], article, position)
    agency_id = agency_ids[position % len(agency_ids)] if random.random() < 0.7 else random.choice(agency_ids)
    power = PowerItem(
        position=position,
        name=name,
        code=f"{kind_code[:3].upper()}-{position:05d}",
        kind_id=kind_id,
        enforcing_organ_id=department.pk,
        handling_agency_id=agency_id,
        forwards_only=random.random() < 0.02,
        accountability_grounds="《中华人民共和国行政处罚法》第七十六条" if kind_code == "penalty" else "",
    )
    assignments = []
    if random.random() >= UNASSIGNED_SHARE:
        handling = department_posts["handling"][agency_id]
        assignments.append((random.choice(handling), AssignmentRole.HANDLING))
        if random.random() < 0.6:
            assignments.append((department_posts["checking"][agency_id], AssignmentRole.REVIEW))
        if random.random() < 0.5:
            assignments.append((department_posts["review"], AssignmentRole.REVIEW))
        if random.random() < 0.4:
            assignments.append((department_posts["decision"], AssignmentRole.DECISION))
    steps = []
    if random.random() < PROCEDURE_SHARE:
        stages = PROCEDURES.get(kind_code, PROCEDURES["penalty"])
        count = random.randint(3, min(6, len(stages)))
        chosen = sorted(random.sample(range(len(stages)), count))
        for index in chosen:
            code = stages[index]
            post = (department_posts["decision"] if code == "decision"
                    else department_posts["review"] if code in ("review", "examination")
                    else random.choice(department_posts["handling"][agency_id]))
            steps.append((reference.stages[code], post, random.choice((None, 3, 5, 7, 15, 30)),
                          random.choice((TimeUnit.WORKING_DAYS, TimeUnit.WORKING_DAYS, TimeUnit.CALENDAR_DAYS))))
    return power, [p for p, _a, _b in cited], assignments, steps


def _power_name(kind_code: str, instrument: str, article: int, position: int) -> str:
    short = instrument.split("（", 1)[0]
    return {
        "penalty": f"对违反《{short}》第{article}条规定行为的处罚",
        "licensing": f"依据《{short}》第{article}条的许可（第{position}项）",
        "coercion": f"依据《{short}》第{article}条查封、扣押",
        "supervision": f"《{short}》第{article}条规定事项的监督检查",
    }.get(kind_code, f"《{short}》第{article}条规定事项（第{position}项）")


def build_officers(government, departments, posts, post_kinds, reference, today, others) -> tuple[int, int]:
    """Officers on the department's posts (a few posts stay empty) with a placement, training,
    exams and, for most, a certificate; ``others`` are the governments that may have issued the
    odd certificate of an officer who has moved here."""
    officers, placed = [], []  # placed: (officer, post, ended earlier post or None)
    for department in departments:
        department_posts = posts[department.pk]
        all_posts = [department_posts["review"], department_posts["decision"]]
        for agency_id, handling in department_posts["handling"].items():
            all_posts += [*handling, department_posts["checking"][agency_id]]
        staffed = [p for p in all_posts if random.random() >= EMPTY_POST_SHARE] or all_posts[:1]
        # Each staffed post gets one officer first, the rest go where the positions are.
        seats = list(staffed)
        if department.officers > len(seats):
            seats += random.choices(staffed, [p.positions for p in staffed], k=department.officers - len(seats))
        for post in seats[: max(department.officers, 1)]:
            officer = Officer(
                department_id=department.pk,
                name=random.choice(SURNAMES) + "".join(random.choices(GIVEN, k=random.choice((1, 2)))),
                gender=random.choice((Gender.FEMALE, Gender.MALE)),
                id_number=f"{random.randint(110000, 659999)}{random.randint(1965, 2000)}{random.randint(1, 12):02d}"
                          f"{random.randint(1, 28):02d}{random.randint(0, 9999):04d}",
            )
            officers.append(officer)
            earlier = random.choice(all_posts) if random.random() < 0.05 else None
            placed.append((officer, post, earlier))
    Officer.objects.bulk_create(officers, batch_size=5000)

    placements, trainings, exams = [], [], []
    for officer, post, earlier in placed:
        since = today - datetime.timedelta(days=random.randint(30, 3000))
        if earlier is not None and earlier is not post:
            placements.append(OfficerPost(officer_id=officer.pk, post_id=earlier.pk,
                                          since=since - datetime.timedelta(days=700), until=since - datetime.timedelta(days=1)))
        placements.append(OfficerPost(officer_id=officer.pk, post_id=post.pk, since=since))
        trained = since - datetime.timedelta(days=random.randint(20, 120))
        trainings.append(TrainingRecord(officer_id=officer.pk, kind=TrainingKind.PRE_POST, hours=Decimal("60.0"), completed_on=trained))
        for year in range(random.randint(0, 3)):
            trainings.append(TrainingRecord(officer_id=officer.pk, kind=TrainingKind.REFRESHER, hours=Decimal("40.0"),
                                            completed_on=min(today, since + datetime.timedelta(days=365 * (year + 1)))))
        if random.random() < 0.15:
            exams.append(ExamResult(officer_id=officer.pk, taken_on=trained, score=Decimal("52.0"), attempt=1, passed=False))
            exams.append(ExamResult(officer_id=officer.pk, taken_on=trained + datetime.timedelta(days=30),
                                    score=Decimal(random.randint(60, 98)), attempt=2, passed=True))
        else:
            exams.append(ExamResult(officer_id=officer.pk, taken_on=trained, score=Decimal(random.randint(60, 98)), attempt=1, passed=True))
    OfficerPost.objects.bulk_create(placements, batch_size=10000)
    TrainingRecord.objects.bulk_create(trainings, batch_size=10000)
    # The pre-post training covers the post the officer was trained for (§3(三)).
    post_of = {officer.pk: post.pk for officer, post, _earlier in placed}
    TrainingRecord.posts.through.objects.bulk_create(
        [TrainingRecord.posts.through(trainingrecord_id=t.pk, post_id=post_of[t.officer_id])
         for t in trainings if t.kind == TrainingKind.PRE_POST],
        batch_size=10000,
    )
    ExamResult.objects.bulk_create(exams, batch_size=10000)

    certificates, kinds_of = [], []
    start = _next_certificate_number()
    for officer, post, _earlier in placed:
        draw = random.random()
        if draw < NO_CERTIFICATE:
            continue
        issued = today - datetime.timedelta(days=random.randint(0, 1700))
        status, until = CertificateStatus.VALID, issued + datetime.timedelta(days=5 * 365)
        threshold = NO_CERTIFICATE
        for share, outcome in ((LAPSED, "lapsed"), (EXPIRED, CertificateStatus.EXPIRED),
                               (SUSPENDED, CertificateStatus.SUSPENDED), (REVOKED, CertificateStatus.REVOKED)):
            threshold += share
            if draw < threshold:
                if outcome in ("lapsed", CertificateStatus.EXPIRED):
                    until = today - datetime.timedelta(days=random.randint(1, 300))
                    issued = until - datetime.timedelta(days=5 * 365)
                    status = CertificateStatus.VALID if outcome == "lapsed" else CertificateStatus.EXPIRED
                else:
                    status = outcome
                break
        issuer = random.choice(others) if others and random.random() < ELSEWHERE else government
        kinds = sorted(post_kinds.get(post.pk) or {reference.kind_ids[0]})
        if len(kinds) > 1 and random.random() < SHORT_OF_KINDS:
            kinds.remove(random.choice(kinds))
        certificate = Certificate(
            number=f"{CERTIFICATE_PREFIX}{start + len(certificates):07d}",
            officer_id=officer.pk,
            issuing_government_id=issuer.pk,
            area=issuer.name,
            valid_from=issued,
            valid_until=until,
            status=status,
            reason="" if status == CertificateStatus.VALID else "测试数据",
        )
        certificates.append(certificate)
        kinds_of.append(kinds)
    Certificate.objects.bulk_create(certificates, batch_size=5000)
    Kinds = Certificate.kinds.through
    Kinds.objects.bulk_create(
        [Kinds(certificate_id=c.pk, powerkind_id=k) for c, kinds in zip(certificates, kinds_of) for k in kinds], batch_size=10000
    )
    events = []
    for certificate in certificates:
        events.append(CertificateEvent(certificate=certificate, action="issue", to_status=CertificateStatus.VALID))
        if certificate.status != CertificateStatus.VALID:
            action = {"expired": "expire", "suspended": "suspend", "revoked": "revoke"}[certificate.status]
            events.append(CertificateEvent(certificate=certificate, action=action, from_status=CertificateStatus.VALID,
                                           to_status=certificate.status, reason=certificate.reason))
    CertificateEvent.objects.bulk_create(events, batch_size=10000)
    return len(officers), len(certificates)


def _next_certificate_number() -> int:
    last = (
        Certificate.objects.filter(number__startswith=CERTIFICATE_PREFIX).order_by("-number").values_list("number", flat=True).first()
    )
    return int(last[len(CERTIFICATE_PREFIX):]) + 1 if last else 1


if __name__ == "__main__":
    main()
