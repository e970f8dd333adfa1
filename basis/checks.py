"""Cross-department checks of the basis catalogues, which the office sees before deciding and a
department before submitting (§3(二): 不重不漏, no overlaps and no gaps).

The checks run over the *current* catalogue of every department in scope
(``selectors.current_catalogues``), each as one aggregate SQL statement, so the number of
queries does not grow with the data; only the few rows that are already suspect come back to
Python, which works out overlapping provisions and phrases the finding. A whole province
(400,000 entries) takes about two seconds on PostgreSQL; see bench/bench_conflicts.py.

Multi-head enforcement is looked for between departments of one jurisdiction (the same city or
county government): the market regulators of two counties both leading on the Food Safety Law
is the normal state of affairs, two departments of one county doing so is the conflict.
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from django.core.cache import cache
from django.db import connection, models, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation, SubjectKind

from .models import BasisCatalogue, CatalogueEntry, InstrumentStatus, LegalInstrument, ManagementCategory
from .numbering import provision_label
from .selectors import current_catalogues


class FindingKind(models.TextChoices):
    MULTI_HEAD = "multi_head", _("Multi-head enforcement")
    CROSS = "cross", _("Cross enforcement")
    REPEALED = "repealed", _("Repealed instrument")
    ULTRA_VIRES = "ultra_vires", _("Ultra vires enforcement")
    DUPLICATE = "duplicate", _("Duplicate entry")
    # 共管协管记载不一致: the partner lists the instrument, but not as the entry says.
    PARTNER_MISMATCH = "partner_mismatch", _("Joint or coordinated management recorded differently")


_KIND_ORDER = {kind: index for index, kind in enumerate(FindingKind.values)}


@dataclass(frozen=True)
class Ref:
    id: int
    name: str


@dataclass(frozen=True)
class EntryRef:
    """Enough of an entry to link to it: /…/catalogues/<catalogue_id>/#entry-<id>."""

    id: int
    catalogue_id: int
    department_id: int
    position: int


@dataclass(frozen=True)
class Finding:
    kind: str
    instrument: Ref
    departments: tuple[Ref, ...]
    # Labels such as 第十二条第二款; empty means the whole instrument.
    provisions: tuple[str, ...]
    entries: tuple[EntryRef, ...]
    # For a partner mismatch: how each department recorded the instrument, as role codes
    # (see ``_Roles``): (first's category, partner's role in first's entry, partner's
    # category, first's role in partner's entry).
    recorded: tuple[str, ...] = ()

    @property
    def kind_label(self) -> str:
        return str(FindingKind(self.kind).label)

    @property
    def instrument_id(self) -> int:
        return self.instrument.id

    @property
    def instrument_name(self) -> str:
        return self.instrument.name

    @property
    def department_ids(self) -> tuple[int, ...]:
        return tuple(d.id for d in self.departments)

    @property
    def department_names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.departments)

    @property
    def entry_ids(self) -> tuple[int, ...]:
        return tuple(e.id for e in self.entries)

    @property
    def catalogue_ids(self) -> tuple[int, ...]:
        return tuple(sorted({e.catalogue_id for e in self.entries}))

    def involves(self, catalogue: BasisCatalogue) -> bool:
        """Whether the finding concerns this catalogue: one of its entries is at fault, or its
        department is the partner or principal that does not claim the instrument back."""
        return catalogue.pk in self.catalogue_ids or catalogue.department_id in self.department_ids

    @property
    def message(self) -> str:
        """The finding in a sentence, in the active language."""
        sep = gettext(", ")
        provisions = sep.join(self.provisions) or gettext("the whole instrument")
        values = {"instrument": self.instrument.name, "provisions": provisions}
        first, *others = self.department_names
        if self.kind == FindingKind.MULTI_HEAD:
            return gettext("%(departments)s each claim sole management of %(instrument)s (%(provisions)s).") % {
                **values,
                "departments": sep.join(self.department_names),
            }
        if self.kind == FindingKind.CROSS:
            return gettext(
                "%(department)s names %(partners)s as partner on %(instrument)s (%(provisions)s), "
                "but their current catalogue does not list it."
            ) % {**values, "department": first, "partners": sep.join(others)}
        if self.kind == FindingKind.REPEALED:
            return gettext("%(department)s cites %(instrument)s (%(provisions)s), which has been repealed.") % {
                **values,
                "department": first,
            }
        if self.kind == FindingKind.ULTRA_VIRES:
            return gettext(
                "%(department)s enforces %(instrument)s (%(provisions)s) as an entrusted organisation, "
                "but the current catalogue of its principal %(principal)s does not list it."
            ) % {**values, "department": first, "principal": sep.join(others)}
        if self.kind == FindingKind.PARTNER_MISMATCH:
            own_category, partner_role, partner_category, own_role = self.recorded
            return gettext(
                "%(department)s records %(instrument)s (%(provisions)s) as %(own_category)s with "
                "%(partner)s as %(partner_role)s; %(partner)s records it as %(partner_category)s, "
                "naming %(department)s %(own_role)s."
            ) % {
                **values,
                "department": first,
                "partner": sep.join(others),
                "own_category": _category_label(own_category),
                "partner_role": _role_label(partner_role),
                "partner_category": _category_label(partner_category),
                "own_role": _role_label(own_role, naming=True),
            }
        return gettext("%(department)s lists %(instrument)s more than once (%(provisions)s).") % {
            **values,
            "department": first,
        }


def _category_label(category: str) -> str:
    return str(ManagementCategory(category).label) if category in ManagementCategory.values else category


def _role_label(role: str, naming: bool = False) -> str:
    if naming:
        labels = {
            "lead": gettext("as lead department"),
            "joint": gettext("as joint department"),
            "assisting": gettext("as assisting department"),
            "": gettext("nowhere"),
        }
    else:
        labels = {
            "lead": gettext("lead department"),
            "joint": gettext("joint department"),
            "assisting": gettext("assisting department"),
            "": gettext("not named"),
        }
    return labels.get(role, role)


