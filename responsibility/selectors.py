"""Reads of responsibilities: current versions, the powers a department may cite, a set's
responsibilities grouped by holder, its standards, the supporting-rule coverage matrix and the
home-page counts. Each is built in a fixed number of queries, whatever its length."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import permissions as perms
from authority import permissions as authority_perms
from authority.models import Breakdown, PostAssignment, PowerItem, ProcedureStep
from authority.selectors import FindingKind as AuthorityKind
from authority.selectors import current_breakdowns, findings_for
from basis.selectors import instruments_unclaimed
from organisations.models import Organisation
from responsibility import permissions as responsibility_perms
from workflow.review import OPEN_STATUSES, ReviewStatus

from .models import (
    EnforcementStandard,
    HolderLevel,
    Responsibility,
    ResponsibilitySet,
    StandardBand,
    SupportingRule,
    SupportingRuleKind,
    SupportingRuleStatus,
)

# Versions of a breakdown that are before the office (not the department's own drafts).
BEFORE_OFFICE = (ReviewStatus.SUBMITTED, ReviewStatus.UNDER_REVIEW, ReviewStatus.APPROVED)


def current_set(department: Organisation, visible: QuerySet | None = None) -> ResponsibilitySet | None:
    """The version that is being worked on, or else the published one."""
    queryset = (visible if visible is not None else ResponsibilitySet.objects).filter(department=department)
    return (
        queryset.filter(status__in=list(OPEN_STATUSES)).order_by("-version").first()
        or queryset.filter(status=ReviewStatus.PUBLISHED).order_by("-version").first()
    )


# -- Powers a department may cite -------------------------------------------------------------


@dataclass
class PowerRef:
    code: str
    name: str
    stage_ids: set[int] = field(default_factory=set)
    stage_names: list[str] = field(default_factory=list)


def current_breakdown_ids(department_ids) -> list[int]:
    """The breakdowns whose codes count for these departments: each one's latest published
    version and, while one is before the office, its latest under review (as for the catalogue
    a power may cite, authority.services.current_catalogue_instruments). One query."""
    rows = (
        Breakdown.objects.filter(department_id__in=department_ids)
        .filter(status__in=[ReviewStatus.PUBLISHED, *BEFORE_OFFICE])
        .order_by("department_id", "-version")
        .values_list("pk", "department_id", "status")
    )
    chosen: dict[tuple[int, bool], int] = {}
    for pk, department_id, status in rows:
        chosen.setdefault((department_id, status == ReviewStatus.PUBLISHED), pk)
    return list(chosen.values())


def current_powers(department: Organisation) -> dict[str, PowerRef]:
    """The powers of the department's current breakdown by code, with the stages of their
    procedures; the version before the office wins over the published one where both have a
    code. Three queries."""
    return powers_by_department([department.pk]).get(department.pk, {})


def powers_by_department(department_ids) -> dict[int, dict[str, PowerRef]]:
    breakdown_ids = current_breakdown_ids(department_ids)
    powers: dict[int, dict[str, PowerRef]] = defaultdict(dict)
    by_pk: dict[int, PowerRef] = {}
    rows = (
        PowerItem.objects.filter(breakdown_id__in=breakdown_ids)
        .order_by("breakdown__department_id", "breakdown__version", "position", "id")
        .values_list("pk", "code", "name", "breakdown__department_id")
    )
    for pk, code, name, department_id in rows:
        # Later versions come last and overwrite the published one's entry.
        ref = PowerRef(code=code, name=name)
        powers[department_id][code] = ref
        by_pk[pk] = ref
    for power_id, stage_id, stage_name in (
        ProcedureStep.objects.filter(power_id__in=list(by_pk))
        .order_by("power_id", "order")
        .values_list("power_id", "stage_id", "stage__name")
    ):
        ref = by_pk[power_id]
        if stage_id not in ref.stage_ids:
            ref.stage_ids.add(stage_id)
            ref.stage_names.append(stage_name)
    return dict(powers)


# -- A set's contents -------------------------------------------------------------------------


@dataclass
class HolderGroup:
    level: str
    label: str
    responsibilities: list[Responsibility]


def responsibilities_of(responsibility_set: ResponsibilitySet, query: str = "") -> QuerySet[Responsibility]:
    items = responsibility_set.responsibilities.select_related("kind", "agency", "post__agency", "stage")
    if query:
        items = items.filter(Q(content__icontains=query) | Q(power_code__icontains=query))
    return items.order_by("position", "id")


def responsibilities_by_holder(
    responsibility_set: ResponsibilitySet, responsibilities=None, powers: dict[str, PowerRef] | None = None
) -> list[HolderGroup]:
    """The set's responsibilities (or the given page of them) grouped by holder: the department
    first, then each agency, then each post, in the order of the tree; each carries
    ``power_name`` resolved from the current breakdown."""
    items = list(responsibilities if responsibilities is not None else responsibilities_of(responsibility_set))
    powers = powers if powers is not None else current_powers(responsibility_set.department)
    groups: dict[tuple, HolderGroup] = {}
    for item in items:
        ref = powers.get(item.power_code)
        item.power_name = ref.name if ref else ""
        item.power_missing = bool(item.power_code) and ref is None
        if item.level == HolderLevel.POST and item.post is not None:
            key = (2, item.post.agency.path, item.post.name, item.post_id)
            label = f"{item.post.agency.name} · {item.post.name}"
        elif item.level == HolderLevel.AGENCY and item.agency is not None:
            key = (1, item.agency.path, "", item.agency_id)
            label = item.agency.name
        else:
            key = (0, "", "", 0)
            label = responsibility_set.department.name
        groups.setdefault(key, HolderGroup(level=item.level, label=label, responsibilities=[]))
        groups[key].responsibilities.append(item)
    return [groups[key] for key in sorted(groups)]


def standards_of(responsibility_set: ResponsibilitySet, powers: dict[str, PowerRef] | None = None) -> list[EnforcementStandard]:
    standards = list(
        responsibility_set.standards.prefetch_related(
            Prefetch("bands", queryset=StandardBand.objects.order_by("order"))
        ).order_by("position", "id")
    )
    powers = powers if powers is not None else current_powers(responsibility_set.department)
    for standard in standards:
        ref = powers.get(standard.power_code)
        standard.power_name = ref.name if ref else ""
        standard.power_missing = ref is None
    return standards


def sets_list(visible: QuerySet, *, status: str = "", query: str = "") -> QuerySet[ResponsibilitySet]:
    sets = (
        visible.select_related("department", "department__jurisdiction")
        .annotate(
            responsibility_count=Count("responsibilities", distinct=True),
            standard_count=Count("standards", distinct=True),
        )
        .order_by("department__path", "-version")
    )
    if status == "awaiting":
        sets = sets.filter(status__in=[ReviewStatus.SUBMITTED, ReviewStatus.UNDER_REVIEW, ReviewStatus.APPROVED])
    elif status:
        sets = sets.filter(status=status)
    if query:
        sets = sets.filter(department__name__icontains=query)
    return sets


# -- Supporting-rule coverage -----------------------------------------------------------------


@dataclass
class CoverageRow:
    department: Organisation
    in_force: set[str]
    missing: list[str]
    cells: list[tuple[str, str, bool]]


@dataclass
class Coverage:
    rows: list[CoverageRow]
    kinds: list[tuple[str, str]]
    missing_by_kind: dict[str, int]
    complete: int

    @property
    def incomplete(self) -> int:
        return len(self.rows) - self.complete

    @property
    def kind_totals(self) -> list[tuple[str, str, int]]:
        return [(value, label, self.missing_by_kind[value]) for value, label in self.kinds]


def coverage(departments: QuerySet[Organisation], *, only_missing: bool = False) -> Coverage:
    """Which of the departments have a rule in force of each of the eight kinds: two queries,
    whatever the number of departments."""
    departments = list(departments.select_related("jurisdiction").order_by("path"))
    in_force: dict[int, set[str]] = defaultdict(set)
    for department_id, kind in (
        SupportingRule.objects.filter(
            department_id__in=[d.pk for d in departments], status=SupportingRuleStatus.IN_FORCE
        )
        .values_list("department_id", "kind")
        .distinct()
    ):
        in_force[department_id].add(kind)
    kinds = list(SupportingRuleKind.choices)
    rows: list[CoverageRow] = []
    missing_by_kind = {value: 0 for value, _label in kinds}
    complete = 0
    for department in departments:
        present = in_force.get(department.pk, set())
        missing = [value for value, _label in kinds if value not in present]
        for value in missing:
            missing_by_kind[value] += 1
        if not missing:
            complete += 1
        if only_missing and not missing:
            continue
        rows.append(CoverageRow(department, present, missing, [(value, label, value in present) for value, label in kinds]))
    return Coverage(rows=rows, kinds=kinds, missing_by_kind=missing_by_kind, complete=complete)


def coverage_for(user, *, government: Organisation | None = None, only_missing: bool = False) -> Coverage:
    """The coverage of the enforcement subjects and county governments in the user's scope. An
    abolished department adopts no rule any more: it is left out (its register stays readable)."""
    departments = responsibility_perms.rule_holders_in_scope(user).filter(is_active=True)
    if government is not None:
        departments = departments.filter(jurisdiction=government)
    return coverage(departments, only_missing=only_missing)


RULE_ORDER = ("kind_order", "-adopted_on", "id")


def in_plan_order(rules: QuerySet[SupportingRule], *first: str) -> QuerySet[SupportingRule]:
    """Rules ordered (after ``first``) as the plan lists the eight kinds, 岗位责任制度 first,
    not by their codes; the newest rule of a kind first. ``kind_order`` stays available to
    order by."""
    order = Case(*(When(kind=kind, then=Value(n)) for n, kind in enumerate(SupportingRuleKind.values)), output_field=IntegerField())
    return rules.alias(kind_order=order).order_by(*first, *RULE_ORDER)


def rules_of(visible: QuerySet[SupportingRule], department: Organisation) -> QuerySet[SupportingRule]:
    return in_plan_order(visible.filter(department=department))


# -- Home page --------------------------------------------------------------------------------


# The queues of the responsibility-set list, by the name its ``queue`` parameter carries.
SET_QUEUES = {
    "awaiting_review": Q(status__in=[ReviewStatus.SUBMITTED, ReviewStatus.UNDER_REVIEW]),
    "awaiting_publication": Q(status=ReviewStatus.APPROVED),
    "to_fix": Q(status__in=[ReviewStatus.DRAFT, ReviewStatus.RETURNED]),
}
# The coverage page's (and a department's register's) queue: departments, or kinds, missing rules.
MISSING_QUEUE = "missing"


def set_queue(visible: QuerySet[ResponsibilitySet], queue: str, *, government: Organisation | None = None) -> QuerySet[ResponsibilitySet]:
    """The sets of one queue among ``visible`` (already scoped to the user). For an office,
    ``government`` is its own: a queue holds what that office decides, so a city office's queue
    leaves out its counties' sets (it sees them, their county office reviews them)."""
    if government is not None:
        visible = visible.filter(department__jurisdiction=government)
    return visible.filter(SET_QUEUES[queue])


