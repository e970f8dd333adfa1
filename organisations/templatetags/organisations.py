from django import template

from organisations.selectors import ended_note as _ended_note

register = template.Library()


@register.filter
def ended_note(organisation) -> str:
    """``{{ department|ended_note }}``: "已于…撤销，职能划入…" for an ended organisation, else ""."""
    if organisation is None or getattr(organisation, "is_active", True):
        return ""
    cached = getattr(organisation, "_ended_note", None)
    if cached is None:
        cached = organisation._ended_note = _ended_note(organisation)
    return cached
