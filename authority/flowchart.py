"""The flowchart of a power's internal procedure, drawn on the server as SVG: one box per step
(stage, post, time limit) from top to bottom, joined by arrows. Plain shapes and text only, so
it prints as it shows and needs no script."""

from django.utils.html import escape
from django.utils.translation import gettext as _

WIDTH = 520
BOX_WIDTH = 440
BOX_HEIGHT = 66
GAP = 30
MARGIN = 16
FONT = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei',sans-serif"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def procedure_svg(steps, title: str = "", public: bool = False) -> str:
    """``steps`` are ProcedureStep rows (with stage and post loaded), in order. ``public``: for
    the portal, where a step without a post shows no post (the gap is a completeness finding
    for the office, not something to print); the back office sees "(no post)"."""
    steps = list(steps)
    x = (WIDTH - BOX_WIDTH) // 2
    height = MARGIN * 2 + max(1, len(steps)) * (BOX_HEIGHT + GAP) - GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flowchart" role="img" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="{FONT}">',
        f"<title>{escape(title or _('Procedure'))}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>',
    ]
    if not steps:
        parts.append(
            f'<text x="{WIDTH // 2}" y="{MARGIN + BOX_HEIGHT // 2}" text-anchor="middle" font-size="14" fill="#555">'
            f"{escape(_('No procedure steps yet.'))}</text>"
        )
    for index, step in enumerate(steps):
        top = MARGIN + index * (BOX_HEIGHT + GAP)
        post = str(step.post) if step.post_id else ("" if public else _("(no post)"))
        limit = step.time_limit_label or _("no time limit")
        parts.append(
            f'<g class="step" data-order="{step.order}">'
            f'<rect x="{x}" y="{top}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="8" '
            f'fill="#fff" stroke="#1f4e79" stroke-width="2"/>'
            f'<text x="{x + 14}" y="{top + 24}" font-size="16" font-weight="bold" fill="#1f4e79">'
            f"{step.order}. {escape(step.stage.name)}</text>"
            f'<text x="{x + BOX_WIDTH - 14}" y="{top + 24}" font-size="13" text-anchor="end" fill="#333">'
            f"{escape(limit)}</text>"
            f'<text x="{x + 14}" y="{top + 50}" font-size="13" fill="#333">{escape(_clip(post, 30))}</text>'
            "</g>"
        )
        if index < len(steps) - 1:
            centre = WIDTH // 2
            parts.append(
                f'<line x1="{centre}" y1="{top + BOX_HEIGHT}" x2="{centre}" y2="{top + BOX_HEIGHT + GAP - 2}" '
                'stroke="#333" stroke-width="2" marker-end="url(#arrow)"/>'
            )
    parts.append("</svg>")
    return "".join(parts)
