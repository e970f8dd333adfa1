"""A round's results as a workbook, a chart (server-side SVG) and a PDF rendered by the worker
with the disclosure booklet's renderer, font and print stylesheet."""

import io
import logging
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from toolkit.spreadsheets import xlsx_row

from . import selectors
from .models import Grade, ResultDocument, Round

logger = logging.getLogger(__name__)

GRADE_COLOURS = {
    Grade.EXCELLENT: "#1e7b34", Grade.GOOD: "#2b6cb0", Grade.PASS: "#6b7280", Grade.BASIC_PASS: "#b7791f", Grade.FAIL: "#c53030",
}
# Beyond this many departments one bar each would be unreadable: the chart shows how many
# departments fall in each band of five points instead.
MAX_BARS = 80


def results_xlsx(round_: Round, *, published_only: bool = False) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Results"))
    sheet.append(xlsx_row(sheet, [_("Rank"), _("Department"), _("Code"), _("Group"), _("Rank in group"), _("Total"), _("Grade"),
                                   _("Reversal rate (%)")]))
    for r in selectors.results_table(round_):
        sheet.append(xlsx_row(sheet, [r.rank, r.department.name, r.department.code, r.group.name if r.group else "",
                                      r.group_rank or "", float(r.total), r.get_grade_display(),
                                      float(r.reversal_rate) if r.reversal_rate is not None else ""]))
    officers = workbook.create_sheet(_("Officers by grade"))
    officers.append(xlsx_row(officers, [_("Grade"), _("Officers")]))
    for row in selectors.officer_grade_counts(round_):
        officers.append(xlsx_row(officers, [str(row["label"]), row["count"]]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def chart_svg(results: list[tuple]) -> str:
    """Scores per department, ``results`` as (name, total, grade) in rank order: horizontal bars
    coloured by grade (a histogram past ``MAX_BARS`` departments). Text is escaped; no script,
    no external reference."""
    width, left, bar = 760, 230, 16
    if not results:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="40" role="img"><text x="10" y="25" font-size="13">{escape(_("No results"))}</text></svg>'
    scale = (width - left - 60) / 100
    parts = []
    if len(results) <= MAX_BARS:
        height = 30 + len(results) * (bar + 6)
        for index, (name, total, grade) in enumerate(results):
            y = 20 + index * (bar + 6)
            length = float(total) * scale
            parts.append(
                f'<text x="{left - 8}" y="{y + 12}" font-size="12" text-anchor="end">{escape(name[:18])}</text>'
                f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar}" fill="{GRADE_COLOURS.get(grade, "#888")}">'
                f'<title>{escape(name)}: {total}</title></rect>'
                f'<text x="{left + length + 4:.1f}" y="{y + 12}" font-size="12">{total}</text>'
            )
        title = _("Total score per department")
    else:
        bands = [0] * 20
        for _name, total, _grade in results:
            bands[min(19, int(Decimal(total) // 5))] += 1
        top = max(bands) or 1
        height = 30 + 20 * (bar + 6)
        for index, count in enumerate(reversed(bands)):
            low = (19 - index) * 5
            y = 20 + index * (bar + 6)
            length = count / top * (width - left - 60)
            parts.append(
                f'<text x="{left - 8}" y="{y + 12}" font-size="12" text-anchor="end">{low}–{low + 5}</text>'
                f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar}" fill="#2b6cb0"/>'
                f'<text x="{left + length + 4:.1f}" y="{y + 12}" font-size="12">{count}</text>'
            )
        title = _("Departments per band of total score")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{escape(title)}" '
        f'font-family="sans-serif">' + "".join(parts) + "</svg>"
    )


def render_pdf(round_id: int) -> str:
    """Render the round's results PDF (the worker), like a disclosure booklet."""
    from responsibility.disclosure import cjk_font, write_pdf

    document = ResultDocument.objects.select_related("round__scheme__jurisdiction").filter(round_id=round_id).first()
    if document is None:
        return "gone"
    round_ = document.round
    try:
        with translation.override(settings.LANGUAGE_CODE):
            font_file, font_family = cjk_font()
            results = list(selectors.results_table(round_))
            html = render_to_string("appraisal/results_pdf.html", {
                "round": round_, "results": results, "officer_grades": selectors.officer_grade_counts(round_),
                "chart": chart_svg(selectors.chart_rows(round_)), "generated_at": timezone.localtime(),
            })
        pdf, _pages = write_pdf(html, font_file=font_file, font_family=font_family)
        document.file.save(f"appraisal-{round_.pk}.pdf", ContentFile(pdf), save=False)
        document.status, document.error = "ready", ""
    except Exception as error:  # noqa: BLE001 - the reason is shown to the office
        logger.exception("appraisal results PDF %s failed", round_id)
        document.status, document.error = "failed", f"{type(error).__name__}: {error}"[:2000]
    document.save()
    return document.status
