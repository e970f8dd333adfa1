"""Reads of the authority breakdown: current versions, powers with their relations, the
completeness findings (不重不漏) and the public certificate lookup. Each list is built in a
fixed number of queries, whatever its length."""

import datetime
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from basis.models import CatalogueEntry, InstrumentStatus, Provision
from organisations.models import Organisation
from toolkit.prepared import PreparedQuery
from workflow.review import OPEN_STATUSES, ReviewStatus

from .models import (
    AssignmentRole,
    Breakdown,
    Certificate,
    CertificateStatus,
    OfficerPost,
    PostAssignment,
    PowerItem,
    ProcedureStep,
    TrainingRecord,
    valid_certificates,
)


def current_breakdown(department: Organisation, visible: QuerySet | None = None) -> Breakdown | None:
    """The version that is being worked on, or else the published one."""
    queryset = (visible if visible is not None else Breakdown.objects).filter(department=department)
    return (
        queryset.filter(status__in=list(OPEN_STATUSES)).order_by("-version").first()
        or queryset.filter(status=ReviewStatus.PUBLISHED).order_by("-version").first()
    )


def powers_of(breakdown: Breakdown, query: str = "") -> QuerySet[PowerItem]:
    """The breakdown's powers in order, each with ``basis`` (its provisions, with their
    instruments) and ``posts`` (its assignments, with their posts) as lists."""
    # The models' default orderings start with the breakdown and the power, which sort by the
    # department's path through two joins; within one breakdown (one power) these orders are
    # the same and need no join. A post's agency orders the posts; no page shows it. The
    # provisions come with their instruments in one query rather than two. The enforcing organ
    # is the department itself on every page: the export, which prints it, joins it.
    assignments = PostAssignment.objects.select_related("post").order_by("role", "post__agency__path", "post__name")
    powers = (
        breakdown.powers.select_related("kind", "handling_agency")
        .prefetch_related(
            # Only what the page and the export print: a provision's text and its instrument's
            # full text are long and need not travel.
            Prefetch("provisions", queryset=Provision.objects.select_related("instrument").only(
                "instrument__name", "article", "paragraph", "item",
            ), to_attr="basis"),
            # Plain lists: a related manager's .all() on each row of a page cloned a query.
            Prefetch("assignments", queryset=assignments, to_attr="posts"),
        )
        .order_by("position", "id")
    )
    if query:
        powers = powers.filter(Q(name__icontains=query) | Q(code__icontains=query))
    return powers


def power_rows_of(breakdown: Breakdown, query: str = "") -> QuerySet:
    """The breakdown page's list: ``powers_of`` as plain rows, to paginate and then hand to
    ``power_rows``."""
    powers = PowerItem.objects.filter(breakdown=breakdown)
    if query:
        powers = powers.filter(Q(name__icontains=query) | Q(code__icontains=query))
    return powers.order_by("position", "id").values(
        "pk", "position", "code", "name", "forwards_only", "kind__name", "handling_agency_id", "handling_agency__name",
        "kind_id",
    )


def power_rows(breakdown: Breakdown, page) -> list[dict]:
    """One page of ``power_rows_of`` as the breakdown page prints it, built in one pass: each power
    with its ``kind`` and ``handling_agency`` (``name``), ``basis`` (each provision's
    ``instrument.name`` and ``label``, in the order of ``powers_of``), ``posts`` (each assignment's
    ``post.name`` and ``role_label``) and the ``url`` of its form. Plain dictionaries: the same
    page as model instances built some 600 objects and reversed a URL per row."""
    from basis.numbering import provision_label

    powers = list(page)
    ids = [power["pk"] for power in powers]
    basis, posts = defaultdict(list), defaultdict(list)
    provisions = (
        PowerItem.provisions.through.objects.filter(poweritem_id__in=ids)
        .order_by("provision__instrument__level", "provision__instrument__name", "provision__article",
                  "provision__paragraph", "provision__item")
        .values_list("poweritem_id", "provision__instrument__name", "provision__article", "provision__paragraph",
                     "provision__item")
    )
    for power_id, instrument, article, paragraph, item in provisions:
        basis[power_id].append({"instrument": {"name": instrument}, "label": provision_label(article, paragraph, item)})
    roles = {value: str(label) for value, label in AssignmentRole.choices}
    assignments = (
        PostAssignment.objects.filter(power_id__in=ids)
        .order_by("role", "post__agency__path", "post__name")
        .values_list("power_id", "role", "post__name")
    )
    for power_id, role, post in assignments:
        posts[power_id].append({"post": {"name": post}, "role_label": roles.get(role, role)})
    url = _url_maker("authority:power_edit", 2)
    return [
        {
            "pk": power["pk"],
            "position": power["position"],
            "code": power["code"],
            "name": power["name"],
            "forwards_only": power["forwards_only"],
            "kind": {"name": power["kind__name"]} if power["kind_id"] is not None else None,
            "handling_agency": {"name": power["handling_agency__name"]} if power["handling_agency_id"] is not None else None,
            "basis": basis[power["pk"]],
            "posts": posts[power["pk"]],
            "url": url(breakdown.pk, power["pk"]),
        }
        for power in powers
    ]