# -- Entry point ------------------------------------------------------------------------------


def findings(*, scope_path: str, extra_catalogue: BasisCatalogue | None = None) -> list[Finding]:
    """Every finding about the current catalogues of the departments under ``scope_path`` ("" =
    everywhere). ``extra_catalogue`` (a department's draft) is checked in place of its
    department's current catalogue. Partners and principals are looked up wherever they are."""
    extras = [extra_catalogue] if extra_catalogue is not None else []
    return _Check(scope_path=scope_path, extras=extras).run()


def findings_for_catalogue(catalogue: BasisCatalogue, *, reached: set[int] | None = None) -> list[Finding]:
    """The findings that concern one catalogue (any version, a draft included), as if it were
    its department's current one: for the review page and the department's pre-submit check.
    ``reached``: its ``reached_departments``, if already read."""
    found = _Check(scope_path="", extras=[catalogue], focus=[catalogue], reached=reached).run()
    return [finding for finding in found if finding.involves(catalogue)]


def conflict_counts(catalogue_ids: Iterable[int]) -> dict[int, int]:
    """How many findings concern each catalogue (for the review queue), in a constant number of
    queries. Each catalogue is checked as its department's current one; given several versions
    of one department, the newest stands in and the others count only their own entries."""
    catalogues = list(BasisCatalogue.objects.filter(pk__in=list(catalogue_ids)).only("id", "department_id", "version"))
    newest: dict[int, BasisCatalogue] = {}
    for catalogue in catalogues:
        if catalogue.department_id not in newest or catalogue.version > newest[catalogue.department_id].version:
            newest[catalogue.department_id] = catalogue
    counts = {catalogue.pk: 0 for catalogue in catalogues}
    if not catalogues:
        return counts
    stand_ins = list(newest.values())
    found = _Check(scope_path="", extras=stand_ins, focus=stand_ins).run()
    stand_in_ids = {catalogue.pk for catalogue in stand_ins}
    for finding in found:
        for catalogue in catalogues:
            if catalogue.pk in stand_in_ids and finding.involves(catalogue):
                counts[catalogue.pk] += 1
    return counts


# -- Provisions -------------------------------------------------------------------------------

# (article, paragraph, item); 0 = the whole article or paragraph, as the Provision model stores it.
Position = tuple[int, int, int]


def provisions_overlap(first: frozenset[Position], second: frozenset[Position]) -> set[Position] | None:
    """What two entries on one instrument both cover: None if nothing; an empty set if both
    cover the whole instrument (an entry without provisions does); otherwise the provisions, the
    more specific of each overlapping pair (第十二条 and 第十二条第二款 overlap in the latter)."""
    if not first or not second:
        return set(first or second)
    common = set()
    for a in first:
        for b in second:
            if a[0] == b[0] and _compatible(a[1], b[1]) and _compatible(a[2], b[2]):
                # Compatible parts are equal or one is 0, so max() is the more specific.
                common.add((a[0], max(a[1], b[1]), max(a[2], b[2])))
    return common or None


def _compatible(x: int, y: int) -> bool:
    return x == 0 or y == 0 or x == y


def _labels(positions: Iterable[Position]) -> tuple[str, ...]:
    return tuple(provision_label(*position) for position in sorted(positions))


# -- The checks -------------------------------------------------------------------------------
#
# Each check is one SQL statement: common table expressions pick the current catalogues and
# narrow the entries down to the suspect ones (``suspect``: the entry and, where the finding
# names one, the partner or principal). One more query then reads what the findings show (names,
# provisions) for the suspects of every check at once, by id: the planner then joins a few
# hundred rows instead of guessing how many will survive the checks. Python works out
# overlapping provisions and phrases the findings.


@dataclass
class _Entry:
    id: int
    catalogue_id: int
    position: int
    department: Ref
    jurisdiction_id: int | None
    department_path: str
    principals: frozenset  # the organs it acts for: the entry's principal, its organisation's
    instrument: Ref
    provisions: set = field(default_factory=set)

    @property
    def ref(self) -> EntryRef:
        return EntryRef(self.id, self.catalogue_id, self.department.id, self.position)

    def acts_with(self, other: "_Entry") -> bool:
        """Whether the two act as one: an organisation under a department, or entrusted by it,
        leads in the department's name rather than against it."""
        return (
            self.department_path.startswith(other.department_path)
            or other.department_path.startswith(self.department_path)
            or self.department.id in other.principals
            or other.department.id in self.principals
        )


def _tables() -> dict[str, str]:
    from organisations.models import Organisation

    from .models import LegalInstrument, Provision

    quote = connection.ops.quote_name
    return {
        "entry": quote(CatalogueEntry._meta.db_table),
        "catalogue": quote(BasisCatalogue._meta.db_table),
        "organisation": quote(Organisation._meta.db_table),
        "instrument": quote(LegalInstrument._meta.db_table),
        "provision": quote(Provision._meta.db_table),
        "entry_provision": quote(CatalogueEntry.provisions.through._meta.db_table),
        "joint": quote(CatalogueEntry.joint_departments.through._meta.db_table),
        "assisting": quote(CatalogueEntry.assisting_departments.through._meta.db_table),
    }


_DETAILS = """
SELECT e.id, e.catalogue_id, e.position, o.id, o.name, o.jurisdiction_id, o.path,
       e.principal_id, o.principal_id, i.id, i.name, p.article, p.paragraph, p.item
FROM {entry} e
JOIN {catalogue} c ON c.id = e.catalogue_id
JOIN {organisation} o ON o.id = c.department_id
JOIN {instrument} i ON i.id = e.instrument_id
LEFT JOIN {entry_provision} ep ON ep.catalogueentry_id = e.id
LEFT JOIN {provision} p ON p.id = ep.provision_id
WHERE e.id {ids}
"""