def missing_rules_queue(user) -> Coverage:
    """The coverage rows of the departments an office decides for (its own jurisdiction) that
    miss at least one of the eight supporting rules: the home tile's count and the coverage
    page's ``?queue=missing`` rows."""
    return coverage_for(user, government=perms.jurisdiction_of(user), only_missing=True)


def missing_kinds_of(user, department: Organisation) -> list[tuple[str, str, bool]]:
    """The kinds of supporting rule ``department`` has no rule in force of, as the register's
    cells: the editor's home tile and the register's ``?queue=missing`` list."""
    rows = coverage(perms.departments_in_scope(user).filter(pk=department.pk)).rows
    return [cell for cell in rows[0].cells if not cell[2]] if rows else []


def awaiting_for(user) -> list[tuple[str, int, str, str]]:
    """What waits for this user in responsibilities, as (label, count, URL name, query) for the
    home page, whose template reverses the name and appends the query: for an office, the sets
    of its departments to review and to publish and the departments missing supporting rules;
    for a department, its versions to complete or fix and the kinds of supporting rule it lacks.
    Each count comes from the function the linked page filters with, so the tile's number is
    the number of rows the page shows."""
    if not responsibility_perms.can_view_responsibilities(user):
        return []
    visible = responsibility_perms.responsibility_sets_visible_to(user)
    government = perms.jurisdiction_of(user)
    if government is not None:
        def queue(name):
            return set_queue(visible, name, government=government).count()

        return [
            (_("Responsibility sets awaiting review"), queue("awaiting_review"), "responsibility:index",
             "queue=awaiting_review"),
            (_("Approved responsibility sets awaiting publication"), queue("awaiting_publication"), "responsibility:index",
             "queue=awaiting_publication"),
            (_("Departments missing supporting rules"), len(missing_rules_queue(user).rows), "responsibility:coverage",
             f"queue={MISSING_QUEUE}"),
        ]
    department = perms.department_of(user)
    if department is None:
        return []
    return [
        (_("Responsibility set versions to complete or fix"), set_queue(visible, "to_fix").count(), "responsibility:index",
         "queue=to_fix"),
        (_("Kinds of supporting rule missing"), len(missing_kinds_of(user, department)), "responsibility:rule_home",
         f"queue={MISSING_QUEUE}"),
    ]


