"""Powers from and to the 权责清单 spreadsheet: row-level errors, nothing saved unless every row
is right, and an export that imports again."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from audit.models import AuditEvent
from authority import services
from authority.models import Breakdown
from authority.spreadsheets import breakdown_to_xlsx, parse_powers_upload
from tests.basis.factories import CatalogueFactory, EntryFactory, InstrumentFactory, provisions

HEADER = ["序号", "职权名称", "职权类型", "职权编码", "实施主体", "实施依据", "承办机构", "审核转报", "责任事项", "追责情形"]
DUTIES = "1.立案责任：对违法行为进行审查，十个工作日内予以立案。2.调查取证责任：全面客观收集证据。3.决定责任：作出处罚决定。4.送达责任：7日内送达。"


def _xlsx(rows) -> SimpleUploadedFile:
    workbook = Workbook()
    for row in [HEADER, *rows]:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("清单.xlsx", buffer.getvalue())


@pytest.fixture
def breakdown(city, users):
    instrument = InstrumentFactory(name="测试市场监督条例")
    EntryFactory(catalogue=CatalogueFactory(department=city.dept_a), instrument=instrument, provisions="第十条、第十二条")
    provisions(InstrumentFactory(name="测试林业条例"), "第三条")
    return services.breakdown_start(actor=users.editor_a, department=city.dept_a)


def _row(code="330217001000", **overrides):
    row = dict(no=1, name="未经许可从事经营活动的处罚", kind="行政处罚", code=code, organ="测试市市场监督管理局",
               basis="《测试市场监督条例》第十条；《测试市场监督条例》第十二条", agency="执法稽查科", forwards="否",
               duties=DUTIES, grounds="不履行或不正确履行职责的")
    row.update(overrides)
    return list(row.values())


def test_clean_sheet_imports_with_steps(city, users, breakdown):
    result = parse_powers_upload(_xlsx([_row(), _row(code="2", name="第二项", kind="行政监督检查", forwards="是", agency="")]), breakdown=breakdown)
    assert result.errors == []
    assert services.powers_import(actor=users.editor_a, breakdown=breakdown, rows=result.rows) == 2
    first, second = breakdown.powers.order_by("position")
    assert [p.label for p in first.provisions.all()] == ["第十条", "第十二条"]
    assert first.handling_agency == city.agency_a and not first.forwards_only
    assert list(first.steps.values_list("stage__name", "time_limit", "time_unit")) == [
        ("立案", 10, "working_days"), ("调查取证", None, "working_days"), ("决定", None, "working_days"), ("送达", 7, "calendar_days"),
    ]
    assert second.kind.name == "行政监督" and second.forwards_only and second.handling_agency is None
    assert AuditEvent.objects.filter(action="import", object_type="authority.breakdown").count() == 1


def test_row_errors_are_listed_and_nothing_is_saved(breakdown):
    result = parse_powers_upload(_xlsx([
        _row(),
        _row(code="2", kind="行政魔法"),
        _row(code="3", basis="《测试林业条例》第三条"),
        _row(code="4", agency="不存在的科"),
        _row(code="5", basis="《测试市场监督条例》第九十九条"),
        _row(code="330217001000"),
        _row(code="", name=""),
    ]), breakdown=breakdown)
    problems = [(e.row, e.column) for e in result.errors]
    assert problems == [
        (3, "职权类型"), (4, "实施依据"), (5, "承办机构"), (6, "实施依据"), (7, "职权编码"), (8, "职权名称"), (8, "职权编码"),
    ]
    assert "《测试林业条例》" in result.errors[1].message and "current basis catalogue" in result.errors[1].message
    assert not Breakdown.objects.get(pk=breakdown.pk).powers.exists()


def test_export_imports_again(city, users, breakdown):
    services.powers_import(
        actor=users.editor_a, breakdown=breakdown, rows=parse_powers_upload(_xlsx([_row()]), breakdown=breakdown).rows
    )
    data = breakdown_to_xlsx(breakdown)
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet["F2"].value == "《测试市场监督条例》第十条、第十二条"
    # Read back against another version of the same department (the draft already holds the code).
    other = Breakdown.objects.create(department=city.dept_a, version=99, status="superseded")
    result = parse_powers_upload(SimpleUploadedFile("export.xlsx", data), breakdown=other)
    assert result.errors == [] and len(result.rows) == 1
    data_row, steps = result.rows[0]
    assert data_row.code == "330217001000" and [s.time_limit for s in steps] == [10, None, None, 7]


def test_import_screen(client, login, users, breakdown):
    login(users.editor_a)
    refused = client.post(f"/office/authority/breakdowns/{breakdown.pk}/import/", {"file": _xlsx([_row(kind="行政魔法")])})
    assert refused.status_code == 200 and "行政魔法" in refused.content.decode()
    done = client.post(f"/office/authority/breakdowns/{breakdown.pk}/import/", {"file": _xlsx([_row()])})
    assert done.status_code == 302 and breakdown.powers.count() == 1
    export = client.get(f"/office/authority/breakdowns/{breakdown.pk}/export.xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    client.logout()
    login(users.editor_b)
    assert client.get(f"/office/authority/breakdowns/{breakdown.pk}/export.xlsx").status_code == 404


def test_header_variants_are_read_and_unknown_columns_are_never_dropped_silently(client, login, users, breakdown):
    """A county's 权责清单 as published: line breaks and full-width brackets in headers, 实施主体/法定主体
    in one cell, and a remarks column the list does not have."""
    header = ["序　号", "职权\n名称", "职权类型", "职权编码（统一）", "实施主体／法定主体", "实施依据", "承办机构", "审核转报",
              "责任事项", "追责情形", "备注"]
    workbook = Workbook()
    for values in [header, [*_row(), "2023年调整"]]:
        workbook.active.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()

    result = parse_powers_upload(SimpleUploadedFile("list.xlsx", data), breakdown=breakdown)
    assert result.errors == [] and len(result.rows) == 1
    assert result.ignored_columns == ["备注"]

    login(users.editor_a)
    url = f"/office/authority/breakdowns/{breakdown.pk}/import/"
    warned = client.post(url, {"file": SimpleUploadedFile("list.xlsx", data)}, HTTP_ACCEPT_LANGUAGE="en")
    page = warned.content.decode()
    assert warned.status_code == 200 and breakdown.powers.count() == 0
    assert "1 column is not read and will not be imported:" in page and "“备注”" in page
    done = client.post(url, {"file": SimpleUploadedFile("list.xlsx", data), "ignore_unread": "on"})
    assert done.status_code == 302 and breakdown.powers.count() == 1