# An array of ids passed as one string ("1,2,,4"; empty = NULL): one constant for the parser,
# where a literal ARRAY[…] of thousands of numbers costs more to plan than the check to run.
_ARRAY = "string_to_array(%s, ',', '')::bigint[]"


def _joined(values: Iterable) -> str:
    return ",".join("" if value is None else str(int(value)) for value in values)


# Partner (or principal) ids and names, by suspect entry id.
Suspects = dict[int, dict[int, str]]


def reached_departments(catalogue_ids: list[int]) -> dict[int, set[int]]:
    """For each catalogue, the departments a focused check of it reads the current catalogue
    of: its own, those of its jurisdiction (multi-head), the partners and principals its entries
    name and its department's principal (cross, mismatch, ultra vires), the departments whose
    entries name it or act for it, and the principals those entries name. Its findings depend
    on these departments' catalogues, the registry and the organisation tree, nothing else."""
    if not catalogue_ids:
        return {}
    t = _tables()
    ids = ", ".join(["%s"] * len(catalogue_ids))
    branches = [
        "SELECT f.fid, f.fdep FROM f",
        f"SELECT f.fid, o.id FROM f JOIN {t['organisation']} o ON o.principal_id = f.fdep",
        f"SELECT f.fid, o.id FROM f JOIN {t['organisation']} fo ON fo.id = f.fdep "
        f"JOIN {t['organisation']} o ON o.jurisdiction_id = fo.jurisdiction_id",
        f"SELECT f.fid, fo.principal_id FROM f JOIN {t['organisation']} fo ON fo.id = f.fdep",
        f"SELECT f.fid, e.principal_id FROM f JOIN {t['entry']} e ON e.catalogue_id = f.fid",
        f"SELECT f.fid, c.department_id FROM f JOIN {t['entry']} e ON e.principal_id = f.fdep "
        f"JOIN {t['catalogue']} c ON c.id = e.catalogue_id",
        # Entries of an organisation acting for the department may name another principal.
        f"SELECT f.fid, e.principal_id FROM f JOIN {t['organisation']} o ON o.principal_id = f.fdep "
        f"JOIN {t['catalogue']} c ON c.department_id = o.id JOIN {t['entry']} e ON e.catalogue_id = c.id",
    ]
    for through in ("joint", "assisting"):
        branches += [
            f"SELECT f.fid, n.organisation_id FROM f JOIN {t['entry']} e ON e.catalogue_id = f.fid "
            f"JOIN {t[through]} n ON n.catalogueentry_id = e.id",
            f"SELECT f.fid, c.department_id FROM f JOIN {t[through]} n ON n.organisation_id = f.fdep "
            f"JOIN {t['entry']} e ON e.id = n.catalogueentry_id JOIN {t['catalogue']} c ON c.id = e.catalogue_id",
        ]
    sql = (
        f"WITH f(fid, fdep) AS (SELECT id, department_id FROM {t['catalogue']} WHERE id IN ({ids}))\n"
        + "\nUNION ".join(branches)
    )
    reached: dict[int, set[int]] = {pk: set() for pk in catalogue_ids}
    with connection.cursor() as cursor:
        cursor.execute(sql, list(catalogue_ids))
        for catalogue_id, department_id in cursor.fetchall():
            if department_id is not None:
                reached[catalogue_id].add(department_id)
    return reached