# -- Coverage from law to duty (不重不漏, 有权必有责) ----------------------------------------------


@dataclass(frozen=True)
class DutyFinding:
    kind: str
    kind_label: str
    department: str
    message: str
    url: str


class DutyFindingKind:
    UNCLAIMED_INSTRUMENT = "unclaimed_instrument"
    POWER_WITHOUT_RESPONSIBILITY = "power_without_responsibility"
    POST_WITHOUT_RESPONSIBILITY = "post_without_responsibility"


def duty_findings(departments: QuerySet[Organisation]) -> list[DutyFinding]:
    """Powers of the departments' current breakdowns that no responsibility of their current
    set answers for (by power code), and posts holding powers that no responsibility names
    (有权必有责). Four queries, whatever the number of departments."""
    names = dict(departments.values_list("pk", "name"))
    breakdown_ids = current_breakdown_ids(list(names))
    sets: dict[int, tuple[int, str]] = {}
    for pk, department_id, status in (
        ResponsibilitySet.objects.filter(department_id__in=list(names))
        .filter(status__in=[*OPEN_STATUSES, ReviewStatus.PUBLISHED])
        .order_by("department_id", "-version")
        .values_list("pk", "department_id", "status")
    ):
        # The version in the works wins over the published one, as current_set has it.
        if department_id not in sets or (status != ReviewStatus.PUBLISHED and sets[department_id][1] == ReviewStatus.PUBLISHED):
            sets[department_id] = (pk, status)
    codes: set[tuple[int, str]] = set()
    posts: set[int] = set()
    for department_id, code, post_id in Responsibility.objects.filter(
        responsibility_set_id__in=[pk for pk, _status in sets.values()]
    ).values_list("responsibility_set__department_id", "power_code", "post_id"):
        if code:
            codes.add((department_id, code))
        if post_id:
            posts.add(post_id)
    found: list[DutyFinding] = []
    power_label = _("Power without a responsibility")
    message = _("Power %(code)s %(name)s has no responsibility in the current responsibility set.")
    seen: set[tuple[int, str]] = set()
    for breakdown_id, pk, code, name, department_id in (
        PowerItem.objects.filter(breakdown_id__in=breakdown_ids)
        .order_by("breakdown__department__path", "position", "pk")
        .values_list("breakdown_id", "pk", "code", "name", "breakdown__department_id")
    ):
        if (department_id, code) in codes or (department_id, code) in seen:
            continue
        seen.add((department_id, code))
        found.append(DutyFinding(
            DutyFindingKind.POWER_WITHOUT_RESPONSIBILITY, str(power_label), names[department_id],
            message % {"code": code, "name": name},
            reverse("authority:power_edit", args=[breakdown_id, pk]),
        ))
    post_label = _("Post without a responsibility")
    message = _("Post %(post)s holds powers, but no responsibility of the current set names it.")
    posts_url = reverse("authority:post_list")
    for post_id, post_name, agency_name, department_id in (
        PostAssignment.objects.filter(power__breakdown_id__in=breakdown_ids)
        .exclude(post_id__in=list(posts))
        .order_by("power__breakdown__department__path", "post__agency__path", "post__name")
        .values_list("post_id", "post__name", "post__agency__name", "power__breakdown__department_id")
        .distinct()
    ):
        found.append(DutyFinding(
            DutyFindingKind.POST_WITHOUT_RESPONSIBILITY, str(post_label), names[department_id],
            message % {"post": f"{agency_name} · {post_name}"},
            f"{posts_url}#post-{post_id}",
        ))
    return found


