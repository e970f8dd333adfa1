"""The rollout's deadlines kept (§4 of the plan): the share of a department's campaign
deliverables due by the cut-off that it delivered by their deadline, with each deliverable in
the drill-down. Read through ``rollout.selectors.deadlines_due`` (a constant number of queries)."""

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from rollout.selectors import deadlines_due

from .indicators import Context, Value, clamp, q2, record, register
from .models import HUNDRED, Target


def rollout_deadlines(ctx: Context, indicator) -> dict[int, Value]:
    """Kept ÷ due × 100; a department with nothing due by the cut-off has no value (its weight is
    shared among its other indicators)."""
    department_ids = list(ctx.departments.values_list("pk", flat=True))
    values = {}
    for department_id, items in deadlines_due(organisation_ids=department_ids, cutoff=ctx.end).items():
        if not items:
            continue
        detail = []
        for item in sorted(items, key=lambda i: (i.due_at, i.deliverable)):
            kept = bool(item.delivered and item.delivered_at and item.delivered_at <= item.due_at)
            due = formats.date_format(timezone.localtime(item.due_at), "SHORT_DATE_FORMAT")
            if kept:
                note = _("delivered on time")
            elif item.delivered and item.delivered_at:
                note = _("delivered late, on %(day)s") % {
                    "day": formats.date_format(timezone.localtime(item.delivered_at), "SHORT_DATE_FORMAT")}
            else:
                note = _("not delivered")
            detail.append(record(None, None, f"{item.label}（{due}）", ok=kept, note=note))
        kept_count = sum(1 for row in detail if row["ok"])
        share = q2(HUNDRED * kept_count / len(items))
        values[department_id] = Value(share, clamp(share), detail)
    return values


register(
    "rollout_deadlines", value_label=_("deadlines kept (%)"), label=_("Rollout deadlines kept"),
    target=Target.DEPARTMENT, compute=rollout_deadlines,
)
