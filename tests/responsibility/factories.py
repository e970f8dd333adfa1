"""Responsibility records for tests, written straight to the database so that a test can set up
any state; and a department's breakdown with powers and procedures to cite."""

import datetime

import factory
from factory.django import DjangoModelFactory

from authority.models import ProcedureStage
from responsibility.models import (
    EnforcementStandard,
    HolderLevel,
    Responsibility,
    ResponsibilityKind,
    ResponsibilitySet,
    StandardBand,
    SupportingRule,
    SupportingRuleKind,
)
from tests.authority.factories import BreakdownFactory, PowerFactory, step
from workflow.review import ReviewStatus


def responsibility_kind(code: str = "handling") -> ResponsibilityKind:
    return ResponsibilityKind.objects.get(code=code)


def stage(code: str) -> ProcedureStage:
    return ProcedureStage.objects.get(code=code)


def breakdown_with(department, codes=("P-1", "P-2"), status=ReviewStatus.PUBLISHED, stages=("filing", "investigation")):
    """A breakdown of ``department`` whose powers have ``codes``; each power's procedure runs
    through ``stages``."""
    breakdown = BreakdownFactory(department=department, status=status)
    for code in codes:
        power = PowerFactory(breakdown=breakdown, code=code, name=f"职权{code}的处罚")
        for order, stage_code in enumerate(stages, start=1):
            step(power, order, stage_code)
    return breakdown


class ResponsibilitySetFactory(DjangoModelFactory):
    class Meta:
        model = ResponsibilitySet

    status = ReviewStatus.DRAFT
    version = factory.LazyAttribute(
        lambda o: (
            ResponsibilitySet.objects.filter(department=o.department)
            .order_by("-version").values_list("version", flat=True).first() or 0
        ) + 1
    )


class ResponsibilityFactory(DjangoModelFactory):
    class Meta:
        model = Responsibility

    position = factory.Sequence(lambda n: n + 1)
    level = HolderLevel.DEPARTMENT
    kind = factory.LazyFunction(responsibility_kind)
    content = factory.Sequence(lambda n: f"立案责任：符合立案条件的，十个工作日内予以立案（{n}）。")


class StandardFactory(DjangoModelFactory):
    class Meta:
        model = EnforcementStandard
        skip_postgeneration_save = True

    position = factory.Sequence(lambda n: n + 1)
    power_code = "P-1"
    title = factory.Sequence(lambda n: f"裁量基准{n}")

    @factory.post_generation
    def bands(obj, create, extracted, **kwargs):
        count = 3 if extracted is None else extracted
        for order in range(1, count + 1):
            StandardBand.objects.create(
                standard=obj, order=order, label=["轻微", "一般", "严重", "特别严重"][order % 4],
                circumstances=f"情节{order}", measure=f"罚款{order}万元以下",
            )


class SupportingRuleFactory(DjangoModelFactory):
    class Meta:
        model = SupportingRule

    kind = SupportingRuleKind.POST_RESPONSIBILITY
    title = factory.Sequence(lambda n: f"行政执法岗位责任制度{n}")
    adopted_on = datetime.date(2024, 3, 15)
