"""Comparison of two versions of one department's catalogue: which entries were added, removed
or changed, and for a changed entry which fields, with the old and the new value as shown.

Entries are matched by instrument. When an instrument appears more than once in a version (one
entry per group of provisions), its entries are paired by identical provisions first, then by
the most provisions in common; a single entry left on each side is the same entry changed.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from organisations.models import SubjectKind

from .models import BasisCatalogue, CatalogueEntry, ManagementCategory
from .numbering import provision_label
from .selectors import entries_with_details

# The fields compared, in the order a reader expects them.
COMPARED_FIELDS = (
    "provisions",
    "category",
    "lead_department",
    "joint_departments",
    "assisting_departments",
    "rights_and_duties",
    "subject_kind",
    "principal",
)


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass
class EntryChange:
    old: CatalogueEntry
    new: CatalogueEntry
    changes: list[FieldChange]


@dataclass
class Diff:
    old: BasisCatalogue
    new: BasisCatalogue
    added: list[CatalogueEntry] = field(default_factory=list)
    removed: list[CatalogueEntry] = field(default_factory=list)
    changed: list[EntryChange] = field(default_factory=list)
    unchanged: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def catalogue_diff(old: BasisCatalogue, new: BasisCatalogue) -> Diff:
    """Compare two versions of one department's catalogue, in a constant number of queries."""
    if old.department_id != new.department_id:
        raise ValueError("Only versions of one department's catalogue can be compared.")
    by_catalogue: dict[int, list[CatalogueEntry]] = {old.pk: [], new.pk: []}
    for entry in entries_with_details([old.pk, new.pk]):
        by_catalogue[entry.catalogue_id].append(entry)
    return _compare(Diff(old=old, new=new), by_catalogue[old.pk], by_catalogue[new.pk])


class _Related(list):
    def all(self):
        return self


class StagedEntry:
    """An entry an import would write, shaped like a saved ``CatalogueEntry`` for the comparison."""

    def __init__(self, position: int, data):
        self.pk = None
        self.position = position
        self.instrument = data.instrument
        self.instrument_id = data.instrument.pk
        self.provisions = _Related(data.provisions)
        self.joint_departments = _Related(data.joint_departments)
        self.assisting_departments = _Related(data.assisting_departments)
        self.category = data.category
        self.lead_department = data.lead_department
        self.lead_department_id = data.lead_department.pk
        self.rights_and_duties = data.rights_and_duties
        self.subject_kind = data.subject_kind
        self.principal = data.principal
        self.principal_id = data.principal.pk if data.principal else None
        self.attachment = ""

    def get_category_display(self):
        return ManagementCategory(self.category).label

    def get_subject_kind_display(self):
        return SubjectKind(self.subject_kind).label


@dataclass(frozen=True)
class Loss:
    """Detail a replacement would drop, as the clerk must agree to lose it."""

    provisions: list  # the entries (old) whose provisions are not all kept
    rights_and_duties: list
    attachments: list

    @property
    def any(self) -> bool:
        return bool(self.provisions or self.rights_and_duties or self.attachments)


def replacement_diff(catalogue: BasisCatalogue, rows: list) -> tuple[Diff, Loss]:
    """What replacing ``catalogue``'s entries with ``rows`` (``services.EntryData``) changes, and
    the detail it loses: article-level provisions, statements of rights and duties, and the
    electronic texts attached to the entries replaced."""
    old = list(entries_with_details([catalogue.pk]))
    new = [StagedEntry(position, data) for position, data in enumerate(rows, start=1)]
    diff = _compare(Diff(old=catalogue, new=catalogue), old, new)
    provisions, rights = [], []
    for entry in diff.removed:
        if _provision_ids(entry):
            provisions.append(entry)
        if entry.rights_and_duties:
            rights.append(entry)
    for change in diff.changed:
        if _provision_ids(change.old) - _provision_ids(change.new):
            provisions.append(change.old)
        if change.old.rights_and_duties and not change.new.rights_and_duties:
            rights.append(change.old)
    attachments = [entry for entry in old if entry.attachment]
    return diff, Loss(provisions=provisions, rights_and_duties=rights, attachments=attachments)