def steps_of(power: PowerItem) -> list[ProcedureStep]:
    return list(power.steps.select_related("stage", "post__agency").order_by("order"))


# -- Completeness -----------------------------------------------------------------------------


class FindingKind:
    UNASSIGNED_POWER = "unassigned_power"
    UNASSIGNED_STEP = "unassigned_step"
    POST_WITHOUT_CERTIFIED_OFFICER = "post_without_certified_officer"
    OFFICER_WITHOUT_CERTIFICATE = "officer_without_certificate"
    OFFICER_BEYOND_CERTIFICATE = "officer_beyond_certificate"
    OFFICER_BEYOND_AREA = "officer_beyond_area"
    OFFICER_UNTRAINED_FOR_POST = "officer_untrained_for_post"
    REPEALED_BASIS = "repealed_basis"
    # Coverage from law to duty (不重不漏).
    INSTRUMENT_WITHOUT_POWER = "instrument_without_power"
    POWER_WITHOUT_STEPS = "power_without_steps"
    POWER_WITHOUT_TIME_LIMITS = "power_without_time_limits"
    OVERLAPPING_ASSIGNMENT = "overlapping_assignment"


@dataclass(frozen=True)
class Finding:
    kind: str
    department: str
    message: str
    url: str


def _url_maker(name: str, arity: int):
    """The URL of ``name`` for given ids, reversed once: a city's report has thousands of
    findings, and reversing each one's URL took a third of its time."""
    markers = [str(9_876_543_210 + i) for i in range(arity)]
    template = reverse(name, args=markers)

    def url(*ids) -> str:
        result = template
        for marker, value in zip(markers, ids):
            result = result.replace(marker, str(value), 1)
        return result

    return url


