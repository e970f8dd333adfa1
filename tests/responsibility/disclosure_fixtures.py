"""A department with published data for the disclosure tests, written straight to the database
with the suite's factories (the services' workflow is tested elsewhere)."""

from types import SimpleNamespace

from django.utils import timezone

from authority.models import ProcedureStage
from organisations.models import OrganisationKind
from responsibility.models import (
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
    place,
    step,
)
from tests.basis.factories import CatalogueFactory, EntryFactory, InstrumentFactory, provisions
from tests.factories import OrganisationFactory
from workflow.review import ReviewStatus


def responsibility_kind(code: str = "handling") -> ResponsibilityKind:
    return ResponsibilityKind.objects.get_or_create(code=code, defaults={"name": "承办责任", "order": 40})[0]


def published_department(department, *, agency=None, powers=2, steps=3, prefix="") -> SimpleNamespace:
    """Publish a catalogue, a breakdown and a responsibility set for ``department``, with a post,
    an officer holding a valid certificate and ``powers`` powers of ``steps`` steps each."""
    now = timezone.now()
    agency = agency or OrganisationFactory(parent=department, name=f"{prefix}执法大队", kind=OrganisationKind.AGENCY)
    instrument = InstrumentFactory(name=f"{prefix}测试市市容环境卫生管理条例")
    catalogue = CatalogueFactory(department=department, status=ReviewStatus.PUBLISHED, published_at=now)
    EntryFactory(catalogue=catalogue, instrument=instrument, provisions="第十条、第十二条第二款")
    breakdown = BreakdownFactory(department=department, status=ReviewStatus.PUBLISHED, published_at=now)
    post = PostFactory(agency=agency, name=f"{prefix}案件承办岗")
    basis = provisions(instrument, "第十条")
    items = []
    for n in range(powers):
        power = PowerFactory(breakdown=breakdown, name=f"{prefix}对擅自占用道路行为的处罚{n}", provisions=basis)
        assign(power, post)
        for order in range(1, steps + 1):
            step(power, order, "filing", post=post)
        items.append(power)
    responsibility_set = ResponsibilitySet.objects.create(
        department=department, version=1, status=ReviewStatus.PUBLISHED, published_at=now
    )
    Responsibility.objects.create(
        responsibility_set=responsibility_set, position=1, level=HolderLevel.POST, post=post,
        kind=responsibility_kind(), power_code=items[0].code if items else "", content=f"{prefix}依法受理案件并调查取证",
        stage=ProcedureStage.objects.first(),
    )
    standard = EnforcementStandard.objects.create(
        responsibility_set=responsibility_set, position=1, power_code=items[0].code if items else "X", title=f"{prefix}占道经营裁量基准"
    )
    StandardBand.objects.create(standard=standard, order=1, label="轻微", circumstances="首次违法且及时改正", measure="不予处罚")
    officer = OfficerFactory(department=department, name=f"{prefix}李明华")
    place(officer, post)
    certificate = CertificateFactory(officer=officer, number=f"{prefix}ZF20260001")
    return SimpleNamespace(
        department=department, agency=agency, instrument=instrument, catalogue=catalogue, breakdown=breakdown,
        post=post, powers=items, responsibility_set=responsibility_set, officer=officer, certificate=certificate,
    )