class _Check:
    def __init__(
        self,
        *,
        scope_path: str,
        extras: list[BasisCatalogue],
        focus: list[BasisCatalogue] | None = None,
        reached: set[int] | None = None,
    ):
        # In scope: whose entries are examined. Everywhere: where partners and principals are
        # looked up, since a county department may name a city one.
        self.in_scope = current_catalogues(scope_path, replacing=extras).order_by().values(
            "id", "department_id", "department__jurisdiction_id"
        )
        self.everywhere = current_catalogues("", replacing=extras).order_by().values("id", "department_id")
        self.scope_path = scope_path
        self._current: tuple[list, list] | None = None
        # The focused catalogues' reached departments, when the caller has read them already.
        self.reached = reached
        self.extras = extras
        self.focus_ids = [c.pk for c in focus] if focus else None
        self.focus_departments = [c.department_id for c in focus] if focus else None
        self.tables = _tables()

    def run(self) -> list[Finding]:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # The materialised steps make the planner's cost estimates large enough to turn
                # on JIT compilation, which then costs more than these queries take to run.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL jit = off")
            return self._run()

    def _run(self) -> list[Finding]:
        checks = {
            FindingKind.MULTI_HEAD: (self.multi_head_suspects, self.multi_head),
            FindingKind.CROSS: (self.cross_suspects, self.cross),
            FindingKind.REPEALED: (self.repealed_suspects, self.repealed),
            FindingKind.ULTRA_VIRES: (self.ultra_vires_suspects, self.ultra_vires),
            FindingKind.DUPLICATE: (self.duplicate_suspects, self.duplicates),
            FindingKind.PARTNER_MISMATCH: (self.mismatch_suspects, self.mismatches),
        }
        suspects = {kind: select() for kind, (select, _judge) in checks.items()}
        wanted = {entry_id for found in suspects.values() for entry_id in found}
        # A mismatch compares the entry with the partner's entries on the instrument.
        wanted |= {partner for found in suspects[FindingKind.PARTNER_MISMATCH].values() for partner in found}
        entries = self._details(wanted)
        self.entries = entries
        found = []
        for kind, (_select, judge) in checks.items():
            # An entry deleted between the two reads is simply left out.
            listed = [entries[entry_id] for entry_id in sorted(suspects[kind]) if entry_id in entries]
            found += judge(listed, suspects[kind])
        return sorted(
            found,
            key=lambda f: (_KIND_ORDER[f.kind], f.instrument.name, f.instrument.id, f.department_ids, f.entry_ids),
        )

    # Building blocks.

    def _in(self, values: list) -> tuple[str, list]:
        """An IN list; never empty, which SQL does not allow."""
        values = list(values) or [None]
        return ", ".join(["%s"] * len(values)), values

    def _current_rows(self) -> tuple[list, list]:
        """The current catalogues, read once for every check of the run: (in scope, everywhere),
        as rows of (id, department_id, jurisdiction_id). Working them out is most of what a
        focused check costs if each statement does it again."""
        if self._current is None:
            current = current_catalogues("", replacing=self.extras).order_by()
            if self.focus_ids is not None:
                current = current.filter(department_id__in=self._reached_departments())
            everywhere = list(
                current.values_list("id", "department_id", "department__jurisdiction_id", "department__path")
            )
            in_scope = [row[:3] for row in everywhere if row[3].startswith(self.scope_path)]
            self._current = (in_scope, [row[:3] for row in everywhere])
        return self._current

    def _reached_departments(self) -> list[int]:
        """For a focused check, the departments whose current catalogue a check can reach from
        the focused ones (``reached_departments``): every check joins its entries to these alone,
        so reading the current catalogue of these few stands for reading every department's."""
        if self.reached is not None:
            return sorted(self.reached)
        return sorted(set().union(*reached_departments(self.focus_ids).values()))

    def _scope_cte(self) -> tuple[str, list]:
        """``scope(id, department_id, jurisdiction_id)``: the current catalogues in scope. A
        whole check (the findings page, the province) keeps the subquery it was tuned with."""
        if connection.vendor != "postgresql" or self.focus_ids is None:
            sql, params = self.in_scope.query.sql_with_params()
            return sql, list(params)
        rows = self._current_rows()[0]
        return (
            f"SELECT * FROM unnest({_ARRAY}, {_ARRAY}, {_ARRAY})",
            [_joined(row[0] for row in rows), _joined(row[1] for row in rows), _joined(row[2] for row in rows)],
        )

    def _everywhere_cte(self) -> tuple[str, list]:
        """``everywhere(id, department_id)``: the current catalogue of every department."""
        if connection.vendor != "postgresql" or self.focus_ids is None:
            sql, params = self.everywhere.query.sql_with_params()
            return sql, list(params)
        rows = self._current_rows()[1]
        return f"SELECT * FROM unnest({_ARRAY}, {_ARRAY})", [_joined(row[0] for row in rows), _joined(row[1] for row in rows)]

    def _suspects(self, ctes: list[tuple[str, str, list]], needs_everywhere: bool = False) -> Suspects:
        """Run a check whose CTEs end with ``suspect(id, partner_id)``."""
        scope_sql, scope_params = self._scope_cte()
        parts = [("scope(id, department_id, jurisdiction_id)", scope_sql, scope_params)]
        if needs_everywhere:
            everywhere_sql, everywhere_params = self._everywhere_cte()
            parts.append(("everywhere(id, department_id)", everywhere_sql, everywhere_params))
        parts += ctes
        # Each step is computed once: left to inline them, PostgreSQL misjudges how many rows
        # survive a step and may re-run an aggregate for every row of another.
        materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
        sql = "WITH " + ",\n".join(f"{name} AS {materialized}({body})" for name, body, _ in parts)
        sql += (
            f"\nSELECT suspect.id, suspect.partner_id, partner.name FROM suspect "
            f"LEFT JOIN {self.tables['organisation']} partner ON partner.id = suspect.partner_id"
        )
        suspects: Suspects = {}
        with connection.cursor() as cursor:
            cursor.execute(sql, [param for _, _, cte_params in parts for param in cte_params])
            for entry_id, partner_id, partner_name in cursor.fetchall():
                partners = suspects.setdefault(entry_id, {})
                if partner_id is not None:
                    partners[partner_id] = partner_name
        return suspects

    def _details(self, ids: set[int]) -> dict[int, _Entry]:
        if not ids:
            return {}
        # The ids go as one parameter, whatever their number.
        if connection.vendor == "postgresql":
            condition, param = "= ANY(%s::bigint[])", sorted(ids)
        else:
            condition, param = "IN (SELECT value FROM json_each(%s))", json.dumps(sorted(ids))
        entries: dict[int, _Entry] = {}
        with connection.cursor() as cursor:
            cursor.execute(_DETAILS.format(**self.tables, ids=condition), [param])
            for row in cursor.fetchall():
                (entry_id, catalogue_id, position, department_id, department_name, jurisdiction_id, path,
                 entry_principal, department_principal, instrument_id, instrument_name,
                 article, paragraph, item) = row  # fmt: skip
                entry = entries.get(entry_id)
                if entry is None:
                    entry = entries[entry_id] = _Entry(
                        id=entry_id,
                        catalogue_id=catalogue_id,
                        position=position,
                        department=Ref(department_id, department_name),
                        jurisdiction_id=jurisdiction_id,
                        department_path=path,
                        principals=frozenset({entry_principal, department_principal} - {None}),
                        instrument=Ref(instrument_id, instrument_name),
                    )
                if article is not None:
                    entry.provisions.add((article, paragraph, item))
        return entries

    def _unclaimed(self, candidates: str, department: str) -> list[tuple[str, str, list]]:
        """CTEs: the rows of ``candidates`` (with ``instrument_id`` and the ``department``
        column) whose department's current catalogue has no entry on the instrument. Only those
        departments' catalogues are read."""
        return [
            (
                "asked(id, department_id)",
                f"SELECT w.id, w.department_id FROM everywhere w WHERE w.department_id IN "
                f"(SELECT {department} FROM {candidates})",
                [],
            ),
            (
                "claimed(department_id, instrument_id)",
                f"SELECT asked.department_id, k.instrument_id FROM {self.tables['entry']} k "
                f"JOIN asked ON asked.id = k.catalogue_id",
                [],
            ),
            (
                "suspect(id, partner_id)",
                f"SELECT n.id, n.{department} FROM {candidates} n WHERE NOT EXISTS (SELECT 1 FROM claimed "
                f"WHERE claimed.department_id = n.{department} AND claimed.instrument_id = n.instrument_id)",
                [],
            ),
        ]

    def _not_general(self) -> str:
        """A condition (one parameter: True) leaving out the general laws that bind every
        department (行政处罚法 …): listing one claims no field of enforcement, so neither
        multi-head nor cross enforcement can arise from it."""
        # NOT EXISTS, not NOT IN: the planner may then look each instrument up by its key (or
        # anti-join), where NOT IN reads the whole registry for every statement.
        return (
            f" AND NOT EXISTS (SELECT 1 FROM {self.tables['instrument']} general "
            f"WHERE general.id = e.instrument_id AND general.binds_all_departments = %s)"
        )

    def _named(self) -> tuple[str, list]:
        """The joint or coordinated entries in scope and each partner they name (the focused
        catalogues' own entries and those naming their departments), as
        ``(id, instrument_id, partner_id)``."""
        t = self.tables
        named = []
        for through in ("joint", "assisting"):
            select = (
                f"SELECT e.id, e.instrument_id, n.organisation_id FROM {t['entry']} e "
                f"JOIN scope ON scope.id = e.catalogue_id JOIN {t[through]} n ON n.catalogueentry_id = e.id "
                f"WHERE e.category IN (%s, %s) AND n.organisation_id <> scope.department_id{self._not_general()}"
            )
            shared = [ManagementCategory.JOINT.value, ManagementCategory.COORDINATED.value, True]
            if self.focus_ids is None:
                named.append((select, shared))
            else:
                ids, id_params = self._in(self.focus_ids)
                departments, department_params = self._in(self.focus_departments)
                named.append((f"{select} AND e.catalogue_id IN ({ids})", [*shared, *id_params]))
                named.append((f"{select} AND n.organisation_id IN ({departments})", [*shared, *department_params]))
        # A partner named both as joint and as assisting comes twice; the judges keep it once.
        return " UNION ALL ".join(sql for sql, _ in named), [param for _, params in named for param in params]

    # (a) 多头执法: two departments of one jurisdiction both the sole lead on the same provisions.

    def multi_head_suspects(self) -> Suspects:
        t = self.tables
        sole = (
            f"SELECT e.id, e.instrument_id, scope.department_id, scope.jurisdiction_id "
            f"FROM {t['entry']} e JOIN scope ON scope.id = e.catalogue_id "
            f"WHERE e.category = %s AND e.lead_department_id = scope.department_id{self._not_general()}"
        )
        sole_params = [ManagementCategory.SOLE.value, True]
        if self.focus_ids is not None:
            # Only what the focused catalogues list, in their jurisdictions, can be contested
            # with them. Read first, those few instruments let the entries be found through
            # their index; a subquery in their place leaves the planner guessing at their number.
            listed = list(
                CatalogueEntry.objects.filter(catalogue_id__in=self.focus_ids)
                .order_by()
                .values_list("catalogue__department__jurisdiction_id", "instrument_id")
                .distinct()
            )
            instruments, instrument_params = self._in({instrument for _, instrument in listed})
            jurisdictions, jurisdiction_params = self._in({jurisdiction for jurisdiction, _ in listed})
            sole += f" AND e.instrument_id IN ({instruments}) AND scope.jurisdiction_id IN ({jurisdictions})"
            sole_params += [*instrument_params, *jurisdiction_params]
        return self._suspects(
            [
                ("sole(id, instrument_id, department_id, jurisdiction_id)", sole, sole_params),
                (
                    "contested(jurisdiction_id, instrument_id)",
                    "SELECT jurisdiction_id, instrument_id FROM sole GROUP BY jurisdiction_id, instrument_id "
                    "HAVING COUNT(DISTINCT department_id) > 1",
                    [],
                ),
                (
                    "suspect(id, partner_id)",
                    "SELECT s.id, CAST(NULL AS BIGINT) FROM sole s JOIN contested g "
                    "ON g.jurisdiction_id = s.jurisdiction_id AND g.instrument_id = s.instrument_id",
                    [],
                ),
            ]
        )

    def multi_head(self, entries: list[_Entry], suspects: Suspects) -> list[Finding]:
        groups = defaultdict(list)
        for entry in entries:
            groups[(entry.jurisdiction_id, entry.instrument.id)].append(entry)
        # One finding per pair of departments and instrument, whatever the number of entries.
        pairs: dict[tuple, tuple[set, set]] = {}
        for group in groups.values():
            for a, b in combinations(group, 2):
                if a.department.id == b.department.id or a.acts_with(b):
                    continue
                overlap = provisions_overlap(frozenset(a.provisions), frozenset(b.provisions))
                if overlap is None:
                    continue
                first, second = sorted((a, b), key=lambda e: e.department.id)
                refs, positions = pairs.setdefault((first.instrument, first.department, second.department), (set(), set()))
                refs.update((first.ref, second.ref))
                positions.update(overlap)
        return [
            Finding(
                kind=FindingKind.MULTI_HEAD,
                instrument=instrument,
                departments=(one, two),
                provisions=_labels(positions),
                entries=tuple(sorted(refs, key=lambda e: e.id)),
            )
            for (instrument, one, two), (refs, positions) in pairs.items()
        ]

    # (b) 交叉执法: a joint or coordinated entry whose partners do not claim the instrument back.

    def cross_suspects(self) -> Suspects:
        named_sql, named_params = self._named()
        return self._suspects(
            [("named(id, instrument_id, partner_id)", named_sql, named_params), *self._unclaimed("named", "partner_id")],
            needs_everywhere=True,
        )

    def cross(self, entries: list[_Entry], suspects: Suspects) -> list[Finding]:
        return [
            Finding(
                kind=FindingKind.CROSS,
                instrument=entry.instrument,
                departments=(entry.department, *(Ref(pk, name) for pk, name in sorted(suspects[entry.id].items()))),
                provisions=_labels(entry.provisions),
                entries=(entry.ref,),
            )
            for entry in entries
        ]

    # (f) 共管协管记载不一致: a joint or coordinated entry whose partner lists the instrument,
    # but records it otherwise (as its sole lead, or naming the department in another role).
    # A partner that does not list it at all is cross enforcement, above.

    def mismatch_suspects(self) -> Suspects:
        """The named entries whose partner lists the instrument: entry id → the partner's
        entries on it (ids, compared in Python with their roles)."""
        named_sql, named_params = self._named()
        scope_sql, scope_params = self._scope_cte()
        everywhere_sql, everywhere_params = self._everywhere_cte()
        parts = [
            ("scope(id, department_id, jurisdiction_id)", scope_sql, scope_params),
            ("everywhere(id, department_id)", everywhere_sql, everywhere_params),
            ("named(id, instrument_id, partner_id)", named_sql, named_params),
            (
                "asked(id, department_id)",
                "SELECT w.id, w.department_id FROM everywhere w WHERE w.department_id IN (SELECT partner_id FROM named)",
                [],
            ),
        ]
        materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
        sql = "WITH " + ",\n".join(f"{name} AS {materialized}({body})" for name, body, _ in parts)
        sql += (
            f"\nSELECT DISTINCT n.id, k.id FROM named n JOIN asked ON asked.department_id = n.partner_id "
            f"JOIN {self.tables['entry']} k ON k.catalogue_id = asked.id AND k.instrument_id = n.instrument_id"
        )
        suspects: Suspects = {}
        with connection.cursor() as cursor:
            cursor.execute(sql, [param for _, _, params in parts for param in params])
            for entry_id, partner_entry_id in cursor.fetchall():
                suspects.setdefault(entry_id, {})[partner_entry_id] = ""
        return suspects

    def mismatches(self, entries: list[_Entry], suspects: Suspects) -> list[Finding]:
        if not entries:
            return []
        roles = _Roles({entry.id for entry in entries} | {k for found in suspects.values() for k in found})
        found, seen = [], set()
        for entry in entries:
            own = entry.department.id
            theirs = [self.entries[k] for k in sorted(suspects[entry.id]) if k in self.entries]
            for partner in sorted({k.department.id for k in theirs}):
                # Only the partner's entries on the same provisions are its word on this entry.
                answers = [
                    k for k in theirs
                    if k.department.id == partner
                    and provisions_overlap(frozenset(entry.provisions), frozenset(k.provisions)) is not None
                ]
                if not answers or any(roles.agree(entry.id, own, k.id, partner) for k in answers):
                    continue
                answer = answers[0]
                pair = frozenset((entry.id, answer.id))
                if pair in seen:  # both entries name each other: one finding
                    continue
                seen.add(pair)
                found.append(
                    Finding(
                        kind=FindingKind.PARTNER_MISMATCH,
                        instrument=entry.instrument,
                        departments=(entry.department, answer.department),
                        provisions=_labels(entry.provisions),
                        entries=(entry.ref, answer.ref),
                        recorded=(
                            roles.category[entry.id],
                            roles.role(entry.id, partner),
                            roles.category[answer.id],
                            roles.role(answer.id, own),
                        ),
                    )
                )
        return found

    # (c) An entry citing a repealed instrument.

    def repealed_suspects(self) -> Suspects:
        t = self.tables
        focus_sql, focus_params = "", []
        if self.focus_ids is not None:
            ids, focus_params = self._in(self.focus_ids)
            focus_sql = f" AND e.catalogue_id IN ({ids})"
        return self._suspects(
            [
                (
                    "suspect(id, partner_id)",
                    f"SELECT e.id, CAST(NULL AS BIGINT) FROM {t['entry']} e JOIN scope ON scope.id = e.catalogue_id "
                    f"WHERE e.instrument_id IN (SELECT id FROM {t['instrument']} WHERE status = %s){focus_sql}",
                    [InstrumentStatus.REPEALED.value, *focus_params],
                )
            ]
        )

    def repealed(self, entries: list[_Entry], suspects: Suspects) -> list[Finding]:
        return [
            Finding(
                kind=FindingKind.REPEALED,
                instrument=entry.instrument,
                departments=(entry.department,),
                provisions=_labels(entry.provisions),
                entries=(entry.ref,),
            )
            for entry in entries
        ]

    # (d) 越权执法: an entrusted organisation enforcing what its principal does not.

    def ultra_vires_suspects(self) -> Suspects:
        t = self.tables
        entrusted = SubjectKind.ENTRUSTED.value
        # The entry names the principal it acts for; the organisation's own record is the
        # fallback.
        acting = (
            f"SELECT e.id, e.instrument_id, COALESCE(e.principal_id, o.principal_id) "
            f"FROM {t['entry']} e JOIN scope ON scope.id = e.catalogue_id "
            f"JOIN {t['organisation']} o ON o.id = scope.department_id "
            f"WHERE (e.subject_kind = %s OR o.subject_kind = %s) AND COALESCE(e.principal_id, o.principal_id) IS NOT NULL"
        )
        if self.focus_ids is None:
            selects = [(acting, [entrusted, entrusted])]
        else:
            # The focused catalogues' entries, and those acting for their departments: three
            # indexed reads rather than one scan of every entry.
            ids, id_params = self._in(self.focus_ids)
            departments, department_params = self._in(self.focus_departments)
            selects = [
                (f"{acting} AND e.catalogue_id IN ({ids})", [entrusted, entrusted, *id_params]),
                (f"{acting} AND e.principal_id IN ({departments})", [entrusted, entrusted, *department_params]),
                (f"{acting} AND o.principal_id IN ({departments})", [entrusted, entrusted, *department_params]),
            ]
        return self._suspects(
            [
                (
                    "acting(id, instrument_id, principal_id)",
                    " UNION ".join(sql for sql, _ in selects),
                    [param for _, params in selects for param in params],
                ),
                *self._unclaimed("acting", "principal_id"),
            ],
            needs_everywhere=True,
        )

    def ultra_vires(self, entries: list[_Entry], suspects: Suspects) -> list[Finding]:
        return [
            Finding(
                kind=FindingKind.ULTRA_VIRES,
                instrument=entry.instrument,
                departments=(entry.department, *(Ref(pk, name) for pk, name in suspects[entry.id].items())),
                provisions=_labels(entry.provisions),
                entries=(entry.ref,),
            )
            for entry in entries
        ]

    # (e) The same instrument twice in one catalogue, on overlapping provisions.

    def duplicate_suspects(self) -> Suspects:
        t = self.tables
        focus_sql, focus_params = "", []
        if self.focus_ids is not None:
            ids, focus_params = self._in(self.focus_ids)
            focus_sql = f" WHERE e.catalogue_id IN ({ids})"
        return self._suspects(
            [
                (
                    "repeated(catalogue_id, instrument_id)",
                    f"SELECT e.catalogue_id, e.instrument_id FROM {t['entry']} e JOIN scope ON scope.id = e.catalogue_id"
                    f"{focus_sql} GROUP BY e.catalogue_id, e.instrument_id HAVING COUNT(*) > 1",
                    focus_params,
                ),
                (
                    "suspect(id, partner_id)",
                    f"SELECT e.id, CAST(NULL AS BIGINT) FROM {t['entry']} e JOIN repeated r "
                    f"ON r.catalogue_id = e.catalogue_id AND r.instrument_id = e.instrument_id",
                    [],
                ),
            ]
        )

    def duplicates(self, entries: list[_Entry], suspects: Suspects) -> list[Finding]:
        groups = defaultdict(list)
        for entry in entries:
            groups[(entry.catalogue_id, entry.instrument.id)].append(entry)
        found = []
        for group in groups.values():
            refs, positions = set(), set()
            for a, b in combinations(group, 2):
                overlap = provisions_overlap(frozenset(a.provisions), frozenset(b.provisions))
                if overlap is not None:
                    refs.update((a.ref, b.ref))
                    positions.update(overlap)
            if refs:
                found.append(
                    Finding(
                        kind=FindingKind.DUPLICATE,
                        instrument=group[0].instrument,
                        departments=(group[0].department,),
                        provisions=_labels(positions),
                        entries=tuple(sorted(refs, key=lambda e: e.id)),
                    )
                )
        return found