def _compare(diff: Diff, old_entries: list, new_entries: list) -> Diff:
    old_by_instrument = _by_instrument(old_entries)
    new_by_instrument = _by_instrument(new_entries)
    for instrument_id in old_by_instrument.keys() | new_by_instrument.keys():
        pairs, removed, added = _match(old_by_instrument.get(instrument_id, []), new_by_instrument.get(instrument_id, []))
        diff.removed += removed
        diff.added += added
        for before, after in pairs:
            changes = _changes(before, after)
            if changes:
                diff.changed.append(EntryChange(old=before, new=after, changes=changes))
            else:
                diff.unchanged += 1
    diff.added.sort(key=_order)
    diff.removed.sort(key=_order)
    diff.changed.sort(key=lambda change: _order(change.new))
    return diff


def _order(entry: CatalogueEntry):
    return (entry.position, entry.pk or 0)


def _by_instrument(entries: list[CatalogueEntry]) -> dict[int, list[CatalogueEntry]]:
    grouped = defaultdict(list)
    for entry in entries:
        grouped[entry.instrument_id].append(entry)
    return grouped


def _provision_ids(entry: CatalogueEntry) -> frozenset[tuple]:
    # By address, not id: an import's finer paragraph is not saved yet.
    return frozenset((p.instrument_id, p.article, p.paragraph, p.item) for p in entry.provisions.all())


def _match(old: list[CatalogueEntry], new: list[CatalogueEntry]):
    """Pair the entries of one instrument: (pairs, removed, added)."""
    old, new = sorted(old, key=_order), sorted(new, key=_order)
    pairs = []
    for before in list(old):
        same = next((after for after in new if _provision_ids(after) == _provision_ids(before)), None)
        if same is not None:
            pairs.append((before, same))
            old.remove(before)
            new.remove(same)
    candidates = sorted(
        (
            (len(_provision_ids(before) & _provision_ids(after)), before, after)
            for before in old
            for after in new
        ),
        key=lambda c: (-c[0], _order(c[1]), _order(c[2])),
    )
    for shared, before, after in candidates:
        if shared and before in old and after in new:
            pairs.append((before, after))
            old.remove(before)
            new.remove(after)
    if len(old) == 1 and len(new) == 1:
        pairs.append((old.pop(), new.pop()))
    return pairs, old, new


def _display(entry: CatalogueEntry, name: str) -> str:
    sep = _(", ")
    if name == "provisions":
        return sep.join(
            provision_label(p.article, p.paragraph, p.item)
            for p in sorted(entry.provisions.all(), key=lambda p: (p.article, p.paragraph, p.item))
        )
    if name in ("joint_departments", "assisting_departments"):
        return sep.join(o.name for o in sorted(getattr(entry, name).all(), key=lambda o: o.path))
    if name in ("category", "subject_kind"):
        return str(getattr(entry, f"get_{name}_display")())
    if name in ("lead_department", "principal"):
        organisation = getattr(entry, name)
        return organisation.name if organisation is not None else ""
    return getattr(entry, name)


def _value(entry: CatalogueEntry, name: str):
    """What is compared: ids, not names, so that two organisations of one name still differ."""
    if name == "provisions":
        return _provision_ids(entry)
    if name in ("joint_departments", "assisting_departments"):
        return frozenset(o.pk for o in getattr(entry, name).all())
    if name in ("lead_department", "principal"):
        return getattr(entry, f"{name}_id")
    return getattr(entry, name)


def _changes(before: CatalogueEntry, after: CatalogueEntry) -> list[FieldChange]:
    changes = []
    for name in COMPARED_FIELDS:
        if _value(before, name) != _value(after, name):
            label = str(CatalogueEntry._meta.get_field(name).verbose_name)
            changes.append(FieldChange(field=name, label=label, old=_display(before, name), new=_display(after, name)))
    return changes
