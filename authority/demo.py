"""Demo breakdown for ``load_demo``: the market-regulation bureau's powers resting on its
published catalogue, assigned to posts of its agencies, with their procedures and time limits,
published through the real workflow; and three certified officers on those posts. Skipped when
the department already has a breakdown, so a second run changes nothing."""

import datetime
from decimal import Decimal

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from basis.models import BasisCatalogue, LegalInstrument, Provision
from organisations.models import Organisation, OrganisationKind
from organisations.services import organisation_create
from workflow.review import ReviewStatus

from . import services
from .models import Breakdown, Post, PowerKind, ProcedureStage, TimeUnit
from .services import PowerData, StepData

DEPARTMENT = "621200-SCJ"
AGENCIES = (
    ("621200-SCJ-ZFJC", "执法稽查科"),
    ("621200-SCJ-SPSC", "食品生产安全监督管理科"),
    ("621200-SCJ-XZSP", "行政审批科"),
)
# (agency code, post name, positions)
POSTS = (
    ("621200-SCJ-ZFJC", "案件承办岗", 4),
    ("621200-SCJ-ZFJC", "案件审核岗", 2),
    ("621200-SCJ-SPSC", "食品生产监督检查岗", 3),
    ("621200-SCJ-XZSP", "许可受理岗", 2),
    ("621200-SCJ-XZSP", "许可审查岗", 2),
)

W, C = TimeUnit.WORKING_DAYS, TimeUnit.CALENDAR_DAYS
# (stage, post, duty, time limit, unit) of a penalty case handled by 执法稽查科.
PENALTY_STEPS = (
    ("filing", "案件承办岗", "对监督检查、投诉举报、转办交办中发现的违法线索进行核查，符合立案条件的报请批准立案。", 10, W),
    ("investigation", "案件承办岗", "两名以上执法人员出示执法证件，全面、客观、公正地调查收集证据，制作现场笔录和询问笔录。", 60, C),
    ("review", "案件审核岗", "对案件事实、证据、定性、依据、程序和处罚幅度进行法制审核，提出书面审核意见。", 10, W),
    ("notice", "案件承办岗", "制作并送达行政处罚告知书，告知拟作出处罚的事实、理由、依据及陈述、申辩和听证权利。", 3, W),
    ("decision", None, "局负责人审查决定；情节复杂或者重大违法行为给予较重处罚的，由局负责人集体讨论决定。", 10, W),
    ("service", "案件承办岗", "行政处罚决定书宣告后当场交付当事人；当事人不在场的，七日内依法送达。", 7, C),
    ("execution", "案件承办岗", "督促当事人履行处罚决定；逾期不履行的，依法加处罚款或者申请人民法院强制执行。", 15, W),
    ("archiving", "案件承办岗", "结案后按照一案一卷整理案卷，报案件审核岗审查后归档。", 15, W),
)
LICENSING_STEPS = (
    ("acceptance", "许可受理岗", "对申请材料齐全、符合法定形式的当场受理；材料不齐全的，一次性告知需要补正的全部内容。", 5, W),
    ("examination", "许可审查岗", "对申请材料进行审查，需要对生产场所进行现场核查的，指派两名以上核查人员进行核查。", 10, W),
    ("decision", None, "根据审查和核查结果作出准予或者不予许可的决定；不予许可的，书面说明理由并告知申请人权利。", 3, W),
    ("service", "许可受理岗", "作出准予许可决定的，自决定之日起十个工作日内颁发食品生产许可证。", 10, W),
)
# (code, name, kind, [(instrument, [articles])], handling agency, steps, [(post, role)])
POWERS = (
    ("SCJ-CF-001", "未取得食品生产经营许可从事食品生产经营活动的处罚", "penalty",
     [("LAW-SPAQ", [35, 122])], "621200-SCJ-ZFJC", PENALTY_STEPS,
     [("案件承办岗", "handling"), ("案件审核岗", "review")]),
    ("SCJ-CF-002", "生产经营不符合食品安全标准的食品等行为的处罚", "penalty",
     [("LAW-SPAQ", [124])], "621200-SCJ-ZFJC", PENALTY_STEPS,
     [("案件承办岗", "handling"), ("食品生产监督检查岗", "handling"), ("案件审核岗", "review")]),
    ("SCJ-CF-003", "生产、销售不符合保障人体健康和人身、财产安全的国家标准、行业标准的产品的处罚", "penalty",
     [("LAW-CPZL", [49])], "621200-SCJ-ZFJC", PENALTY_STEPS,
     [("案件承办岗", "handling"), ("案件审核岗", "review")]),
    ("SCJ-CF-004", "在产品中掺杂、掺假，以假充真，以次充好，或者以不合格产品冒充合格产品的处罚", "penalty",
     [("LAW-CPZL", [50])], "621200-SCJ-ZFJC", PENALTY_STEPS,
     [("案件承办岗", "handling"), ("案件审核岗", "review")]),
    ("SCJ-CF-005", "发布虚假广告的处罚", "penalty",
     [("LAW-GG", [55])], "621200-SCJ-ZFJC", PENALTY_STEPS,
     [("案件承办岗", "handling"), ("案件审核岗", "review")]),
    ("SCJ-XK-001", "食品生产许可", "licensing",
     [("LAW-SPAQ", [35])], "621200-SCJ-XZSP", LICENSING_STEPS,
     [("许可受理岗", "handling"), ("许可审查岗", "review")]),
)
# (name, gender, ID number, post, exam score, certificate number)
OFFICERS = (
    ("李建国", "male", "621202198503120017", "案件承办岗", Decimal("86"), "62120020260001"),
    ("王晓燕", "female", "621202199007250026", "案件审核岗", Decimal("91"), "62120020260002"),
    ("赵文斌", "male", "621221198811030035", "食品生产监督检查岗", Decimal("78"), "62120020260003"),
)


