"""Catalogue and compilation export: the import shape (so export → import gives the same
entries), the rows of the given catalogues only, and a query count that does not grow with the
number of entries."""

import io
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from basis import services
from basis.models import BasisCatalogue, Provision
from basis.spreadsheets import catalogue_to_xlsx, compilation_to_xlsx, import_confirm, parse_catalogue_upload
from organisations.models import SubjectKind
from workflow.review import ReviewStatus

from .factories import CatalogueFactory, EntryFactory, InstrumentFactory
from .fixtures.sheets import HEADER, sheet_values, upload

JOINT, COORDINATED = "joint", "coordinated"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def laws(db):
    food = InstrumentFactory(
        name="中华人民共和国食品安全法", issuing_organ="全国人民代表大会常务委员会", document_number="主席令第二十一号"
    )
    rule = InstrumentFactory(name="测试市市容管理条例")
    for instrument in (food, rule):
        Provision.objects.bulk_create(Provision(instrument=instrument, article=n) for n in range(1, 41))
    return SimpleNamespace(food=food, rule=rule)


@pytest.fixture
def published(city, laws):
    """A published catalogue of department A with one entry of every shape."""
    catalogue = CatalogueFactory(department=city.dept_a)
    EntryFactory(
        catalogue=catalogue, position=1, instrument=laws.food, provisions="第十条、第十二条第二款、第十三条第一款第（二）项"
    )
    EntryFactory(
        catalogue=catalogue, position=2, instrument=laws.rule, provisions="", rights_and_duties="=SUM(A1:A9) 看似公式的文字"
    )
    EntryFactory(
        catalogue=catalogue, position=3, instrument=laws.food, provisions="第二十条", category=JOINT,
        joint_departments=[city.dept_b, city.dept_x1], rights_and_duties="共同检查\n联合执法",
    )
    EntryFactory(
        catalogue=catalogue, position=4, instrument=laws.rule, provisions="第三条", category=COORDINATED,
        lead_department=city.dept_b, assisting_departments=[city.dept_a],
    )
    EntryFactory(
        catalogue=catalogue, position=5, instrument=laws.rule, provisions="第四条",
        subject_kind=SubjectKind.ENTRUSTED, principal=city.dept_b,
    )
    return catalogue


def fields_of(catalogue):
    return [
        (
            entry.instrument_id,
            sorted((p.article, p.paragraph, p.item) for p in entry.provisions.all()),
            entry.category,
            entry.lead_department_id,
            sorted(d.pk for d in entry.joint_departments.all()),
            sorted(d.pk for d in entry.assisting_departments.all()),
            entry.rights_and_duties,
            entry.subject_kind,
            entry.principal_id,
        )
        for entry in catalogue.entries.order_by("position")
    ]


def test_a_catalogue_exports_in_the_import_shape(city, published):
    values = sheet_values(catalogue_to_xlsx(published))

    assert values[0] == tuple(HEADER)
    assert [v[0] for v in values[1:]] == [1, 2, 3, 4, 5]
    food, rule = values[1], values[2]
    assert food[1:4] == ("中华人民共和国食品安全法", "全国人民代表大会常务委员会", "主席令第二十一号")
    assert food[5:8] == ("第十条、第十二条第二款、第十三条第一款第（二）项", "单一主管", "测试市市场监督管理局")
    assert rule[5] is None and rule[10] == "=SUM(A1:A9) 看似公式的文字"
    assert values[3][6:10] == ("共同管理", "测试市市场监督管理局", "测试市卫生健康委员会、甲县市场监督管理局", None)
    assert values[4][6:10] == ("协同管理", "测试市卫生健康委员会", None, "测试市市场监督管理局")
    assert values[5][11:] == ("受委托组织", "测试市卫生健康委员会")


def test_text_that_looks_like_a_formula_stays_text(published):
    sheet = load_workbook(io.BytesIO(catalogue_to_xlsx(published))).worksheets[0]

    assert sheet["K3"].value == "=SUM(A1:A9) 看似公式的文字"
    assert sheet["K3"].data_type == "s"


