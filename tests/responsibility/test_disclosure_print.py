"""Disclosure PDFs as a county would pin them up: what the printed text says (pdftotext) and
what it never says. Set DISCLOSURE_PNG_DIR to keep each page as a PNG (pdftoppm -r 60) to look
at."""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext as _

from responsibility import disclosure, disclosure_services
from responsibility.models import DocumentKind, DocumentStatus
from tests.authority.factories import PowerFactory, assign, step
from tests.basis.factories import EntryFactory, InstrumentFactory

from .disclosure_fixtures import published_department

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


@pytest.fixture(autouse=True)
def _authority_reference(db):
    call_command("load_authority_reference", verbosity=0)


@pytest.fixture
def render_now(django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://zfzr.example.gov.cn"

    def _render(organisation, kind=DocumentKind.BOOKLET):
        with django_capture_on_commit_callbacks(execute=True):
            document = disclosure_services.request_render(organisation, kind)
        document.refresh_from_db()
        assert document.status == DocumentStatus.READY, document.error
        return document

    return _render


def _pdf_file(document) -> str:
    with document.file.open("rb") as source, tempfile.NamedTemporaryFile(suffix=".pdf", delete=False) as target:
        target.write(source.read())
    png_dir = os.environ.get("DISCLOSURE_PNG_DIR")
    if png_dir:
        Path(png_dir).mkdir(parents=True, exist_ok=True)
        prefix = Path(png_dir) / f"{document.organisation.code}-{document.kind}"
        subprocess.run(["pdftoppm", "-png", "-r", "60", target.name, str(prefix)], check=True)
        shutil.copy(target.name, f"{prefix}.pdf")
    return target.name


def pdf_text(document, layout=False) -> str:
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), _pdf_file(document), "-"]
    output = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return output if layout else re.sub(r"\s+", "", output)


@pytest.fixture
def department(city):
    """The demo-like department: a whole-law entry, a shared procedure with an unassigned step,
    a power of its own procedure, and the two telephones."""
    published = published_department(city.dept_a, agency=city.agency_a, powers=3)
    EntryFactory(catalogue=published.catalogue, instrument=InstrumentFactory(name="中华人民共和国行政处罚法"), provisions="")
    for power in published.powers:
        step(power, 4, "decision", post=None)
    own = PowerFactory(breakdown=published.breakdown, name="对未按规定设置户外广告的处罚")
    assign(own, published.post)
    step(own, 1, "filing", post=published.post, limit=3)
    published.department.complaint_phone = "0571-87654321"
    published.department.supervision_phone = "12345"
    published.department.save()
    published.own = own
    return published


def test_a_whole_law_entry_says_all_provisions(department, render_now):
    with translation.override("zh-hans"):
        text = pdf_text(render_now(department.department))
    assert "中华人民共和国行政处罚法全部条款" in text


def test_no_placeholder_for_an_unassigned_step(department, render_now):
    text = pdf_text(render_now(department.department))
    assert "未指定岗位" not in text and "(no post)" not in text
    # The step itself is printed, with its stage and time limit and no post.
    assert "4作出决定·10个工作日" in text or "4决定·10个工作日" in text, text[text.find("办理流程"):][:600]


def test_a_shared_procedure_names_the_powers_it_serves(department, render_now):
    text = pdf_text(render_now(department.department))
    for power in department.powers:
        assert f"{power.position}.{power.name}" in text


def test_officer_tables_say_name_of_a_person(department, render_now):
    text = pdf_text(render_now(department.department))
    officers = text[text.rfind("执法人员"):]
    assert "姓名" in officers and department.officer.name in officers


def test_short_terms_are_not_broken_inside_a_word(department, render_now):
    """pdftotext -layout keeps the lines: each short term is whole on one line."""
    text = pdf_text(render_now(department.department), layout=True)
    for term in ("管理体制", "单一主管", "行政处罚", "违法程度"):
        assert term in text, term