class _Roles:
    """Category and named departments of a few entries, read in three queries."""

    def __init__(self, ids: set[int]):
        # Raw statements with the ids as one parameter: a queryset's ``pk__in`` of thousands of
        # ids costs more in Python (each value prepared) than the read itself.
        tables = _tables()
        if connection.vendor == "postgresql":
            condition, param = f"= ANY({_ARRAY})", _joined(sorted(ids))
        else:
            condition, param = "IN (SELECT value FROM json_each(%s))", json.dumps(sorted(ids))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, category, lead_department_id FROM {tables['entry']} WHERE id {condition}", [param])
            rows = cursor.fetchall()
            self.category = {pk: category for pk, category, _lead in rows}
            self.lead = {pk: lead for pk, _category, lead in rows}
            self.joint, self.assisting = defaultdict(set), defaultdict(set)
            for name, into in (("joint", self.joint), ("assisting", self.assisting)):
                cursor.execute(
                    f"SELECT catalogueentry_id, organisation_id FROM {tables[name]} WHERE catalogueentry_id {condition}",
                    [param],
                )
                for entry_id, organisation_id in cursor.fetchall():
                    into[entry_id].add(organisation_id)

    def role(self, entry_id: int, department_id: int) -> str:
        """The department's role in the entry: lead, joint, assisting or "" (not named)."""
        if self.lead.get(entry_id) == department_id:
            return "lead"
        if department_id in self.joint[entry_id]:
            return "joint"
        if department_id in self.assisting[entry_id]:
            return "assisting"
        return ""

    def agree(self, entry_id: int, department_id: int, answer_id: int, partner_id: int) -> bool:
        """Whether the partner's entry ``answer_id`` records what ``entry_id`` says: a shared
        category, the department named, and each in the same kind of role (leading or joint
        management both count as managing; assisting is the other kind)."""
        if self.category.get(answer_id) not in (ManagementCategory.JOINT, ManagementCategory.COORDINATED):
            return False
        named_there = self.role(answer_id, department_id)
        if not named_there:
            return False
        manages = {"lead", "joint"}
        if (named_there in manages) != (self.role(entry_id, department_id) in manages):
            return False
        # The partner's own role, where its entry states it.
        own_there = self.role(answer_id, partner_id)
        return not own_there or (own_there in manages) == (self.role(entry_id, partner_id) in manages)