def findings_for(breakdowns, today: datetime.date | None = None) -> list[Finding]:
    """The completeness findings of the given breakdowns (a queryset or list of versions)."""
    today = today or timezone.localdate()
    breakdown_ids = [b.pk for b in breakdowns]
    departments, department_paths, versions = {}, {}, {}
    for pk, name, path, version in Breakdown.objects.filter(pk__in=breakdown_ids).order_by().values_list(
        "pk", "department__name", "department__path", "version"
    ):
        departments[pk], department_paths[pk], versions[pk] = name, path, version
    findings: list[Finding] = []
    power_url = _url_maker("authority:power_edit", 2)
    officer_url = _url_maker("authority:officer_detail", 1)

    message = _("Power %(code)s %(name)s is assigned to no post.")
    powers = (
        PowerItem.objects.filter(breakdown_id__in=breakdown_ids)
        .filter(~Exists(PostAssignment.objects.filter(power=OuterRef("pk"))))
        .order_by("breakdown_id", "position")
        .values_list("pk", "breakdown_id", "code", "name")
    )
    for pk, breakdown_id, code, name in powers:
        findings.append(Finding(
            FindingKind.UNASSIGNED_POWER, departments[breakdown_id],
            message % {"code": code, "name": name},
            power_url(breakdown_id, pk),
        ))

    # A procedure step without a post: the public documents print the step with no post (never a
    # placeholder), so the gap is reported here, where it can be fixed.
    message = _("Step %(order)s (%(stage)s) of power %(code)s %(name)s names no post.")
    steps = (
        ProcedureStep.objects.filter(power__breakdown_id__in=breakdown_ids, post__isnull=True)
        .order_by("power__breakdown_id", "power__position", "order")
        .values_list("power_id", "power__breakdown_id", "power__code", "power__name", "order", "stage__name")
    )
    for pk, breakdown_id, code, name, order, stage_name in steps:
        findings.append(Finding(
            FindingKind.UNASSIGNED_STEP, departments[breakdown_id],
            message % {"order": order, "stage": stage_name, "code": code, "name": name},
            power_url(breakdown_id, pk),
        ))

    message = _("Power %(name)s cites 《%(instrument)s》, which has been repealed.")
    repealed = (
        PowerItem.provisions.through.objects.filter(
            poweritem__breakdown_id__in=breakdown_ids, provision__instrument__status=InstrumentStatus.REPEALED
        )
        .order_by("poweritem__breakdown_id", "poweritem__position")
        .values_list("poweritem_id", "poweritem__breakdown_id", "poweritem__name", "provision__instrument__name")
        .distinct()
    )
    for pk, breakdown_id, name, instrument in repealed:
        findings.append(Finding(
            FindingKind.REPEALED_BASIS, departments[breakdown_id],
            message % {"name": name, "instrument": instrument},
            power_url(breakdown_id, pk),
        ))

    findings += _coverage_findings(breakdown_ids, departments, power_url)

    # Posts that hold powers, the kinds of those powers, and who sits on them today. A post that
    # holds powers of several of the breakdowns (an entrusted body's, under its principal's
    # path) is reported under the one that sorts last (department's path, newest version
    # first): ranked here rather than sorted in the database.
    rank = {pk: i for i, pk in enumerate(sorted(departments, key=lambda pk: (department_paths[pk], -versions[pk])))}
    post_kinds: dict[int, set[int]] = defaultdict(set)
    post_info: dict[int, tuple[str, int]] = {}
    post_paths: dict[int, str] = {}
    for post_id, kind_id, breakdown_id, post_name, agency_name, agency_path in (
        PostAssignment.objects.filter(power__breakdown_id__in=breakdown_ids)
        .order_by()
        .values_list("post_id", "power__kind_id", "power__breakdown_id", "post__name", "post__agency__name", "post__agency__path")
        .distinct()
    ):
        post_kinds[post_id].add(kind_id)
        if post_id not in post_info or rank[breakdown_id] > rank[post_info[post_id][1]]:
            post_info[post_id] = (f"{agency_name} · {post_name}", breakdown_id)
        post_paths[post_id] = agency_path
    placements = list(
        OfficerPost.objects.filter(post_id__in=post_kinds, since__lte=today)
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .values_list("officer_id", "post_id", "officer__name")
    )
    officer_ids = {officer_id for officer_id, _post, _name in placements}
    certified_kinds: dict[int, set[int]] = defaultdict(set)
    certified: set[int] = set()
    # The area a certificate covers is its issuing government's territory.
    certified_areas: dict[int, dict[str, str]] = defaultdict(dict)
    for officer_id, kind_id, area_path, area_name in Certificate.kinds.through.objects.filter(
        certificate__in=valid_certificates(today).filter(officer_id__in=officer_ids)
    ).values_list(
        "certificate__officer_id", "powerkind_id", "certificate__issuing_government__path", "certificate__issuing_government__name"
    ):
        certified.add(officer_id)
        certified_kinds[officer_id].add(kind_id)
        certified_areas[officer_id][area_path] = area_name
    kind_names = dict(_kind_names())
    trained = trained_kinds(officer_ids)

    untrained = _("%(officer)s holds post %(post)s, whose powers include %(kinds)s, but no training on record covers them.")
    for officer_id, post_id, officer_name in placements:
        missing = post_kinds[post_id] - trained.get(officer_id, set())
        if missing:
            post_label, breakdown_id = post_info[post_id]
            findings.append(Finding(
                FindingKind.OFFICER_UNTRAINED_FOR_POST, departments[breakdown_id],
                untrained
                % {"officer": officer_name, "post": post_label, "kinds": "、".join(sorted(kind_names[k] for k in missing))},
                officer_url(officer_id),
            ))

    without_certificate = _("%(officer)s holds post %(post)s without a valid certificate.")
    beyond_certificate = _("%(officer)s holds post %(post)s, whose powers include %(kinds)s, beyond the kinds on the certificate.")
    beyond_area = _("%(officer)s holds post %(post)s outside the area of the certificate issued by %(government)s.")
    covered: set[int] = set()
    for officer_id, post_id, officer_name in placements:
        post_label, breakdown_id = post_info[post_id]
        department = departments[breakdown_id]
        if officer_id not in certified:
            findings.append(Finding(
                FindingKind.OFFICER_WITHOUT_CERTIFICATE, department,
                without_certificate % {"officer": officer_name, "post": post_label},
                officer_url(officer_id),
            ))
            continue
        covered.add(post_id)
        beyond = post_kinds[post_id] - certified_kinds[officer_id]
        if beyond:
            findings.append(Finding(
                FindingKind.OFFICER_BEYOND_CERTIFICATE, department,
                beyond_certificate
                % {"officer": officer_name, "post": post_label, "kinds": "、".join(sorted(kind_names[k] for k in beyond))},
                officer_url(officer_id),
            ))
        areas = certified_areas[officer_id]
        if not any(post_paths[post_id].startswith(path) for path in areas):
            findings.append(Finding(
                FindingKind.OFFICER_BEYOND_AREA, department,
                beyond_area
                % {"officer": officer_name, "post": post_label, "government": "、".join(sorted(areas.values()))},
                officer_url(officer_id),
            ))
    message = _("Post %(post)s holds powers but no officer with a valid certificate sits on it.")
    posts_url = reverse("authority:post_list")
    for post_id in sorted(set(post_kinds) - covered):
        post_label, breakdown_id = post_info[post_id]
        findings.append(Finding(
            FindingKind.POST_WITHOUT_CERTIFIED_OFFICER, departments[breakdown_id],
            message % {"post": post_label},
            f"{posts_url}#post-{post_id}",
        ))
    return findings


