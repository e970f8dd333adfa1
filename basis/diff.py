"""Comparison of two versions of one department's catalogue: which entries were added, removed
or changed, and for a changed entry which fields, with the old and the new value as shown.

Entries are matched by instrument. When an instrument appears more than once in a version (one
entry per group of provisions), its entries are paired by identical provisions first, then by
the most provisions in common; a single entry left on each side is the same entry changed.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import BasisCatalogue, CatalogueEntry
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

    diff = Diff(old=old, new=new)
    old_by_instrument = _by_instrument(by_catalogue[old.pk])
    new_by_instrument = _by_instrument(by_catalogue[new.pk])
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
    return (entry.position, entry.pk)


def _by_instrument(entries: list[CatalogueEntry]) -> dict[int, list[CatalogueEntry]]:
    grouped = defaultdict(list)
    for entry in entries:
        grouped[entry.instrument_id].append(entry)
    return grouped


def _provision_ids(entry: CatalogueEntry) -> frozenset[int]:
    return frozenset(p.pk for p in entry.provisions.all())


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
    if name in ("provisions", "joint_departments", "assisting_departments"):
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
