"""Catalogue import: good, bad, mixed, oversized and malicious files with the exact row-level
messages; encodings and header synonyms; nothing saved before a clean preview is confirmed, and
then all of it or nothing."""

import io
import json
import zipfile
from datetime import date, datetime
from types import SimpleNamespace

import openpyxl
import pytest
from defusedxml import DefusedXmlException
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from audit.models import AuditAction, AuditEvent
from basis import services
from basis.models import (
    BasisCatalogue,
    CatalogueEntry,
    DateDisagreement,
    InstrumentStatus,
    PendingImportRow,
    Provision,
)
from basis.spreadsheets import (
    ImportPreview,
    ImportRefused,
    ImportRow,
    RowError,
    UploadRefused,
    import_confirm,
    parse_catalogue_upload,
)
from basis.spreadsheets.columns import field_for_header
from basis.spreadsheets.dates import ImpossibleDate, parse_sheet_date
from organisations.models import Organisation
from workflow.review import ReviewStatus, WorkflowError

from ..factories import OrganisationFactory
from .factories import InstrumentFactory
from .fixtures.sheets import (
    BILLION_LAUGHS,
    EXE,
    HEADER,
    PNG,
    REAL_COLUMN,
    REAL_HEADER,
    XLS,
    csv_bytes,
    real_row,
    real_sheet,
    replace_member,
    row,
    upload,
    with_zero_member,
    xlsx_bytes,
)

FOOD = "中华人民共和国食品安全法"
DEPT_A = "测试市市场监督管理局"
DEPT_B = "测试市卫生健康委员会"
KEEPER = "The legal-affairs office keeps the registry: propose the instrument to it, or correct the name."


@pytest.fixture(autouse=True)
def english():
    # The assertions read the English message ids; the interface translates them.
    with translation.override("en"):
        yield


@pytest.fixture
def registry(db):
    food = InstrumentFactory(name=FOOD, document_number="中华人民共和国主席令第二十一号")
    penalty = InstrumentFactory(name="中华人民共和国行政处罚法")
    Provision.objects.bulk_create(Provision(instrument=food, article=n) for n in range(1, 31))
    Provision.objects.bulk_create(Provision(instrument=penalty, article=n) for n in range(1, 21))
    # The same name twice in force (told apart by 文号), and a name whose old version is repealed.
    twin_2 = InstrumentFactory(name="测试市市容管理条例", document_number="测试市人大常委会公告第2号")
    twin_3 = InstrumentFactory(name="测试市市容管理条例", document_number="测试市人大常委会公告第3号")
    InstrumentFactory(name="测试市供水条例", status=InstrumentStatus.REPEALED)
    water = InstrumentFactory(name="测试市供水条例")
    for instrument in (twin_2, twin_3, water):
        Provision.objects.create(instrument=instrument, article=1)
    return SimpleNamespace(food=food, penalty=penalty, twin_2=twin_2, twin_3=twin_3, water=water)


@pytest.fixture
def env(city, registry):
    return SimpleNamespace(**vars(city), **vars(registry))


def parse(data: bytes, department, name="目录.xlsx") -> ImportPreview:
    return parse_catalogue_upload(upload(name, data), department=department)


def expected_row(env, number, **fields) -> ImportRow:
    values = dict(
        row=number,
        instrument=env.food.pk,
        provisions=[(10, 0, 0)],
        category="sole",
        lead_department=env.dept_a.pk,
        joint_departments=[],
        assisting_departments=[],
        rights_and_duties="依法实施监督检查",
        subject_kind="statutory_organ",
        principal=None,
    )
    values.update(fields)
    return ImportRow(**values)


GOOD_ROWS = [
    row(provisions="第十条、第十二条第二款、第十三条第一款第（二）项"),
    row(instrument="中华人民共和国行政处罚法", provisions="", category="共同管理", joint=DEPT_B),
    row(provisions="第二十条", category="协同管理", lead=DEPT_B, assisting=DEPT_A, rights="配合检查\n提供资料"),
]


def good_expected(env):
    return [
        expected_row(env, 2, provisions=[(10, 0, 0), (12, 2, 0), (13, 1, 2)]),
        expected_row(
            env, 3, instrument=env.penalty.pk, provisions=[], category="joint", joint_departments=[env.dept_b.pk]
        ),
        expected_row(
            env,
            4,
            provisions=[(20, 0, 0)],
            category="coordinated",
            lead_department=env.dept_b.pk,
            assisting_departments=[env.dept_a.pk],
            rights_and_duties="配合检查\n提供资料",
        ),
    ]


# -- Good files -------------------------------------------------------------------------------


def test_a_good_workbook_gives_every_row_and_no_error(env):
    preview = parse(xlsx_bytes(GOOD_ROWS), env.dept_a)

    assert preview.errors == []
    assert preview.rows == good_expected(env)
    assert preview.is_clean
    assert preview.department == env.dept_a.pk
    assert preview.file_name == "目录.xlsx"


@pytest.mark.parametrize(
    "encoding, bom",
    [("utf-8", False), ("utf-8", True), ("gbk", False), ("gb18030", False)],
    ids=["utf-8", "utf-8 with BOM", "GBK (Excel on a Chinese Windows)", "GB18030"],
)
def test_a_csv_file_reads_in_each_encoding_offices_use(env, encoding, bom):
    preview = parse(csv_bytes(GOOD_ROWS, encoding=encoding, bom=bom), env.dept_a, name="目录.csv")

    assert preview.errors == []
    assert preview.rows == good_expected(env)


