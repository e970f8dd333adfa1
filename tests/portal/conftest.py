"""A city department with a published catalogue, breakdown and responsibility set, valid and
revoked officers, and ready and unfinished disclosure documents; built straight in the database."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone, translation

from responsibility.models import (
    DisclosureDocument,
    DocumentStatus,
    EnforcementStandard,
    HolderLevel,
    Responsibility,
    ResponsibilityKind,
    ResponsibilitySet,
    StandardBand,
)
from tests.authority.factories import (
    BreakdownFactory,
    CertificateFactory,
    OfficerFactory,
    PostFactory,
    PowerFactory,
    assign,
    kind,
    place,
    stage,
    step,
)
from tests.basis.factories import (
    CatalogueFactory,
    EntryFactory,
    InstrumentFactory,
    provisions,
)
from workflow.review import ReviewStatus

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ID_NUMBER = "620102199001011234"


@pytest.fixture(autouse=True)
def reference(db):
    call_command("load_authority_reference", verbosity=0)


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def responsibility_kind(code="handling", name="承办责任"):
    return ResponsibilityKind.objects.get_or_create(code=code, defaults={"name": name})[0]


def document(organisation, kind="booklet", version=1, status=DocumentStatus.READY, content=PDF):
    row = DisclosureDocument(
        organisation=organisation, kind=kind, version=version, content_hash=f"{kind}-{version}-{status}",
        status=status, data_as_of=timezone.now(),
        finished_at=timezone.now() if status == DocumentStatus.READY else None,
    )
    if status == DocumentStatus.READY:
        row.file.save(f"{kind}-v{version}.pdf", ContentFile(content), save=False)
        row.size, row.pages = len(content), 1
    row.save()
    return row


def add_power(breakdown, post, code, name, agency=None, instrument=None):
    power = PowerFactory(
        breakdown=breakdown, code=code, name=name, handling_agency=agency,
        provisions=provisions(instrument, "第十条") if instrument else None,
        accountability_grounds="不依法履行职责的",
    )
    assign(power, post)
    return power


@pytest.fixture
def published(city):
    """Department A's published data and its public URLs."""
    now = timezone.now()
    law = InstrumentFactory(name="测试市场监督条例")
    catalogue = CatalogueFactory(department=city.dept_a, published_at=now)
    EntryFactory(catalogue=catalogue, instrument=law, provisions="第十条")
    breakdown = BreakdownFactory(department=city.dept_a, status=ReviewStatus.PUBLISHED, published_at=now)
    post = PostFactory(agency=city.agency_a, name="案件办理岗")
    power = add_power(breakdown, post, "330217001000", "未经许可从事经营活动的处罚", city.agency_a, law)
    step(power, 1, "filing", post=post, limit=10)
    step(power, 2, "decision", post=post, limit=5)
    rset = ResponsibilitySet.objects.create(
        department=city.dept_a, version=1, status=ReviewStatus.PUBLISHED, published_at=now
    )
    Responsibility.objects.create(
        responsibility_set=rset, position=1, level=HolderLevel.DEPARTMENT, kind=responsibility_kind(),
        content="对本部门执法工作负全面责任",
    )
    Responsibility.objects.create(
        responsibility_set=rset, position=2, level=HolderLevel.POST, post=post, kind=responsibility_kind(),
        power_code=power.code, stage=stage("filing"), content="十个工作日内予以立案",
    )
    standard = EnforcementStandard.objects.create(
        responsibility_set=rset, position=1, power_code=power.code, title="无照经营处罚裁量基准"
    )
    StandardBand.objects.create(standard=standard, order=1, label="轻微", circumstances="首次违法", measure="责令改正")
    officer = OfficerFactory(department=city.dept_a, name="王明", id_number=ID_NUMBER, gender="male")
    place(officer, post)
    CertificateFactory(officer=officer, number="SC2026000777", kinds=[kind("penalty")])
    revoked = OfficerFactory(department=city.dept_a, name="赵撤销", id_number="620102199202021111")
    CertificateFactory(officer=revoked, number="SC-REVOKED-1", status="revoked")
    expired = OfficerFactory(department=city.dept_a, name="钱过期")
    CertificateFactory(
        officer=expired, number="SC-EXPIRED-1",
        valid_from=datetime.date(2015, 1, 1), valid_until=datetime.date(2020, 1, 1),
    )
    code = city.dept_a.code
    return SimpleNamespace(
        catalogue=catalogue, breakdown=breakdown, post=post, power=power, rset=rset, officer=officer, law=law,
        pages=[
            f"/departments/{code}/",
            f"/departments/{code}/catalogue/",
            f"/departments/{code}/powers/",
            f"/departments/{code}/powers/{power.code}/",
            f"/departments/{code}/posts/",
            f"/departments/{code}/officers/",
            f"/departments/{code}/responsibilities/",
            f"/departments/{code}/standards/",
        ],
        public=[
            "/", f"/governments/{city.city.code}/", "/catalogues/",
        ],
    )