# A post named on a training record covers the kinds of the powers it holds in its department's
# versions that still count; a superseded version's assignments are history.
_COUNTING = [status for status in ReviewStatus.values if status != ReviewStatus.SUPERSEDED]


def trained_kinds(officer_ids) -> dict[int, set[int]]:
    """The power kinds each officer's training covers (§3(三): 结合任职岗位和具体职权): the kinds a
    training record names, and the kinds of the powers of the posts it names. Any training
    counts, pre-post or refresher. A record that names neither (those kept before training was
    tied to posts) covers nothing. Two queries, whatever the number of officers."""
    covered: dict[int, set[int]] = defaultdict(set)
    for officer_id, kind_id in (
        TrainingRecord.kinds.through.objects.filter(trainingrecord__officer_id__in=officer_ids)
        .order_by()
        .values_list("trainingrecord__officer_id", "powerkind_id")
    ):
        covered[officer_id].add(kind_id)
    for officer_id, kind_id in (
        TrainingRecord.posts.through.objects.filter(
            trainingrecord__officer_id__in=officer_ids, post__assignments__power__breakdown__status__in=_COUNTING
        )
        .order_by()
        .values_list("trainingrecord__officer_id", "post__assignments__power__kind_id")
        .distinct()
    ):
        covered[officer_id].add(kind_id)
    return covered