def test_bulletin_prints_the_telephones_and_the_public_address(department, render_now):
    document = render_now(department.department, DocumentKind.BULLETIN)
    assert document.pages == 1
    text = pdf_text(document)
    assert "0571-87654321" in text and "12345" in text
    with translation.override("zh-hans"):
        for label in (_("Complaint telephone"), _("Supervision telephone")):
            assert re.sub(r"\s+", "", label) in text, label
    assert f"https://zfzr.example.gov.cn/departments/{department.department.code}/" in text


def test_bulletin_fills_its_page(department, render_now):
    """The contact block sits at the foot of the A3 sheet, not under a short list with the
    bottom half of the sheet blank."""
    document = render_now(department.department, DocumentKind.BULLETIN)
    path = _pdf_file(document)
    bbox = subprocess.run(["pdftotext", "-bbox", path, "-"], capture_output=True, text=True, check=True).stdout
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', bbox).group(1))
    lowest = max(float(y) for y in re.findall(r'yMax="([\d.]+)"', bbox))
    assert lowest > height * 0.8, (lowest, height)


@pytest.mark.parametrize("count", [3, 30, 80, 300])
def test_bulletin_layout_fits_any_number_of_powers(count):
    names = [f"对生产经营者违反市场监督管理条例第{n}条规定行为的行政处罚" for n in range(count)]
    layout = disclosure.bulletin_layout(names)
    assert 0 < layout["shown"] <= count
    assert disclosure._list_height_mm(names[: layout["shown"]], layout["font_pt"]) <= disclosure.SHEET_LIST_HEIGHT_MM
    if count <= 30:
        assert layout["shown"] == count
    if count == 3:
        assert layout["font_pt"] == max(disclosure.SHEET_FONT_SIZES_PT)


def test_a_bulletin_of_many_powers_says_the_rest_are_on_the_portal(city, render_now):
    published = published_department(city.dept_b, powers=80, steps=1)
    document = render_now(published.department, DocumentKind.BULLETIN)
    assert document.pages == 1
    text = pdf_text(document)
    shown = disclosure.bulletin_layout([p.name for p in published.powers])["shown"]
    assert shown < 80
    with translation.override("zh-hans"):
        more = _("The first %(shown)s of %(n)s powers; all are listed on the portal.") % {"shown": shown, "n": 80}
    assert re.sub(r"\s+", "", more) in text


def test_a_standard_and_its_bands_are_printed_on_one_page(department, render_now):
    """The bands share the standard's first cell (rowspan): a band carried over to the next page
    would sit under an empty cell, its standard unnamed. Each standard is kept on one page."""
    from responsibility.models import EnforcementStandard, StandardBand

    for n in range(2, 26):
        standard = EnforcementStandard.objects.create(
            responsibility_set=department.responsibility_set, position=n, power_code=department.powers[0].code,
            title=f"第{n}号裁量基准（违反《中华人民共和国广告法》第五十七条规定的，２０２１年４月２９日起施行）",
        )
        for order, label in enumerate(("轻微", "一般", "严重"), start=1):
            StandardBand.objects.create(
                standard=standard, order=order, label=label,
                circumstances=f"{label}情节：违法行为持续时间、危害后果、改正情况和主观过错程度",
                measure=f"基准{n}档{order}：处{order}千元以上{order * 3}千元以下罚款",
            )
    document = render_now(department.department)
    output = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", _pdf_file(document), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = [re.sub(r"\s+", "", page) for page in output.split("\f")]
    on_pages = {n: [i for i, page in enumerate(pages) if f"第{n}号裁量基准" in page] for n in range(2, 26)}
    assert len({tuple(found) for found in on_pages.values()}) > 1, "the standards should fill more than one page"
    for n, found in on_pages.items():
        assert len(found) == 1, (n, found)
        for order in (1, 2, 3):
            assert f"基准{n}档{order}" in pages[found[0]], (n, order)