SYNONYM_HEADERS = [
    ["编号", "依据名称", "制定机关", "发文字号", "施行日期", "具体条款", "类别", "牵头部门", "共同管理部门", "配合部门", "职责", "主体类别", "委托部门"],
    ["序号", "执法依据", "颁布机关", "文号", "实施日期", "依据条款", "管理类型", "主管部门", "共同执行部门", "协助部门", "权利义务", "主体性质", "委托机关"],
    [
        "序号", "法律法规规章名称", "发布机关", "文号", "施行时间", "条款（具体到款项）", "管理类别*",
        "主要执行部门 *", "共同执行部门", "协助执行部门", "法定职责", "执法主体性质", "委托机关",
    ],
]


@pytest.mark.parametrize("header", SYNONYM_HEADERS, ids=["synonyms 1", "synonyms 2", "stars and notes"])
def test_header_synonyms_mean_the_same_columns(env, header):
    preview = parse(xlsx_bytes(GOOD_ROWS, header=header), env.dept_a)

    assert preview.errors == []
    assert preview.rows == good_expected(env)
    assert preview.ignored_columns == []


@pytest.mark.parametrize(
    "category, expected",
    [
        ("单一主管", "sole"), ("单一", "sole"), ("共同管理", "joint"), ("共管", "joint"),
        ("协同管理", "coordinated"), ("协管", "coordinated"),
    ],
)
def test_category_words_and_their_short_forms(env, category, expected):
    preview = parse(xlsx_bytes([row(category=category, joint=DEPT_B if expected != "sole" else "")]), env.dept_a)

    assert preview.errors == []
    assert preview.rows[0].category == expected


def test_title_rows_blank_rows_and_unknown_columns(env):
    """Row numbers are those Excel shows: the title rows and blank rows count. A title that
    happens to read like a column name is no header. Rows with only a number or a note (a
    template's pre-numbered rows, 填表人 at the foot) are no entries."""
    numbered_only = [3] + [None] * (len(HEADER) - 1)
    note_only = [None] * len(HEADER) + ["填表人：张三"]
    rows = [row(provisions="第一条"), [None] * len(HEADER), row(provisions="第九十九条"), numbered_only, note_only]
    data = xlsx_bytes(rows, header=[*HEADER, "备注"], title_rows=[["测试市市场监督管理局"], ["执法依据"]])

    preview = parse(data, env.dept_a)

    assert preview.rows == [expected_row(env, 4, provisions=[(1, 0, 0)])]
    assert preview.errors == [RowError(6, "条款", f"{FOOD} has no 第九十九条 in the registry.")]
    assert preview.ignored_headers == ["备注"]


def test_an_entrusted_organisation_defaults_to_its_own_subject_kind(env):
    preview = parse(
        xlsx_bytes(
            [
                row(lead="测试市市场监管执法支队", subject_kind="", principal=DEPT_A),
                row(lead="测试市市场监管执法支队", subject_kind="", provisions="第十一条"),
            ]
        ),
        env.entrusted_a,
    )

    assert preview.rows == [
        expected_row(env, 2, lead_department=env.entrusted_a.pk, subject_kind="entrusted", principal=env.dept_a.pk)
    ]
    assert preview.errors == [RowError(3, "委托机关", "An entrusted organisation must name its principal.")]


# -- Lookups ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, document_number, expected",
    [
        (FOOD, "", "food"),
        ("食品安全法", "", "food"),
        ("《中华人民共和国食品安全法》", "", "food"),
        (" 中华人民共和国 食品安全法 ", "", "food"),
        ("测试市市容管理条例", "测试市人大常委会公告第3号", "twin_3"),
        ("测试市供水条例", "", "water"),
    ],
)
def test_instruments_are_found_by_name(env, name, document_number, expected):
    values = row(instrument=name, provisions="第一条")
    values[3] = document_number

    preview = parse(xlsx_bytes([values]), env.dept_a)

    assert preview.errors == []
    assert preview.rows[0].instrument == getattr(env, expected).pk


@pytest.mark.parametrize(
    "text, expected",
    [
        (DEPT_B, "dept_b"),
        ("C-B", "dept_b"),
        ("卫生健康委员会", "dept_b"),
        # Only the importer's own government counts for a name without its prefix: 甲县's
        # market regulator ends the same way but belongs to the county.
        ("市场监督管理局", "dept_a"),
        ("甲县市场监督管理局", "dept_x1"),
        ("X-1", "dept_x1"),
    ],
)
def test_departments_are_found_by_name_code_or_unique_ending(env, text, expected):
    preview = parse(xlsx_bytes([row(category="共同管理", joint=text)]), env.dept_a)

    assert preview.errors == []
    assert preview.rows[0].joint_departments == [getattr(env, expected).pk]


def test_department_lookup_errors(env):
    OrganisationFactory(parent=env.city, code="C-GA", name="测试市公安局")
    rows = [
        row(category="共同管理", joint="局"),
        row(category="共同管理", joint="不存在局", provisions="第十一条"),
        # An office is no enforcement department, and the county offers only its own.
        row(category="共同管理", joint="测试市法制办", provisions="第十二条"),
    ]

    preview = parse(xlsx_bytes(rows), env.dept_a)
    county = parse(xlsx_bytes([row(lead="甲县市场监督管理局", category="共同管理", joint=DEPT_B)]), env.dept_x1)

    assert preview.errors == [
        RowError(2, "共同执行部门", "“局” could be several departments (测试市公安局、测试市市场监督管理局); write the full name."),
        RowError(3, "共同执行部门", "Unknown department “不存在局”: write its full name or its code."),
        RowError(4, "共同执行部门", "Unknown department “测试市法制办”: write its full name or its code."),
    ]
    assert county.errors == [
        RowError(2, "共同执行部门", "Unknown department “测试市卫生健康委员会”: write its full name or its code.")
    ]