# -- Cached answers for the pages ---------------------------------------------------------------

# The checks read every current catalogue, the registry and the organisation tree. Any change
# that matters moves one of these: a catalogue's updated_at (the entry services touch their
# catalogue), the newest entry id, an instrument's or an organisation's updated_at. Keyed on
# them, a cached answer is never stale, and the pages pay for the check once per change.
CACHE_SECONDS = 3600


def data_stamp() -> str:
    tables = {
        "catalogue": BasisCatalogue._meta.db_table,
        "entry": CatalogueEntry._meta.db_table,
        "instrument": LegalInstrument._meta.db_table,
        "organisation": Organisation._meta.db_table,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(updated_at) FROM {tables['catalogue']}),"
            f" (SELECT COUNT(*) FROM {tables['catalogue']}),"
            f" (SELECT MAX(id) FROM {tables['entry']}),"
            f" (SELECT MAX(updated_at) FROM {tables['instrument']}),"
            f" (SELECT MAX(updated_at) FROM {tables['organisation']})"
        )
        row = cursor.fetchone()
    return hashlib.sha1(repr(row).encode()).hexdigest()


def neighbourhood_stamps(catalogues: list[BasisCatalogue]) -> tuple[dict[int, str], dict[int, set[int]]]:
    """For each catalogue, a stamp of everything its findings depend on: the versions (count,
    latest updated_at) of every department it reaches (``reached_departments``; the entry
    services and the workflow touch their catalogue), and the registry's and the organisation
    tree's latest change. A change elsewhere in the province leaves it as it is, so a cached
    answer stays valid until something it depends on moves. Three queries, whatever the number.
    Returns the stamps and the reached departments, by catalogue id."""
    if not catalogues:
        return {}, {}
    reached = reached_departments([catalogue.pk for catalogue in catalogues])
    departments = sorted(set().union(*reached.values()))
    t = _tables()
    with connection.cursor() as cursor:
        # A thousand departments for a city's queue: one array parameter on PostgreSQL rather
        # than a thousand placeholders to format and parse.
        if connection.vendor == "postgresql":
            condition, params = "= ANY(%s::bigint[])", [departments]
        else:
            condition, params = f"IN ({', '.join(['%s'] * len(departments))})", departments
        cursor.execute(
            f"SELECT department_id, COUNT(*), MAX(updated_at) FROM {t['catalogue']} "
            f"WHERE department_id {condition} GROUP BY department_id",
            params,
        )
        versions = {row[0]: row[1:] for row in cursor.fetchall()}
        # Indexed, so two lookups. No counts: an instrument an entry cites cannot be deleted, and
        # a deleted organisation an entry named leaves the reached departments changed.
        cursor.execute(
            f"SELECT (SELECT MAX(updated_at) FROM {t['instrument']}), (SELECT MAX(updated_at) FROM {t['organisation']})"
        )
        shared = cursor.fetchone()
    # Each department's part written once: a queue's 20 catalogues reach a thousand departments
    # each, and writing every (department, versions) pair out again per catalogue was a quarter
    # of this function's time at ×10.
    shared_part = repr(shared)
    parts = {d: f"{d}:{count}:{newest};" for d, (count, newest) in versions.items()}
    stamps = {
        catalogue.pk: hashlib.sha1(
            (shared_part + "".join(parts.get(d) or f"{d}:-;" for d in sorted(reached[catalogue.pk]))).encode()
        ).hexdigest()
        for catalogue in catalogues
    }
    return stamps, reached