def _coverage_findings(breakdown_ids: list[int], departments: dict[int, str], power_url) -> list[Finding]:
    """From law to power to procedure (不重不漏): instruments of the department's published
    catalogue that no power cites, powers without procedure steps or without any time limit,
    and a power given to two posts in the same role. Four queries, whatever the number of
    breakdowns."""
    found: list[Finding] = []

    # The department's published catalogue, set against what the breakdown's powers cite. The
    # general laws that bind every department (行政处罚法 …) govern how powers are exercised
    # and confer none, so they are not expected to have a power of their own.
    cited = set(
        PowerItem.provisions.through.objects.filter(poweritem__breakdown_id__in=breakdown_ids)
        .order_by()
        .values_list("poweritem__breakdown_id", "provision__instrument_id")
        .distinct()
    )
    breakdowns_of: dict[int, list[int]] = defaultdict(list)
    for breakdown_id, department_id in Breakdown.objects.filter(pk__in=breakdown_ids).values_list("pk", "department_id"):
        breakdowns_of[department_id].append(breakdown_id)
    listed = [
        (breakdown_id, instrument_id, instrument_name, catalogue_id)
        for department_id, instrument_id, instrument_name, catalogue_id in CatalogueEntry.objects.filter(
            catalogue__department_id__in=list(breakdowns_of),
            catalogue__status=ReviewStatus.PUBLISHED,
            instrument__binds_all_departments=False,
        )
        .order_by("catalogue__department__path", "position", "pk")
        .values_list("catalogue__department_id", "instrument_id", "instrument__name", "catalogue_id")
        for breakdown_id in breakdowns_of[department_id]
    ]
    message = _("《%(instrument)s》 is in the published basis catalogue, but no power of the breakdown cites it.")
    catalogue_url = _url_maker("basis:catalogue_detail", 1)
    reported = set()
    for breakdown_id, instrument_id, instrument_name, catalogue_id in listed:
        if (breakdown_id, instrument_id) in cited or (breakdown_id, instrument_id) in reported:
            continue
        reported.add((breakdown_id, instrument_id))
        found.append(Finding(
            FindingKind.INSTRUMENT_WITHOUT_POWER, departments[breakdown_id],
            message % {"instrument": instrument_name},
            catalogue_url(catalogue_id),
        ))

    without_steps = _("Power %(code)s %(name)s has no procedure steps.")
    without_limits = _("Power %(code)s %(name)s has procedure steps but no time limit on any of them.")
    for pk, breakdown_id, code, name, steps, limits in (
        PowerItem.objects.filter(breakdown_id__in=breakdown_ids)
        .annotate(step_count=Count("steps"), limit_count=Count("steps__time_limit"))
        .filter(Q(step_count=0) | Q(limit_count=0))
        .order_by("breakdown_id", "position", "pk")
        .values_list("pk", "breakdown_id", "code", "name", "step_count", "limit_count")
    ):
        kind, text = (
            (FindingKind.POWER_WITHOUT_STEPS, without_steps) if not steps else (FindingKind.POWER_WITHOUT_TIME_LIMITS, without_limits)
        )
        found.append(Finding(kind, departments[breakdown_id], text % {"code": code, "name": name}, power_url(breakdown_id, pk)))

    # The same power given to two posts in one role: who handles (or decides) it is unclear.
    posts: dict[tuple[int, str], list[str]] = defaultdict(list)
    powers: dict[int, tuple[int, str, str]] = {}
    for power_id, role, breakdown_id, code, name, post_name in (
        PostAssignment.objects.filter(power__breakdown_id__in=breakdown_ids)
        .filter(
            Exists(
                PostAssignment.objects.filter(power_id=OuterRef("power_id"), role=OuterRef("role")).exclude(pk=OuterRef("pk"))
            )
        )
        .order_by("power__breakdown_id", "power__position", "power_id", "role", "post__name")
        .values_list("power_id", "role", "power__breakdown_id", "power__code", "power__name", "post__name")
    ):
        posts[(power_id, role)].append(post_name)
        powers[power_id] = (breakdown_id, code, name)
    message = _("Power %(code)s %(name)s is assigned to %(posts)s in the same role (%(role)s).")
    roles = dict(AssignmentRole.choices)
    for (power_id, role), names in posts.items():
        breakdown_id, code, name = powers[power_id]
        found.append(Finding(
            FindingKind.OVERLAPPING_ASSIGNMENT, departments[breakdown_id],
            message % {"code": code, "name": name, "posts": "、".join(names), "role": roles[role]},
            power_url(breakdown_id, power_id),
        ))
    return found


def _kind_names():
    from .models import PowerKind

    return PowerKind.objects.values_list("pk", "name")


def current_breakdowns(departments: QuerySet[Organisation], visible: QuerySet) -> list[Breakdown]:
    """Each department's current version among the visible ones (the one in the works, or else
    the published one), in one query."""
    rows = visible.filter(department__in=departments).select_related("department").order_by("department__path", "-version")
    in_progress: dict[int, Breakdown] = {}
    published: dict[int, Breakdown] = {}
    order: list[int] = []
    for breakdown in rows:
        if breakdown.department_id not in order:
            order.append(breakdown.department_id)
        if breakdown.status in OPEN_STATUSES:
            in_progress.setdefault(breakdown.department_id, breakdown)
        elif breakdown.status == ReviewStatus.PUBLISHED:
            published.setdefault(breakdown.department_id, breakdown)
    return [b for d in order if (b := in_progress.get(d) or published.get(d)) is not None]


# -- Certificates -----------------------------------------------------------------------------


def certificates_expiring(certificates: QuerySet[Certificate], within_days: int = 90) -> QuerySet[Certificate]:
    """Valid certificates that expire within the coming days (for the home pages)."""
    today = timezone.localdate()
    return (
        certificates.filter(status=CertificateStatus.VALID, valid_until__gte=today,
                            valid_until__lte=today + datetime.timedelta(days=within_days))
        .select_related("officer", "officer__department")
        .order_by("valid_until")
    )


