"""Authority records for tests, written straight to the database so that a test can set up any
state (an expired certificate, a post without officers) without walking every service."""

import datetime

import factory
from factory.django import DjangoModelFactory

from authority.models import (
    Breakdown,
    Certificate,
    Officer,
    OfficerPost,
    Post,
    PostAssignment,
    PowerItem,
    PowerKind,
    ProcedureStage,
    ProcedureStep,
    TrainingRecord,
)
from workflow.review import ReviewStatus


def kind(code: str) -> PowerKind:
    return PowerKind.objects.get(code=code)


def stage(code: str) -> ProcedureStage:
    return ProcedureStage.objects.get(code=code)


class BreakdownFactory(DjangoModelFactory):
    class Meta:
        model = Breakdown

    status = ReviewStatus.DRAFT
    version = factory.LazyAttribute(
        lambda o: (Breakdown.objects.filter(department=o.department).order_by("-version").values_list("version", flat=True).first() or 0) + 1
    )


class PowerFactory(DjangoModelFactory):
    class Meta:
        model = PowerItem
        skip_postgeneration_save = True

    position = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"P-{n:05d}")
    name = factory.Sequence(lambda n: f"违反测试条例第{n}条的处罚")
    kind = factory.LazyFunction(lambda: kind("penalty"))
    enforcing_organ = factory.LazyAttribute(lambda o: o.breakdown.department)

    @factory.post_generation
    def provisions(obj, create, extracted, **kwargs):
        if extracted:
            obj.provisions.set(extracted)


class PostFactory(DjangoModelFactory):
    class Meta:
        model = Post

    name = factory.Sequence(lambda n: f"执法岗{n}")
    positions = 2


class OfficerFactory(DjangoModelFactory):
    class Meta:
        model = Officer

    name = factory.Sequence(lambda n: f"张{n}")
    id_number = "110101199001011234"


def assign(power: PowerItem, post: Post, role: str = "handling") -> PostAssignment:
    return PostAssignment.objects.create(power=power, post=post, role=role)


def place(officer: Officer, post: Post, since=datetime.date(2020, 1, 1)) -> OfficerPost:
    return OfficerPost.objects.create(officer=officer, post=post, since=since)


def train(officer: Officer, *, posts=(), kinds=(), training_kind="pre_post", on=datetime.date(2019, 12, 1)) -> TrainingRecord:
    """A training record that covers ``posts`` (their powers' kinds) and ``kinds``."""
    record = TrainingRecord.objects.create(officer=officer, kind=training_kind, hours=40, completed_on=on)
    record.posts.set(posts)
    record.kinds.set(kinds)
    return record


def step(power: PowerItem, order: int, stage_code: str = "filing", post=None, limit=10) -> ProcedureStep:
    return ProcedureStep.objects.create(power=power, order=order, stage=stage(stage_code), post=post, time_limit=limit)


class CertificateFactory(DjangoModelFactory):
    class Meta:
        model = Certificate
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"C{n:08d}")
    issuing_government = factory.LazyAttribute(lambda o: o.officer.department.jurisdiction)
    area = "测试市"
    valid_from = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))
    valid_until = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=1000))

    @factory.post_generation
    def kinds(obj, create, extracted, **kwargs):
        obj.kinds.set(extracted if extracted is not None else [kind("penalty")])