def test_export_then_import_gives_the_same_entries(city, users, published):
    preview = parse_catalogue_upload(upload("目录.xlsx", catalogue_to_xlsx(published)), department=city.dept_a)

    assert preview.errors == []
    assert [
        (
            row.instrument,
            sorted(row.provisions),
            row.category,
            row.lead_department,
            sorted(row.joint_departments),
            sorted(row.assisting_departments),
            row.rights_and_duties,
            row.subject_kind,
            row.principal,
        )
        for row in preview.rows
    ] == fields_of(published)

    draft = services.catalogue_start(actor=users.editor_a, department=city.dept_a)
    import_confirm(actor=users.editor_a, catalogue=draft, preview=preview)

    assert fields_of(draft) == fields_of(published)


def test_an_empty_catalogue_exports_its_header(city):
    catalogue = CatalogueFactory(department=city.dept_b, status=ReviewStatus.DRAFT)

    assert sheet_values(catalogue_to_xlsx(catalogue)) == [tuple(HEADER)]


def test_the_compilation_has_the_given_catalogues_only(city, laws, published):
    other = CatalogueFactory(department=city.dept_x1)
    EntryFactory(catalogue=other, instrument=laws.food, provisions="第五条", position=1)
    EntryFactory(catalogue=other, instrument=laws.rule, provisions="第六条", position=2)
    left_out = CatalogueFactory(department=city.dept_b)
    EntryFactory(catalogue=left_out, instrument=laws.food, provisions="第七条", position=1)

    catalogues = BasisCatalogue.objects.filter(pk__in=[published.pk, other.pk])
    values = sheet_values(compilation_to_xlsx(catalogues))

    assert values[0] == ("部门", *HEADER)
    # Department A comes before county X's department in the tree.
    assert [(v[0], v[1], v[6]) for v in values[1:]] == [
        ("测试市市场监督管理局", 1, "第十条、第十二条第二款、第十三条第一款第（二）项"),
        ("测试市市场监督管理局", 2, None),
        ("测试市市场监督管理局", 3, "第二十条"),
        ("测试市市场监督管理局", 4, "第三条"),
        ("测试市市场监督管理局", 5, "第四条"),
        ("甲县市场监督管理局", 1, "第五条"),
        ("甲县市场监督管理局", 2, "第六条"),
    ]


def _queries(export, *args) -> int:
    with CaptureQueriesContext(connection) as queries:
        export(*args)
    return len(queries.captured_queries)


def _fill(catalogue, instrument, count, partners):
    for n in range(1, count + 1):
        EntryFactory(
            catalogue=catalogue, position=n, instrument=instrument, provisions=f"第{n}条第二款", category=JOINT,
            joint_departments=partners, assisting_departments=partners,
        )


def test_catalogue_export_queries_do_not_grow_with_the_entries(city, laws):
    small, large = CatalogueFactory(department=city.dept_a), CatalogueFactory(department=city.dept_b)
    _fill(small, laws.food, 2, [city.dept_b])
    _fill(large, laws.food, 25, [city.dept_a, city.dept_x1])

    assert _queries(catalogue_to_xlsx, small) == _queries(catalogue_to_xlsx, large)


def test_compilation_queries_do_not_grow_with_the_catalogues(city, laws):
    one = CatalogueFactory(department=city.dept_a)
    _fill(one, laws.food, 2, [city.dept_b])
    for department in (city.dept_b, city.dept_x1, city.dept_y1):
        _fill(CatalogueFactory(department=department), laws.rule, 10, [city.dept_a])

    few = BasisCatalogue.objects.filter(pk=one.pk)
    many = BasisCatalogue.objects.all()

    assert _queries(compilation_to_xlsx, few) == _queries(compilation_to_xlsx, many)
    assert len(sheet_values(compilation_to_xlsx(many))) == 1 + 2 + 3 * 10