def law_to_duty_findings(user) -> list[DutyFinding]:
    """The office's coverage report from law to duty, in its jurisdiction: registry instruments
    no department claims, instruments of a catalogue no power cites, powers without procedure
    or time limits, overlapping post assignments (authority's completeness), and powers and
    posts without a responsibility."""
    government = perms.jurisdiction_of(user)
    if government is None:
        return []
    found: list[DutyFinding] = []
    label = _("Instrument no department claims")
    message = _("No department of %(government)s lists 《%(instrument)s》 in its current catalogue: a possible gap.")
    for holder, instrument in instruments_unclaimed(government.path):
        found.append(DutyFinding(
            DutyFindingKind.UNCLAIMED_INSTRUMENT, str(label), holder.name,
            message % {"government": holder.name, "instrument": instrument.name},
            reverse("basis:instrument_detail", args=[instrument.pk]),
        ))
    departments = perms.departments_in_scope(user)
    labels = {
        AuthorityKind.INSTRUMENT_WITHOUT_POWER: _("Catalogue instrument without a power"),
        AuthorityKind.POWER_WITHOUT_STEPS: _("Power without procedure steps"),
        AuthorityKind.POWER_WITHOUT_TIME_LIMITS: _("Power without time limits"),
        AuthorityKind.OVERLAPPING_ASSIGNMENT: _("Overlapping post assignment"),
    }
    breakdowns = current_breakdowns(departments, authority_perms.breakdowns_visible_to(user))
    for finding in findings_for(breakdowns):
        if finding.kind in labels:
            found.append(DutyFinding(finding.kind, str(labels[finding.kind]), finding.department, finding.message, finding.url))
    found += duty_findings(departments)
    return found