# -- Bad rows ---------------------------------------------------------------------------------

BAD_ROWS = {
    "unknown instrument": (
        dict(instrument="中华人民共和国不存在法"),
        [("法律法规名称", "“中华人民共和国不存在法” is not in the registry of legal instruments. " + KEEPER)],
    ),
    "ambiguous instrument": (
        dict(instrument="测试市市容管理条例", provisions="第一条"),
        [("法律法规名称", "Several instruments in the registry are named “测试市市容管理条例”; give its document number (文号) too.")],
    ),
    "unknown article": (
        dict(provisions="第十条、第三十一条第二款"),
        [("条款", f"{FOOD} has no 第三十一条 in the registry.")],
    ),
    "provisions not written as provisions": (
        dict(provisions="10、12"),
        [("条款", "Write provisions as 第十条 or 第十二条第二款, separated by 、.")],
    ),
    "bad category": (
        dict(category="单独管理"),
        [("管理类别", "Unknown management category “单独管理”: write 单一主管, 共同管理 or 协同管理.")],
    ),
    "unknown lead department": (
        dict(lead="测试市不存在局"),
        [("主要执行部门", "Unknown department “测试市不存在局”: write its full name or its code.")],
    ),
    "two lead departments": (
        dict(category="共同管理", lead=f"{DEPT_A}、{DEPT_B}", joint=DEPT_B),
        [("主要执行部门", "Name one lead department; put the others under joint or assisting departments.")],
    ),
    "missing cells": (
        dict(instrument="", category="", lead=""),
        [
            ("法律法规名称", "This cell must be filled in."),
            ("管理类别", "This cell must be filled in."),
            ("主要执行部门", "This cell must be filled in."),
        ],
    ),
    "bad subject kind": (
        dict(subject_kind="个人"),
        [("执法主体性质", "Unknown enforcement subject kind “个人”: write 法定行政机关, 法定授权组织 or 受委托组织.")],
    ),
    "entrusted without principal": (
        dict(subject_kind="受委托组织"),
        [("委托机关", "An entrusted organisation must name its principal.")],
    ),
    "principal of a statutory organ": (
        dict(principal=DEPT_B),
        [("委托机关", "Only an entrusted organisation has a principal.")],
    ),
    "sole management led by another department": (
        dict(lead=DEPT_B),
        [("主要执行部门", f"An entry of sole management (单一主管) must be led by the importing department, {DEPT_A}.")],
    ),
    "sole management with joint departments": (
        dict(joint=DEPT_B),
        [("共同执行部门", "An entry of sole management (单一主管) has no joint departments.")],
    ),
    "joint management without partners": (
        dict(category="共同管理"),
        [("共同执行部门", "An entry of joint management (共同管理) must name its joint departments.")],
    ),
    "coordinated management without partners": (
        dict(category="协同管理"),
        [("协助执行部门", "An entry of coordinated management (协同管理) must name the departments it works with.")],
    ),
    "importing department not taking part": (
        dict(category="共同管理", lead=DEPT_B, joint="甲县市场监督管理局"),
        [("主要执行部门", f"{DEPT_A} must take part in the entry, as lead, joint or assisting department.")],
    ),
}