def _ensure_agencies(department: Organisation) -> dict[str, Organisation]:
    agencies = {}
    for code, name in AGENCIES:
        agency = Organisation.objects.filter(code=code).first()
        if agency is None:
            agency = organisation_create(parent=department, code=code, name=name, kind=OrganisationKind.AGENCY)
        agencies[code] = agency
    return agencies


def _ensure_posts(editor: User, agencies: dict[str, Organisation]) -> dict[str, Post]:
    posts = {}
    for agency_code, name, positions in POSTS:
        agency = agencies[agency_code]
        post = Post.objects.filter(agency=agency, name=name).first()
        if post is None:
            post = services.post_create(actor=editor, agency=agency, name=name, positions=positions)
        posts[name] = post
    return posts


def load_demo_breakdown(stdout=None) -> None:
    """The demo step of this chapter: the reference kinds and stages, then the breakdown."""
    call_command("load_authority_reference", **({"stdout": stdout} if stdout is not None else {}))
    department = Organisation.objects.filter(code=DEPARTMENT).first()
    editor = User.objects.filter(username="scj_editor").first()
    reviewer = User.objects.filter(username="fzb").first()
    if not (department and editor and reviewer) or Breakdown.objects.filter(department=department).exists():
        return
    if not BasisCatalogue.objects.filter(department=department, status=ReviewStatus.PUBLISHED).exists():
        return  # the powers rest on the published catalogue of basis.demo
    with transaction.atomic():
        agencies = _ensure_agencies(department)
        posts = _ensure_posts(editor, agencies)
        breakdown = services.breakdown_start(actor=editor, department=department)
        stages = {stage.code: stage for stage in ProcedureStage.objects.all()}
        for code, name, kind, basis, agency_code, steps, assignments in POWERS:
            provisions = []
            for instrument_code, articles in basis:
                instrument = LegalInstrument.objects.get(code=instrument_code)
                provisions += list(
                    Provision.objects.filter(instrument=instrument, article__in=articles, paragraph=0, item=0)
                )
            power = services.power_create(
                actor=editor,
                breakdown=breakdown,
                data=PowerData(
                    name=name, code=code, kind=PowerKind.objects.get(code=kind), enforcing_organ=department,
                    provisions=provisions, handling_agency=agencies[agency_code],
                    accountability_grounds="不履行或者不正确履行上述职责，玩忽职守、滥用职权、徇私舞弊的，依法追究责任。",
                ),
            )
            for post_name, role in assignments:
                services.power_assign(actor=editor, power=power, post=posts[post_name], role=role)
            services.procedure_replace(
                actor=editor,
                power=power,
                steps=[
                    StepData(stage=stages[stage], post=posts[post] if post else None, duty=duty,
                             time_limit=limit, time_unit=unit)
                    for stage, post, duty, limit, unit in steps
                ],
            )
        services.breakdown_submit(actor=editor, breakdown=breakdown)
        services.breakdown_start_review(actor=reviewer, breakdown=breakdown)
        services.breakdown_approve(actor=reviewer, breakdown=breakdown)
        services.breakdown_publish(actor=reviewer, breakdown=breakdown)
        _load_officers(department, editor, reviewer, posts)
    if stdout is not None:
        stdout.write(f"Demo breakdown published: {department.name} v{breakdown.version}, {len(POWERS)} powers")


def _load_officers(department: Organisation, editor: User, reviewer: User, posts: dict[str, Post]) -> None:
    today = timezone.localdate()
    trained = today - datetime.timedelta(days=60)
    kinds = list(PowerKind.objects.filter(code__in=["penalty", "coercion", "supervision", "licensing"]))
    for name, gender, id_number, post_name, score, number in OFFICERS:
        officer = services.officer_create(
            actor=editor, department=department, name=name, gender=gender, id_number=id_number
        )
        services.officer_place(actor=editor, officer=officer, post=posts[post_name], since=trained)
        services.training_record(
            actor=editor, officer=officer, kind="pre_post", hours=Decimal("40"), completed_on=trained,
            note="陇南市行政执法人员岗前培训（第一期）", posts=[posts[post_name]], kinds=kinds,
        )
        services.exam_record(actor=reviewer, officer=officer, taken_on=trained + datetime.timedelta(days=7), score=score)
        services.certificate_issue(
            actor=reviewer, officer=officer, number=number, area=department.jurisdiction.name, kinds=kinds,
            valid_from=trained + datetime.timedelta(days=14),
        )
