"""Fixtures of the filings' tests (imported by each test module, so that the campaign
engineer's conftest of this folder stays theirs): the shared small city grown by townships, an
authorised body, the specially managed departments, the city's campaign with its four phases
and a county's own campaign."""

import datetime
import io
import zipfile
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role
from organisations.models import OrganisationKind, SubjectKind
from rollout import services_filings as services
from rollout.models import Campaign, Phase, PLAN_PARTS

from ..factories import OrganisationFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def pdf(name="方案.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def zip_named_pdf(name="方案.pdf") -> SimpleUploadedFile:
    """A zip archive that calls itself a PDF."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "not a pdf")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def parts(suffix="") -> dict:
    return {name: f"{label}的内容{suffix}" for name, label in PLAN_PARTS}


def plan_data(suffix="", **extra) -> services.PlanData:
    return services.PlanData(**parts(suffix), **extra)


@pytest.fixture
def world(city, users):
    """Townships and a street under county X, a township under county Y, an authorised body
    under department A and one under B, the three specially managed departments with their
    editors, editors for X1 and Y1, county Y's reviewer, the city's campaign (2026) with its
    phases and county Y's own campaign."""
    ns = SimpleNamespace(city=city, users=users)
    ns.township_x = OrganisationFactory(parent=city.county_x, code="X-T1", name="甲县甲镇人民政府", kind=OrganisationKind.TOWNSHIP)
    ns.street_x = OrganisationFactory(parent=city.county_x, code="X-S1", name="甲县城关街道办事处", kind=OrganisationKind.STREET)
    ns.township_y = OrganisationFactory(parent=city.county_y, code="Y-T1", name="乙县乙镇人民政府", kind=OrganisationKind.TOWNSHIP)
    ns.authorised_a = OrganisationFactory(parent=city.dept_a, code="C-A-3", name="测试市计量检定所", subject_kind=SubjectKind.AUTHORISED)
    ns.authorised_b = OrganisationFactory(parent=city.dept_b, code="C-B-1", name="测试市卫生监督所", subject_kind=SubjectKind.AUTHORISED)
    ns.stationed = OrganisationFactory(parent=city.city, code="C-GL", name="省公路局驻测试市分局", subject_kind=SubjectKind.STATUTORY_ORGAN, stationed_provincial=True)
    ns.vertical = OrganisationFactory(parent=city.city, code="C-SW", name="测试市税务局", subject_kind=SubjectKind.STATUTORY_ORGAN, vertically_managed=True)
    ns.dual = OrganisationFactory(parent=city.city, code="C-QX", name="测试市气象局", subject_kind=SubjectKind.STATUTORY_ORGAN, dual_managed=True)
    ns.editor_stationed = UserFactory(username="editor_gl", role=Role.DEPARTMENT_EDITOR, organisation=ns.stationed)
    ns.editor_vertical = UserFactory(username="editor_sw", role=Role.DEPARTMENT_EDITOR, organisation=ns.vertical)
    ns.editor_dual = UserFactory(username="editor_qx", role=Role.DEPARTMENT_EDITOR, organisation=ns.dual)
    ns.editor_x1 = UserFactory(username="editor_x1", role=Role.DEPARTMENT_EDITOR, organisation=city.dept_x1)
    ns.editor_y1 = UserFactory(username="editor_y1", role=Role.DEPARTMENT_EDITOR, organisation=city.dept_y1)
    ns.county_y_reviewer = UserFactory(username="county_y_reviewer", role=Role.OFFICE_REVIEWER, organisation=city.county_y_office)
    ns.campaign = Campaign.objects.create(jurisdiction=city.city, year=2026, title="测试市2026年推行工作", created_by=users.city_reviewer)
    tz = timezone.get_current_timezone()
    ns.phases = {
        number: Phase.objects.create(campaign=ns.campaign, number=number, due_at=datetime.datetime(2026, 3 * number, 28, 18, tzinfo=tz))
        for number in (1, 2, 3, 4)
    }
    ns.county_y_campaign = Campaign.objects.create(jurisdiction=city.county_y, year=2026, title="乙县2026年推行工作",
                                                   parent=ns.campaign, created_by=ns.county_y_reviewer)
    ns.county_y_phase = Phase.objects.create(campaign=ns.county_y_campaign, number=1)
    return ns


def filed_plan(world, organisation, filer, *, document=True):
    """A plan opened, written and filed by ``filer``."""
    plan = services.plan_open(actor=filer, organisation=organisation, campaign=world.campaign)
    services.plan_save(actor=filer, plan=plan, data=plan_data(document=pdf() if document else None))
    return services.plan_file(actor=filer, plan=plan)
