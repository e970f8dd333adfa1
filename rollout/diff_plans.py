"""Comparison of two revisions of one plan, part by part.

Each of the six parts (and the revision notes, the superior's arrangement, the attached
documents and the organisations covered) is one ``basis.diff.FieldChange`` when it differs, as
in the catalogues' comparison; a changed text part also carries its inline changes (Chinese has
no spaces, so the text is compared character by character)."""

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from basis.diff import FieldChange

from .models import PLAN_PARTS, PlanRevision

_TEXT_FIELDS = (
    *PLAN_PARTS,
    ("revision_notes", gettext_lazy("What is revised")),
    ("superior_title", gettext_lazy("Superior's arrangement")),
    ("superior_issuer", gettext_lazy("Issued by")),
)


@dataclass(frozen=True)
class Segment:
    op: str  # "same", "added", "removed"
    text: str


@dataclass
class PartChange:
    change: FieldChange
    segments: list[Segment] = field(default_factory=list)


@dataclass
class PlanDiff:
    old: PlanRevision
    new: PlanRevision
    changed: list[PartChange] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.changed


def inline_segments(old: str, new: str) -> list[Segment]:
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    segments = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(Segment("same", old[i1:i2]))
            continue
        if i2 > i1:
            segments.append(Segment("removed", old[i1:i2]))
        if j2 > j1:
            segments.append(Segment("added", new[j1:j2]))
    return segments


def plan_diff(old: PlanRevision, new: PlanRevision) -> PlanDiff:
    """Compare two revisions of one plan (ValueError for revisions of different plans)."""
    if old.plan_id != new.plan_id:
        raise ValueError("Only revisions of one plan can be compared.")
    diff = PlanDiff(old=old, new=new)
    for name, label in _TEXT_FIELDS:
        label = str(label)
        before, after = getattr(old, name) or "", getattr(new, name) or ""
        if before == after:
            diff.unchanged.append(label)
            continue
        diff.changed.append(PartChange(FieldChange(name, label, before, after), inline_segments(before, after)))
    for name, label in (("document", _("Plan document")), ("superior_document", _("Superior's arrangement document"))):
        before, after = getattr(old, name).name or "", getattr(new, name).name or ""
        if before != after:
            shown_before = getattr(old, f"{name}_name") or ("—" if not before else _("(file)"))
            shown_after = getattr(new, f"{name}_name") or ("—" if not after else _("(file)"))
            diff.changed.append(PartChange(FieldChange(name, label, shown_before, shown_after)))
        else:
            diff.unchanged.append(label)
    before = sorted(o.name for o in old.covered.all())
    after = sorted(o.name for o in new.covered.all())
    label = _("Authorised and entrusted organisations covered")
    if before != after:
        diff.changed.append(PartChange(FieldChange("covered", label, "、".join(before) or "—", "、".join(after) or "—")))
    else:
        diff.unchanged.append(label)
    return diff