@dataclass(frozen=True)
class PublicCertificate:
    """What the public verification page may show, and nothing more."""

    number: str
    status: str
    status_label: str
    officer_name: str
    department: str
    issuing_government: str
    area: str
    kinds: list[str]
    valid_until: datetime.date


def _verification_query(number: str):
    return Certificate.objects.filter(number=number).order_by("pk").values_list(
        "pk", "number", "status", "valid_until", "area", "officer__name", "officer__department__name",
        "issuing_government__name",
    )[:1]


def _verification_kinds_query(certificate_id: int):
    return (
        Certificate.kinds.through.objects.filter(certificate_id=certificate_id)
        .order_by("powerkind__order", "powerkind__code")
        .values_list("powerkind__name", flat=True)
    )


# The public page anyone may ask for, as often as the rate limit allows: only the columns it
# shows, with the SQL compiled once per connection (compiling took longer than the two queries).
_VERIFICATION = PreparedQuery(_verification_query, str)
_VERIFICATION_KINDS = PreparedQuery(_verification_kinds_query, int)


def certificate_for_verification(number: str) -> PublicCertificate | None:
    row = _VERIFICATION.first(number.strip())
    if row is None:
        return None
    pk, number, status, valid_until, area, officer_name, department, issuing_government = row
    status = Certificate(status=status, valid_until=valid_until).current_status()
    return PublicCertificate(
        number=number,
        status=status,
        status_label=str(CertificateStatus(status).label),
        officer_name=officer_name,
        department=department,
        issuing_government=issuing_government,
        area=area,
        kinds=_VERIFICATION_KINDS.all(pk),
        valid_until=valid_until,
    )


def certificates_expiring_for(user, within_days: int = 90):
    """For the home pages: the certificates in the user's scope that expire soon (none for a
    role that sees no officers)."""
    from . import permissions as authority_perms

    return certificates_expiring(authority_perms.certificates_visible_to(user), within_days)


# -- Cached findings for the breakdown page ------------------------------------------------------

# The findings read powers, their provisions and instruments, assignments, posts and agencies,
# officers, placements and certificates. Every save, delete or many-to-many change of those
# moves a generation number (``findings_changed``, connected in apps.py), at once and again after
# commit, so a reader that computed from the data before the commit cached it under the old
# number. The number starts from the clock: a cache that lost it never reuses an old key. The
# date is part of the key because certificates expire by the calendar.
FINDINGS_CACHE_SECONDS = 3600
_GENERATION = "authority:findings:generation"


def _findings_generation() -> int:
    cache.add(_GENERATION, time.time_ns(), None)
    return cache.get(_GENERATION) or 0


def _bump_findings_generation() -> None:
    try:
        cache.incr(_GENERATION)
    except ValueError:  # not in the cache (evicted, or a fresh cache)
        cache.set(_GENERATION, time.time_ns(), None)


def findings_changed(sender=None, **kwargs) -> None:
    """Signal receiver: something the findings read has changed."""
    _bump_findings_generation()
    transaction.on_commit(_bump_findings_generation)


def _findings_key(breakdown: Breakdown, today: datetime.date) -> str:
    return f"authority:findings:{breakdown.pk}:{_findings_generation()}:{today.isoformat()}:{translation.get_language()}"


def cached_findings_for(breakdown: Breakdown, today: datetime.date | None = None) -> list[Finding]:
    """``findings_for([breakdown])``, computed once per change of the data it reads."""
    today = today or timezone.localdate()
    key = _findings_key(breakdown, today)
    found = cache.get(key)
    if found is None:
        found = findings_for([breakdown], today)
        cache.set(key, found, FINDINGS_CACHE_SECONDS)
    return found


def cached_findings_shown(breakdown: Breakdown, show: Callable[[list[Finding]], str], today: datetime.date | None = None) -> str:
    """``show(findings)`` (the breakdown page's findings table), made once per change of the data
    the findings read, under their key: a large breakdown has hundreds of findings, and rendering
    their rows on every view took longer than the rest of the page."""
    today = today or timezone.localdate()
    key = _findings_key(breakdown, today) + ":shown"
    shown = cache.get(key)
    if shown is None:
        shown = show(cached_findings_for(breakdown, today))
        cache.set(key, shown, FINDINGS_CACHE_SECONDS)
    return shown