def cached_findings_for_catalogues(catalogues: list[BasisCatalogue]) -> dict[int, list[Finding]]:
    """``findings_for_catalogue`` of each, cached per catalogue. While nothing has changed
    anywhere (``data_stamp``, one indexed query) the answers are read back as they are; after a
    change each catalogue's neighbourhood stamp decides, so that only the catalogues that depend
    on what changed are checked again."""
    if not catalogues:
        return {}
    stamp = data_stamp()
    quick = {catalogue.pk: f"basis:findings-at:{catalogue.pk}:{stamp}" for catalogue in catalogues}
    stored = cache.get_many(list(quick.values()))
    found = {pk: stored[key] for pk, key in quick.items() if key in stored}
    rest = [catalogue for catalogue in catalogues if catalogue.pk not in found]
    if rest:
        found.update(_findings_by_neighbourhood(rest))
        cache.set_many({quick[catalogue.pk]: found[catalogue.pk] for catalogue in rest}, CACHE_SECONDS)
    return found


def _findings_by_neighbourhood(catalogues: list[BasisCatalogue]) -> dict[int, list[Finding]]:
    """Cached under each catalogue's neighbourhood stamp; the missing ones are checked together
    (one focused check for those that are current, one each for the others)."""
    stamps, reached = neighbourhood_stamps(catalogues)
    keys = {catalogue.pk: f"basis:findings:{catalogue.pk}:{stamps[catalogue.pk]}" for catalogue in catalogues}
    stored = cache.get_many(list(keys.values()))
    found = {pk: stored[key] for pk, key in keys.items() if key in stored}
    missing = [catalogue for catalogue in catalogues if catalogue.pk not in found]
    if missing:
        together = []
        if len(missing) > 1:
            current = set(current_catalogues().filter(pk__in=[c.pk for c in missing]).values_list("pk", flat=True))
            together = [catalogue for catalogue in missing if catalogue.pk in current]
        if len(together) > 1:
            # Current catalogues stand in for nobody: checked together, each finds what it
            # would alone (tests/basis/test_checks.py compares the two).
            departments = set().union(*(reached[catalogue.pk] for catalogue in together))
            everything = _Check(scope_path="", extras=together, focus=together, reached=departments).run()
            for catalogue in together:
                found[catalogue.pk] = [finding for finding in everything if finding.involves(catalogue)]
        for catalogue in missing:
            if catalogue.pk not in found:
                found[catalogue.pk] = findings_for_catalogue(catalogue, reached=reached[catalogue.pk])
        cache.set_many({keys[c.pk]: found[c.pk] for c in missing}, CACHE_SECONDS)
    return found