@pytest.mark.parametrize("fields, expected", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_a_bad_row_is_rejected_with_its_row_column_and_reason(env, fields, expected):
    preview = parse(xlsx_bytes([row(**fields)]), env.dept_a)

    assert [(e.row, e.column, e.message) for e in preview.errors] == [(2, column, message) for column, message in expected]
    assert preview.rows == []
    assert not preview.is_clean


def test_a_mixed_file_reports_each_bad_row_and_keeps_the_good_ones(env):
    rows = [
        row(provisions="第一条"),
        row(instrument="不存在条例", category="单独"),
        row(provisions="第二条"),
        row(provisions="第一条", rights="同一依据又写了一遍"),
        row(provisions="第三条", lead="不存在局"),
    ]

    preview = parse(csv_bytes(rows, encoding="gbk"), env.dept_a, name="目录.csv")

    assert preview.errors == [
        RowError(
            3,
            "法律法规名称",
            "“不存在条例” is not in the registry of legal instruments. " + KEEPER,
            propose={"name": "不存在条例", "issuing_organ": "", "document_number": "", "effective_on": ""},
        ),
        RowError(3, "管理类别", "Unknown management category “单独”: write 单一主管, 共同管理 or 协同管理."),
        RowError(5, "法律法规名称", "Same instrument and provisions as row 2."),
        RowError(6, "主要执行部门", "Unknown department “不存在局”: write its full name or its code."),
    ]
    assert [r.row for r in preview.rows] == [2, 4]
    assert not preview.is_clean


def test_missing_and_repeated_columns_are_reported_on_the_header_row(env):
    header = ["法律法规名称", "条款", "依据名称", "主要执行部门"]
    preview = parse(xlsx_bytes([[FOOD, "第一条", FOOD, DEPT_A]], header=header), env.dept_a)

    assert preview.errors == [
        RowError(1, "依据名称", "Column “法律法规名称” already gives this; keep one of the two."),
        RowError(1, "管理类别", "This required column is missing."),
    ]
    assert preview.rows == []


# -- Refused files ----------------------------------------------------------------------------

GOOD_XLSX = xlsx_bytes([row()])
GOOD_CSV = csv_bytes([row()])

REFUSED = {
    "CSV bytes named .xlsx": (
        "目录.xlsx",
        GOOD_CSV,
        "The file is named .xlsx but its content is CSV text. Save it again as .xlsx or .csv.",
    ),
    "workbook bytes named .csv": (
        "目录.csv",
        GOOD_XLSX,
        "The file is named .csv but its content is an Excel workbook (.xlsx). Save it again as .xlsx or .csv.",
    ),
    "PNG named .xlsx": ("目录.xlsx", PNG, "The file is neither an Excel workbook (.xlsx) nor CSV text."),
    "program named .xlsx": ("目录.xlsx", EXE, "The file is neither an Excel workbook (.xlsx) nor CSV text."),
    "old .xls": (
        "目录.xlsx",
        XLS,
        "The file is an old-format Excel workbook (.xls). Open it in Excel and save it as .xlsx.",
    ),
    "a zip that is no workbook": (
        "目录.xlsx",
        replace_member(b"PK\x05\x06" + bytes(18), "readme.txt", b"hello"),
        "The file is a zip archive but not an Excel workbook (.xlsx).",
    ),
    "truncated workbook": (
        "目录.xlsx",
        GOOD_XLSX[: len(GOOD_XLSX) // 2],
        "The workbook is damaged: it is not a readable zip archive.",
    ),
    "wrong extension": ("目录.txt", GOOD_CSV, "Upload a .xlsx workbook or a .csv file."),
    "empty": ("目录.csv", b"", "The file is empty."),
    "no header": (
        "目录.csv",
        "\n".join(["说明,无表头"] * 12).encode(),
        "No header row was found: one of the first 10 rows must name the columns, "
        "for example 法律法规名称, 条款, 管理类别, 主要执行部门.",
    ),
    "header only": ("目录.csv", csv_bytes([]), "The file has a header row but no entries."),
}


@pytest.mark.parametrize("name, data, message", REFUSED.values(), ids=REFUSED.keys())
def test_a_refused_file_gets_one_clear_message(env, name, data, message):
    with pytest.raises(UploadRefused) as refused:
        parse(data, env.dept_a, name=name)

    assert refused.value.messages == [message]


@override_settings(BASIS_IMPORT_MAX_BYTES=1000)
@pytest.mark.parametrize("declares_size", [True, False], ids=["size declared", "size found by reading"])
def test_an_oversized_file_is_refused(env, declares_size):
    data = csv_bytes([row(rights="很长的职责说明" * 50)])
    assert len(data) > 1000
    uploaded = upload("目录.csv", data) if declares_size else io.BytesIO(data)
    uploaded.name = "目录.csv"

    with pytest.raises(UploadRefused) as refused:
        parse_catalogue_upload(uploaded, department=env.dept_a)

    assert refused.value.messages == ["The file is larger than 1000\xa0bytes. Split it into smaller files."]


def test_the_default_size_limit_is_ten_megabytes(env):
    data = csv_bytes([row()]) + b" " * (10 * 1024 * 1024)

    with pytest.raises(UploadRefused) as refused:
        parse(data, env.dept_a, name="目录.csv")

    assert refused.value.messages == ["The file is larger than 10.0\xa0MB. Split it into smaller files."]


@override_settings(BASIS_IMPORT_MAX_ROWS=3)
def test_a_file_with_too_many_rows_is_refused(env):
    rows = [row(provisions=f"第{n}条") for n in "一二三四"]

    assert len(parse(xlsx_bytes(rows[:3]), env.dept_a).rows) == 3
    with pytest.raises(UploadRefused) as refused:
        parse(xlsx_bytes(rows), env.dept_a)

    assert refused.value.messages == ["The file has more than 3 rows. Split it into smaller files."]


@pytest.mark.parametrize(
    "megabytes, message",
    [
        (150, "The workbook unpacks to more than 100 MB; it is refused as a possible zip bomb."),
        (60, "The workbook is compressed more than 100 to 1; it is refused as a possible zip bomb."),
    ],
    ids=["too large unpacked", "compressed too well"],
)
def test_a_zip_bomb_is_refused_before_it_is_unpacked(env, megabytes, message):
    bomb = with_zero_member(GOOD_XLSX, megabytes)
    assert len(bomb) < 1024 * 1024

    with pytest.raises(UploadRefused) as refused:
        parse(bomb, env.dept_a)

    assert refused.value.messages == [message]


def test_a_workbook_with_too_many_parts_is_refused(env):
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as target, zipfile.ZipFile(io.BytesIO(GOOD_XLSX)) as source:
        parts = source.infolist()
        for member in parts:
            target.writestr(member, source.read(member))
        for n in range(500):
            target.writestr(f"customXml/item{n}.xml", b"<x/>")

    with pytest.raises(UploadRefused) as refused:
        parse(stream.getvalue(), env.dept_a)

    assert refused.value.messages == [
        f"The workbook holds too many parts ({len(parts) + 500}; at most 500 are allowed)."
    ]


XML_ATTACK = (
    "The workbook contains XML that Excel never writes (document type or entity declarations); "
    "it is refused as a possible XML attack."
)


@pytest.mark.parametrize(
    "member, content",
    [
        ("xl/worksheets/sheet1.xml", BILLION_LAUGHS),
        ("xl/sharedStrings.xml", b'<?xml version="1.0"?><!DOCTYPE sst SYSTEM "http://evil.example/x.dtd"><sst/>'),
        (
            "xl/worksheets/sheet1.xml",
            b'<?xml version="1.0"?><!doctype x [<!entity e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        ),
    ],
    ids=["billion laughs in the sheet", "external DTD", "external entity, lower case"],
)
def test_xml_with_a_document_type_or_entities_is_refused_not_parsed(env, member, content):
    with pytest.raises(UploadRefused) as refused:
        parse(replace_member(GOOD_XLSX, member, content), env.dept_a)

    assert refused.value.messages == [XML_ATTACK]


def test_openpyxl_itself_parses_through_defusedxml(env):
    """Behind the scan, the parser refuses entity declarations on its own."""
    data = replace_member(GOOD_XLSX, "xl/worksheets/sheet1.xml", BILLION_LAUGHS)

    assert openpyxl.xml.DEFUSEDXML is True
    with pytest.raises(ValueError) as refused:
        openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert isinstance(refused.value.__cause__, DefusedXmlException)


# -- Nothing saved; constant queries ----------------------------------------------------------


def _counts():
    return [model.objects.count() for model in (CatalogueEntry, Provision, AuditEvent, BasisCatalogue)]


@pytest.mark.parametrize("rows", [GOOD_ROWS, [*GOOD_ROWS, row(instrument="不存在条例")]], ids=["clean", "with errors"])
def test_a_preview_saves_nothing(env, rows):
    before = _counts()

    with CaptureQueriesContext(connection) as queries:
        parse(xlsx_bytes(rows), env.dept_a)

    assert all(query["sql"].lstrip().upper().startswith("SELECT") for query in queries.captured_queries)
    assert _counts() == before


def test_parsing_runs_the_same_queries_for_few_rows_and_many(env):
    def queries_for(count):
        rows = [
            row(provisions=f"第{n}条", category="共同管理", joint=DEPT_B if n % 2 else "甲县市场监督管理局")
            for n in range(1, count + 1)
        ]
        data = xlsx_bytes(rows)
        department = Organisation.objects.get(pk=env.dept_a.pk)
        with CaptureQueriesContext(connection) as queries:
            preview = parse(data, department)
        assert preview.errors == [] and len(preview.rows) == count
        return len(queries.captured_queries)

    assert queries_for(3) == queries_for(30)


# -- Storing the preview ----------------------------------------------------------------------


def test_a_preview_survives_json_with_ids_only(env):
    preview = parse(xlsx_bytes([*GOOD_ROWS, row(instrument="不存在条例")]), env.dept_a)

    text = preview.to_json()

    assert ImportPreview.from_json(text) == preview
    stored = json.loads(text)
    assert stored["rows"][0]["instrument"] == env.food.pk
    assert stored["rows"][1]["joint_departments"] == [env.dept_b.pk]


@pytest.mark.parametrize("text", ["", "[]", '{"format": 2}', '{"format": 1, "rows": [{"row": 2}], "errors": []}'])
def test_a_damaged_stored_preview_is_refused(text):
    with pytest.raises(ValueError):
        ImportPreview.from_json(text)


# -- Confirming -------------------------------------------------------------------------------


@pytest.fixture
def draft(env, users):
    return services.catalogue_start(actor=users.editor_a, department=env.dept_a)


def entries_of(catalogue):
    return [
        (
            entry.position,
            entry.instrument_id,
            sorted((p.article, p.paragraph, p.item) for p in entry.provisions.all()),
            entry.category,
            entry.lead_department_id,
            [d.pk for d in entry.joint_departments.all()],
            [d.pk for d in entry.assisting_departments.all()],
            entry.rights_and_duties,
            entry.subject_kind,
            entry.principal_id,
        )
        for entry in catalogue.entries.order_by("position")
    ]


def test_confirming_a_clean_preview_saves_every_row(env, users, draft):
    services.entry_create(
        actor=users.editor_a,
        catalogue=draft,
        data=services.EntryData(
            instrument=env.penalty, category="sole", lead_department=env.dept_a, provisions=[],
            joint_departments=[], assisting_departments=[],
        ),
    )
    preview = ImportPreview.from_json(parse(xlsx_bytes(GOOD_ROWS), env.dept_a).to_json())
    provisions_before = Provision.objects.count()

    count = import_confirm(actor=users.editor_a, catalogue=draft, preview=preview)

    assert count == 3
    assert entries_of(draft) == [
        (1, env.food.pk, [(10, 0, 0), (12, 2, 0), (13, 1, 2)], "sole", env.dept_a.pk, [], [],
         "依法实施监督检查", "statutory_organ", None),
        (2, env.penalty.pk, [], "joint", env.dept_a.pk, [env.dept_b.pk], [], "依法实施监督检查", "statutory_organ", None),
        (3, env.food.pk, [(20, 0, 0)], "coordinated", env.dept_b.pk, [], [env.dept_a.pk],
         "配合检查\n提供资料", "statutory_organ", None),
    ]
    # The paragraph and the item are finer addresses of articles the registry has.
    assert Provision.objects.count() == provisions_before + 2
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, object_id=str(draft.pk)).count() == 1


def test_a_preview_with_errors_cannot_be_confirmed(env, users, draft):
    preview = parse(xlsx_bytes([*GOOD_ROWS, row(instrument="不存在条例")]), env.dept_a)

    with pytest.raises(ImportRefused) as refused:
        import_confirm(actor=users.editor_a, catalogue=draft, preview=preview)

    assert str(refused.value) == "The file has errors; nothing was saved. Correct them and upload the file again."
    assert draft.entries.count() == 0


def test_a_preview_for_another_department_cannot_be_confirmed(env, users, draft):
    preview = parse(xlsx_bytes([row(lead=DEPT_B)]), env.dept_b)
    assert preview.is_clean

    with pytest.raises(ImportRefused) as refused:
        import_confirm(actor=users.editor_a, catalogue=draft, preview=preview)

    assert str(refused.value) == "This preview was made for another department's catalogue."
    assert draft.entries.count() == 0


def test_confirming_is_all_or_nothing(env, users, draft):
    first = parse(xlsx_bytes([row(instrument="中华人民共和国行政处罚法", provisions="第一条")]), env.dept_a)
    import_confirm(actor=users.editor_a, catalogue=draft, preview=first)
    before = entries_of(draft), Provision.objects.count()
    stored = json.loads(parse(xlsx_bytes(GOOD_ROWS), env.dept_a).to_json())
    stored["rows"][-1]["subject_kind"] = "nonsense"  # the last row fails inside the service
    preview = ImportPreview.from_json(json.dumps(stored))

    with pytest.raises(ValidationError):
        import_confirm(actor=users.editor_a, catalogue=draft, preview=preview)

    assert (entries_of(draft), Provision.objects.count()) == before


def test_a_preview_naming_a_department_out_of_scope_is_stale(env, users, draft):
    stored = json.loads(parse(xlsx_bytes(GOOD_ROWS), env.dept_a).to_json())
    stored["rows"][1]["joint_departments"] = [env.city_office.pk]

    with pytest.raises(ImportRefused) as refused:
        import_confirm(actor=users.editor_a, catalogue=draft, preview=ImportPreview.from_json(json.dumps(stored)))

    assert str(refused.value) == "The registry or the departments changed since the preview. Upload the file again."


def test_confirming_needs_the_departments_editor_and_an_editable_draft(env, users, draft):
    preview = parse(xlsx_bytes(GOOD_ROWS), env.dept_a)

    with pytest.raises(PermissionDenied):
        import_confirm(actor=users.head_a, catalogue=draft, preview=preview)
    BasisCatalogue.objects.filter(pk=draft.pk).update(status=ReviewStatus.SUBMITTED)
    draft.refresh_from_db()
    with pytest.raises(WorkflowError):
        import_confirm(actor=users.editor_a, catalogue=draft, preview=preview)

    assert draft.entries.count() == 0


def test_the_parser_refuses_entities_even_past_the_scan(env, monkeypatch):
    monkeypatch.setattr("basis.upload_guard._unsafe_xml", lambda archive, member: False)

    with pytest.raises(UploadRefused) as refused:
        parse(replace_member(GOOD_XLSX, "xl/worksheets/sheet1.xml", BILLION_LAUGHS), env.dept_a)

    assert refused.value.messages == [XML_ATTACK]


# -- Issue 12: real-shaped sheets -------------------------------------------------------------

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.mark.parametrize(
    "header, expected",
    [
        ("法定职权和义务", "rights_and_duties"),
        ("法定权利义务", "rights_and_duties"),
        ("法律法规\n名称", "instrument"),
        ("法律法规\u3000名称", "instrument"),
        ("条款（具体到款项）", "provisions"),
        ("条款(具体到款项)", "provisions"),
        ("管理类别＊", "category"),
        ("实施主体/法定主体", "lead_department"),
        ("实施主体／法定主体", "lead_department"),
        ("实施依据", "instrument"),
        ("执法主体性质（法定行政机关／授权组织）", "subject_kind"),
        ("发布日期", "promulgated_on"),
        ("备注", None),
        ("职权编码", None),
    ],
)
def test_headers_are_normalised_before_matching(header, expected):
    assert field_for_header(header) == expected


def test_a_real_shaped_header_maps_every_column_and_lists_the_rest(env):
    preview = parse(real_sheet([real_row(remark="2019年修订")]), env.dept_a)

    assert preview.errors == []
    assert preview.rows[0].rights_and_duties == "对食品生产经营活动实施监督检查"
    assert preview.rows[0].row == 3  # the title row counts
    assert preview.ignored_headers == ["备注"]
    read = {header for header, _field, _index in preview.columns}
    assert read | {"备注"} == set(REAL_HEADER)


def test_a_required_column_that_maps_to_nothing_is_an_error_until_mapped_by_hand(env):
    header = [*REAL_HEADER]
    header[REAL_COLUMN["管理类别"]] = "管理归口"  # a name no synonym knows
    data = real_sheet([real_row()], header=header)

    preview = parse(data, env.dept_a)
    mapped = parse_catalogue_upload(
        upload("目录.xlsx", data), department=env.dept_a, overrides={str(REAL_COLUMN["管理类别"]): "category"}
    )

    assert preview.errors == [
        RowError(
            2, "管理类别",
            "This required column is missing. If one of the columns not read is it, choose “管理类别” for that column below.",
        )
    ]
    assert preview.rows == [] and not preview.can_keep_rejected
    assert mapped.errors == [] and mapped.rows[0].category == "sole"
    assert mapped.ignored_headers == ["备注"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2021-04-29", date(2021, 4, 29)),
        ("2021年4月29日", date(2021, 4, 29)),
        ("２０２１年４月２９日", date(2021, 4, 29)),
        ("2021/4/29", date(2021, 4, 29)),
        ("2021.4.29", date(2021, 4, 29)),
        ("44315", date(2021, 4, 29)),  # an Excel serial date that lost its format
        ("2021年4月", None),
    ],
)
def test_dates_are_read_as_departments_write_them(text, expected):
    assert parse_sheet_date(text) == expected


@pytest.mark.parametrize("text", ["2024-13-45", "2021年2月30日", "不详"])
def test_an_impossible_date_is_refused(text):
    with pytest.raises(ImpossibleDate):
        parse_sheet_date(text)


@pytest.mark.parametrize(
    "cell", ["2015年10月1日", "2015-10-01", "2015/10/1", "2015.10.1", 42278, datetime(2015, 10, 1)],
    ids=["chinese", "iso", "slashes", "dots", "excel serial", "date cell"],
)
def test_a_date_that_agrees_with_the_registry_passes_silently(env, cell):
    env.food.effective_on = date(2015, 10, 1)
    env.food.save()

    preview = parse(real_sheet([real_row(effective_on=cell)]), env.dept_a)

    assert preview.errors == [] and preview.warnings == [] and preview.date_checks == []


def test_dates_are_checked_at_their_row_and_column(env):
    env.food.effective_on = date(2015, 10, 1)
    env.food.save()
    rows = [
        real_row(effective_on="2021年4月29日"),
        real_row(effective_on="2024-13-45", provisions="第十一条"),
        real_row(effective_on="2021年2月30日", provisions="第十二条"),
    ]

    preview = parse(real_sheet(rows), env.dept_a)

    assert preview.warnings == [
        RowError(
            3, "实施时间",
            f"The sheet gives 2021年4月29日 for {FOOD}, the registry 2015年10月1日. The registry's date is kept; "
            "the legal-affairs office will be told when you confirm.",
        )
    ]
    assert preview.errors == [
        RowError(4, "实施时间", "“2024-13-45” is not a date: write it as 2021年4月29日 or 2021-04-29."),
        RowError(5, "实施时间", "“2021年2月30日” is not a date: write it as 2021年4月29日 or 2021-04-29."),
    ]
    assert [r.row for r in preview.rows] == [3]
    assert preview.date_checks == [
        {"row": 3, "instrument": env.food.pk, "field": "effective_on", "sheet_date": "2021-04-29",
         "registry_date": "2015-10-01"}
    ]


def test_an_unknown_instrument_offers_a_proposal_prefilled_from_the_row(env):
    rows = [real_row(instrument="《测试市电梯安全管理办法》", issuing_organ="测试市人民政府",
                     document_number="测试市人民政府令第5号", effective_on="2020年3月1日", provisions="")]

    preview = parse(real_sheet(rows), env.dept_a)

    assert preview.errors == [
        RowError(
            3, "法律法规\n名称",
            f"“《测试市电梯安全管理办法》” is not in the registry of legal instruments. {KEEPER}",
            propose={"name": "测试市电梯安全管理办法", "issuing_organ": "测试市人民政府",
                     "document_number": "测试市人民政府令第5号", "effective_on": "2020-03-01"},
        )
    ]


def test_an_instrument_cell_written_as_a_citation_gives_its_articles(env):
    values = real_row(instrument="《中华人民共和国食品安全法》第十条、第十二条", provisions="")

    preview = parse(real_sheet([values]), env.dept_a)

    assert preview.errors == []
    assert preview.rows[0].provisions == [(10, 0, 0), (12, 0, 0)]


def test_valid_rows_go_in_and_rejected_ones_wait_on_the_catalogue(env, users, draft):
    env.food.effective_on = date(2015, 10, 1)
    env.food.save()
    rows = [
        real_row(effective_on="2021年4月29日"),
        real_row(instrument="测试市电梯安全管理办法", provisions=""),
        real_row(effective_on="2024-13-45", provisions="第十一条"),
    ]
    preview = ImportPreview.from_json(parse(real_sheet(rows), env.dept_a).to_json())

    with pytest.raises(ImportRefused):
        import_confirm(actor=users.editor_a, catalogue=draft, preview=preview)
    count = import_confirm(actor=users.editor_a, catalogue=draft, preview=preview, keep_rejected=True)

    assert count == 1
    pending = list(draft.pending_rows.values_list("row", "instrument_name", "messages"))
    assert [(row, name) for row, name, _messages in pending] == [(4, "测试市电梯安全管理办法"), (5, FOOD)]
    assert pending[1][2] == ["实施时间：“2024-13-45” is not a date: write it as 2021年4月29日 or 2021-04-29."]
    assert draft.pending_rows.get(row=4).cells["法定职权和义务"] == "对食品生产经营活动实施监督检查"
    disagreement = DateDisagreement.objects.get()
    assert (disagreement.instrument, disagreement.department, disagreement.sheet_date, disagreement.registry_date) == (
        env.food, env.dept_a, date(2021, 4, 29), date(2015, 10, 1)
    )

    # Adding the entry by hand settles its row; a clean re-import clears the rest.
    services.entry_create(
        actor=users.editor_a, catalogue=draft,
        data=services.EntryData(instrument=InstrumentFactory(name="测试市电梯安全管理办法"), category="sole",
                                lead_department=env.dept_a, provisions=[], joint_departments=[], assisting_departments=[]),
    )
    assert list(draft.pending_rows.values_list("row", flat=True)) == [5]
    import_confirm(actor=users.editor_a, catalogue=draft, preview=parse(real_sheet([real_row()]), env.dept_a))
    assert not draft.pending_rows.exists()


def test_keeping_rejected_rows_is_all_or_nothing(env, users, draft):
    rows = [real_row(), real_row(instrument="测试市电梯安全管理办法")]
    stored = json.loads(parse(real_sheet(rows), env.dept_a).to_json())
    stored["rejected"][0]["row"] = -1  # the to-fix list fails to save, after the entries were written

    with pytest.raises(IntegrityError):
        import_confirm(actor=users.editor_a, catalogue=draft, preview=ImportPreview.from_json(json.dumps(stored)),
                       keep_rejected=True)

    assert draft.entries.count() == 0 and not PendingImportRow.objects.exists()


# -- The preview page, as the clerk reads it ----------------------------------------------------


def _upload_page(client, catalogue, data):
    return client.post(
        f"/office/basis/catalogues/{catalogue.pk}/import/", {"file": upload("目录.xlsx", data)}, **EN
    )


def test_the_preview_lists_a_column_not_read_and_lets_the_clerk_map_it(login, env, users, draft):
    client = login(users.editor_a)
    header = [*REAL_HEADER]
    header[REAL_COLUMN["法定职权和义务"]] = "职权及义务说明"  # unknown to every synonym
    page = _upload_page(client, draft, real_sheet([real_row()], header=header)).content.decode()

    assert "2 columns are not read and will not be imported:" in page
    assert "“职权及义务说明”、“备注”" in page
    index = REAL_COLUMN["法定职权和义务"]
    assert f'<select id="map_{index}" name="map_{index}">' in page
    assert "The columns listed as not read above will not be imported." in page

    remapped = client.post(
        f"/office/basis/catalogues/{draft.pk}/import/", {"remap": "1", f"map_{index}": "rights_and_duties"}, **EN
    ).content.decode()
    assert "1 column is not read and will not be imported:" in remapped
    assert '<option value="rights_and_duties" selected>' in remapped

    client.post(f"/office/basis/catalogues/{draft.pk}/import/",
                {"confirm": "all", f"map_{index}": "rights_and_duties"}, **EN)
    assert draft.entries.get().rights_and_duties == "对食品生产经营活动实施监督检查"


def test_the_preview_shows_dates_to_check_and_impossible_dates(login, env, users, draft):
    env.food.effective_on = date(2015, 10, 1)
    env.food.save()
    client = login(users.editor_a)
    rows = [real_row(effective_on=44315), real_row(effective_on="2024-13-45", provisions="第十一条")]

    page = _upload_page(client, draft, real_sheet(rows)).content.decode()

    assert f"The sheet gives 2021年4月29日 for {FOOD}, the registry 2015年10月1日." in page
    assert "“2024-13-45” is not a date: write it as 2021年4月29日 or 2021-04-29." in page


def test_the_preview_names_who_keeps_the_registry_and_links_a_proposal_when_there_is_one(
    login, env, users, draft
):
    client = login(users.editor_a)
    data = real_sheet([real_row(), real_row(instrument="测试市电梯安全管理办法", issuing_organ="测试市人民政府",
                                            effective_on="2020年3月1日")])

    page = _upload_page(client, draft, data).content.decode()
    assert f"“测试市电梯安全管理办法” is not in the registry of legal instruments. {KEEPER}" in page
    assert "Import the valid rows, keep the rejected ones to fix" in page
    # The registry's proposal form, prefilled from the row, and back to this import afterwards.
    assert "Propose this instrument" in page
    assert "name=%E6%B5%8B%E8%AF%95%E5%B8%82%E7%94%B5%E6%A2%AF%E5%AE%89%E5%85%A8%E7%AE%A1%E7%90%86%E5%8A%9E%E6%B3%95" in page
    assert "effective_on=2020-03-01" in page and f"next=%2Foffice%2Fbasis%2Fcatalogues%2F{draft.pk}%2Fimport%2F" in page

    client.post(f"/office/basis/catalogues/{draft.pk}/import/", {"confirm": "keep_rejected"}, **EN)
    detail = client.get(f"/office/basis/catalogues/{draft.pk}/", **EN).content.decode()
    assert "Rows to fix (待处理行)" in detail and "测试市电梯安全管理办法" in detail
    pending = draft.pending_rows.get()
    client.post(f"/office/basis/catalogues/{draft.pk}/pending/{pending.pk}/remove/", **EN)
    assert not draft.pending_rows.exists()
    assert AuditEvent.objects.filter(action=AuditAction.DELETE, object_id=str(pending.pk)).exists()


def test_replacing_asks_before_dropping_article_level_provisions(login, env, users, draft):
    client = login(users.editor_a)
    first = parse(xlsx_bytes([row(provisions="第十条、第十二条")]), env.dept_a)
    import_confirm(actor=users.editor_a, catalogue=draft, preview=first)

    page = _upload_page(client, draft, real_sheet([real_row(provisions="")])).content.decode()
    assert "0 added, 0 removed, 1 changed, 0 unchanged." in page
    assert "1 entry loses article-level provisions" in page
    assert 'name="accept_losses"' in page

    refused = client.post(f"/office/basis/catalogues/{draft.pk}/import/", {"confirm": "all"}, follow=True, **EN)
    assert "Tick the box that accepts the detail this import removes" in refused.content.decode()
    assert [p.article for p in draft.entries.get().provisions.all()] == [10, 12]

    client.post(f"/office/basis/catalogues/{draft.pk}/import/", {"confirm": "all", "accept_losses": "1"}, **EN)
    assert list(draft.entries.get().provisions.all()) == []


def test_the_office_sees_date_disagreements_and_no_one_else(login, env, users, draft, client):
    env.food.effective_on = date(2015, 10, 1)
    env.food.save()
    import_confirm(actor=users.editor_a, catalogue=draft,
                   preview=parse(real_sheet([real_row(effective_on="2021年4月29日")]), env.dept_a))

    login(users.city_reviewer)
    page = client.get("/office/basis/instruments/date-disagreements/", **EN).content.decode()
    assert FOOD in page and "2021-04-29" in page and "2015-10-01" in page and env.dept_a.name in page
    client.logout()
    login(users.county_reviewer)
    assert FOOD not in client.get("/office/basis/instruments/date-disagreements/", **EN).content.decode()
    client.logout()
    login(users.editor_a)
    assert client.get("/office/basis/instruments/date-disagreements/").status_code in (403, 404)
