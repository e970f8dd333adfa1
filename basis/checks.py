"""Cross-department checks of the basis catalogues, which the office sees before deciding and a
department before submitting (§3(二): 不重不漏, no overlaps and no gaps).

Each check is one aggregate query over the *current* catalogue of every department in scope
(``selectors.current_catalogues``), so the number of queries does not grow with the data; only
the few rows that are already suspect come back to Python, which works out overlapping
provisions and phrases the finding.

Multi-head enforcement is looked for between departments of one jurisdiction (the same city or
county government): the market regulators of two counties both leading on the Food Safety Law
is the normal state of affairs, two departments of one county doing so is the conflict.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from organisations.models import SubjectKind

from .models import BasisCatalogue, CatalogueEntry, InstrumentStatus, ManagementCategory
from .numbering import provision_label
from .selectors import current_catalogues


class FindingKind(models.TextChoices):
    MULTI_HEAD = "multi_head", _("Multi-head enforcement")
    CROSS = "cross", _("Cross enforcement")
    REPEALED = "repealed", _("Repealed instrument")
    ULTRA_VIRES = "ultra_vires", _("Ultra vires enforcement")
    DUPLICATE = "duplicate", _("Duplicate entry")


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
        return gettext("%(department)s lists %(instrument)s more than once (%(provisions)s).") % {
            **values,
            "department": first,
        }


# -- Entry point ------------------------------------------------------------------------------


def findings(*, scope_path: str, extra_catalogue: BasisCatalogue | None = None) -> list[Finding]:
    """Every finding about the current catalogues of the departments under ``scope_path`` ("" =
    everywhere). ``extra_catalogue`` (a department's draft) is checked in place of its
    department's current catalogue. Partners and principals are looked up wherever they are."""
    extras = [extra_catalogue] if extra_catalogue is not None else []
    return _Check(scope_path=scope_path, extras=extras).run()


def findings_for_catalogue(catalogue: BasisCatalogue) -> list[Finding]:
    """The findings that concern one catalogue (any version, a draft included), as if it were
    its department's current one: for the review page and the department's pre-submit check."""
    found = _Check(scope_path="", extras=[catalogue], focus=[catalogue]).run()
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
    partners: dict = field(default_factory=dict)  # id → name

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


# The columns every check reads, relative to CatalogueEntry; provisions come in by a LEFT JOIN,
# one row per provision (NULLs for an entry that cites the whole instrument).
_ENTRY_COLUMNS = {
    "id": "id",
    "catalogue_id": "catalogue_id",
    "position": "position",
    "department_id": "catalogue__department_id",
    "department_name": "catalogue__department__name",
    "jurisdiction_id": "catalogue__department__jurisdiction_id",
    "department_path": "catalogue__department__path",
    "principal_id": "principal_id",
    "department_principal_id": "catalogue__department__principal_id",
    "instrument_id": "instrument_id",
    "instrument_name": "instrument__name",
    "article": "provisions__article",
    "paragraph": "provisions__paragraph",
    "item": "provisions__item",
}


class _Check:
    def __init__(self, *, scope_path: str, extras: list[BasisCatalogue], focus: list[BasisCatalogue] | None = None):
        # In scope: whose entries are examined. Everywhere: where partners and principals are
        # looked up, since a county department may name a city one.
        self.in_scope = current_catalogues(scope_path, replacing=extras).values("pk")
        self.everywhere = current_catalogues("", replacing=extras).values("pk")
        self.focus_ids = [c.pk for c in focus] if focus else None
        self.focus_departments = [c.department_id for c in focus] if focus else None

    def run(self) -> list[Finding]:
        found = [
            *self.multi_head(),
            *self.cross(),
            *self.repealed(),
            *self.ultra_vires(),
            *self.duplicates(),
        ]
        return sorted(
            found,
            key=lambda f: (_KIND_ORDER[f.kind], f.instrument.name, f.instrument.id, f.department_ids, f.entry_ids),
        )

    # Building blocks.

    def _entries(self):
        return CatalogueEntry.objects.filter(catalogue_id__in=self.in_scope).order_by()

    def _in_focus(self, queryset, prefix=""):
        if self.focus_ids is None:
            return queryset
        return queryset.filter(**{f"{prefix}catalogue_id__in": self.focus_ids})

    @staticmethod
    def _sole_lead(queryset):
        return queryset.filter(category=ManagementCategory.SOLE, lead_department_id=F("catalogue__department_id"))

    def _claims(self, department_ref: str, instrument_ref: str):
        """An entry in ``department_ref``'s current catalogue on the same instrument."""
        return CatalogueEntry.objects.filter(
            catalogue_id__in=self.everywhere,
            catalogue__department_id=OuterRef(department_ref),
            instrument_id=OuterRef(instrument_ref),
        )

    @staticmethod
    def _fetch(queryset, prefix: str = "", partner: tuple[str, str] | None = None) -> dict[int, _Entry]:
        """The entries of ``queryset`` (whose rows reach the entry through ``prefix``) with their
        provisions, and the partner (id and name columns) each row names, if asked for."""
        paths = [prefix + path for path in _ENTRY_COLUMNS.values()] + list(partner or ())
        entries: dict[int, _Entry] = {}
        for values in queryset.values_list(*paths):
            row = dict(zip(_ENTRY_COLUMNS, values))
            entry = entries.get(row["id"])
            if entry is None:
                entry = entries[row["id"]] = _Entry(
                    id=row["id"],
                    catalogue_id=row["catalogue_id"],
                    position=row["position"],
                    department=Ref(row["department_id"], row["department_name"]),
                    jurisdiction_id=row["jurisdiction_id"],
                    department_path=row["department_path"],
                    principals=frozenset({row["principal_id"], row["department_principal_id"]} - {None}),
                    instrument=Ref(row["instrument_id"], row["instrument_name"]),
                )
            if row["article"] is not None:
                entry.provisions.add((row["article"], row["paragraph"], row["item"]))
            if partner:
                partner_id, partner_name = values[len(_ENTRY_COLUMNS):]
                entry.partners[partner_id] = partner_name
        return entries

    # (a) 多头执法: two departments of one jurisdiction both the sole lead on the same provisions.

    def multi_head(self) -> list[Finding]:
        rival = self._sole_lead(CatalogueEntry.objects.filter(catalogue_id__in=self.in_scope)).filter(
            instrument_id=OuterRef("instrument_id"),
            catalogue__department__jurisdiction_id=OuterRef("catalogue__department__jurisdiction_id"),
        ).exclude(catalogue__department_id=OuterRef("catalogue__department_id"))
        queryset = self._sole_lead(self._entries()).filter(Exists(rival))
        if self.focus_ids is not None:
            focused = self._sole_lead(CatalogueEntry.objects.filter(catalogue_id__in=self.focus_ids)).filter(
                instrument_id=OuterRef("instrument_id"),
                catalogue__department__jurisdiction_id=OuterRef("catalogue__department__jurisdiction_id"),
            )
            queryset = queryset.filter(Exists(focused))
        groups = defaultdict(list)
        for entry in self._fetch(queryset).values():
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
                key = (first.instrument, first.department, second.department)
                entries, positions = pairs.setdefault(key, (set(), set()))
                entries.update((first.ref, second.ref))
                positions.update(overlap)
        return [
            Finding(
                kind=FindingKind.MULTI_HEAD,
                instrument=instrument,
                departments=(one, two),
                provisions=_labels(positions),
                entries=tuple(sorted(entries, key=lambda e: e.id)),
            )
            for (instrument, one, two), (entries, positions) in pairs.items()
        ]

    # (b) 交叉执法: a joint or coordinated entry whose partners do not claim the instrument back.

    def cross(self) -> list[Finding]:
        shared = [ManagementCategory.JOINT, ManagementCategory.COORDINATED]
        by_entry: dict[int, _Entry] = {}
        for through in (CatalogueEntry.joint_departments.through, CatalogueEntry.assisting_departments.through):
            queryset = (
                through.objects.filter(
                    catalogueentry__catalogue_id__in=self.in_scope, catalogueentry__category__in=shared
                )
                .exclude(organisation_id=F("catalogueentry__catalogue__department_id"))
                .filter(~Exists(self._claims("organisation_id", "catalogueentry__instrument_id")))
                .order_by()
            )
            if self.focus_ids is not None:
                queryset = queryset.filter(
                    Q(catalogueentry__catalogue_id__in=self.focus_ids)
                    | Q(organisation_id__in=self.focus_departments)
                )
            fetched = self._fetch(
                queryset, prefix="catalogueentry__", partner=("organisation_id", "organisation__name")
            )
            for entry_id, entry in fetched.items():
                by_entry.setdefault(entry_id, entry).partners.update(entry.partners)
        return [
            Finding(
                kind=FindingKind.CROSS,
                instrument=entry.instrument,
                departments=(entry.department, *(Ref(pk, name) for pk, name in sorted(entry.partners.items()))),
                provisions=_labels(entry.provisions),
                entries=(entry.ref,),
            )
            for entry in by_entry.values()
        ]

    # (c) An entry citing a repealed instrument.

    def repealed(self) -> list[Finding]:
        queryset = self._in_focus(self._entries().filter(instrument__status=InstrumentStatus.REPEALED))
        return [
            Finding(
                kind=FindingKind.REPEALED,
                instrument=entry.instrument,
                departments=(entry.department,),
                provisions=_labels(entry.provisions),
                entries=(entry.ref,),
            )
            for entry in self._fetch(queryset).values()
        ]

    # (d) 越权执法: an entrusted organisation enforcing what its principal does not.

    def ultra_vires(self) -> list[Finding]:
        queryset = (
            self._entries()
            .filter(Q(subject_kind=SubjectKind.ENTRUSTED) | Q(catalogue__department__subject_kind=SubjectKind.ENTRUSTED))
            # The entry names the principal it acts for; the organisation's own record is the fallback.
            .annotate(
                principal_ref=Coalesce("principal_id", "catalogue__department__principal_id"),
                principal_ref_name=Coalesce("principal__name", "catalogue__department__principal__name"),
            )
            .filter(principal_ref__isnull=False)
            .filter(~Exists(self._claims("principal_ref", "instrument_id")))
        )
        if self.focus_ids is not None:
            queryset = queryset.filter(
                Q(catalogue_id__in=self.focus_ids) | Q(principal_ref__in=self.focus_departments)
            )
        fetched = self._fetch(queryset, partner=("principal_ref", "principal_ref_name"))
        return [
            Finding(
                kind=FindingKind.ULTRA_VIRES,
                instrument=entry.instrument,
                departments=(entry.department, *(Ref(pk, name) for pk, name in entry.partners.items())),
                provisions=_labels(entry.provisions),
                entries=(entry.ref,),
            )
            for entry in fetched.values()
        ]

    # (e) The same instrument twice in one catalogue, on overlapping provisions.

    def duplicates(self) -> list[Finding]:
        twin = CatalogueEntry.objects.filter(
            catalogue_id=OuterRef("catalogue_id"), instrument_id=OuterRef("instrument_id")
        ).exclude(pk=OuterRef("pk"))
        queryset = self._in_focus(self._entries().filter(Exists(twin)))
        groups = defaultdict(list)
        for entry in self._fetch(queryset).values():
            groups[(entry.catalogue_id, entry.instrument.id)].append(entry)
        result = []
        for group in groups.values():
            entries, positions = set(), set()
            for a, b in combinations(group, 2):
                overlap = provisions_overlap(frozenset(a.provisions), frozenset(b.provisions))
                if overlap is not None:
                    entries.update((a.ref, b.ref))
                    positions.update(overlap)
            if entries:
                result.append(
                    Finding(
                        kind=FindingKind.DUPLICATE,
                        instrument=group[0].instrument,
                        departments=(group[0].department,),
                        provisions=_labels(positions),
                        entries=tuple(sorted(entries, key=lambda e: e.id)),
                    )
                )
        return result