def cached_findings_for_catalogue(catalogue: BasisCatalogue) -> list[Finding]:
    return cached_findings_for_catalogues([catalogue])[catalogue.pk]


def cached_conflict_counts(catalogue_ids: Iterable[int]) -> dict[int, int]:
    """How many findings concern each catalogue, as ``conflict_counts`` works them out (the
    newest version of a department stands in, older ones count 0), cached per catalogue."""
    catalogues = list(BasisCatalogue.objects.filter(pk__in=sorted(set(catalogue_ids))).only("id", "department_id", "version"))
    newest: dict[int, BasisCatalogue] = {}
    for catalogue in catalogues:
        if catalogue.department_id not in newest or catalogue.version > newest[catalogue.department_id].version:
            newest[catalogue.department_id] = catalogue
    found = cached_findings_for_catalogues(list(newest.values()))
    return {catalogue.pk: len(found.get(catalogue.pk, ())) for catalogue in catalogues}


def cached_findings(*, scope_path: str) -> list[Finding]:
    """``findings(scope_path=…)``, paid for once per change of the data (the office's findings page)."""
    key = "basis:scope-findings:" + hashlib.sha1(f"{scope_path}:{data_stamp()}".encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = findings(scope_path=scope_path)
        cache.set(key, found, CACHE_SECONDS)
    return found
