"""Basis records for tests, written straight to the database: tests of the checks, the diff and
the workflow need catalogues in any state, which the services would only reach step by step."""

import factory
from factory.django import DjangoModelFactory

from basis.models import (
    BasisCatalogue,
    CatalogueEntry,
    InstrumentLevel,
    InstrumentStatus,
    LegalInstrument,
    ManagementCategory,
    Provision,
)
from basis.numbering import parse_provisions
from workflow.review import ReviewStatus


class InstrumentFactory(DjangoModelFactory):
    class Meta:
        model = LegalInstrument

    code = factory.Sequence(lambda n: f"TEST-{n:04d}")
    name = factory.Sequence(lambda n: f"测试条例{n}")
    level = InstrumentLevel.LOCAL_REGULATION
    issuing_organ = "测试省人民代表大会常务委员会"
    status = InstrumentStatus.IN_FORCE


def provisions(instrument: LegalInstrument, text: str) -> list[Provision]:
    """The instrument's provisions named in ``text`` ("第十条、第十二条第二款"), created as needed."""
    return [
        Provision.objects.get_or_create(
            instrument=instrument, article=article, paragraph=paragraph or 0, item=item or 0
        )[0]
        for article, paragraph, item in parse_provisions(text)
    ]


class CatalogueFactory(DjangoModelFactory):
    class Meta:
        model = BasisCatalogue

    status = ReviewStatus.PUBLISHED
    version = factory.LazyAttribute(
        lambda o: (BasisCatalogue.objects.filter(department=o.department).order_by("-version").values_list("version", flat=True).first() or 0) + 1
    )


class EntryFactory(DjangoModelFactory):
    """``provisions`` takes text such as "第十条、第十二条第二款"; the department lists take
    organisations; the lead defaults to the catalogue's department."""

    class Meta:
        model = CatalogueEntry
        skip_postgeneration_save = True

    position = factory.Sequence(lambda n: n + 1)
    instrument = factory.SubFactory(InstrumentFactory)
    category = ManagementCategory.SOLE
    lead_department = factory.LazyAttribute(lambda o: o.catalogue.department)
    rights_and_duties = "依法实施监督检查"

    @factory.post_generation
    def provisions(obj, create, extracted, **kwargs):
        if extracted:
            obj.provisions.set(provisions(obj.instrument, extracted))

    @factory.post_generation
    def joint_departments(obj, create, extracted, **kwargs):
        if extracted:
            obj.joint_departments.set(extracted)

    @factory.post_generation
    def assisting_departments(obj, create, extracted, **kwargs):
        if extracted:
            obj.assisting_departments.set(extracted)
