"""Demo responsibilities for ``load_demo``: the market-regulation bureau's responsibility set
(per-step responsibilities of its powers, two enforcement standards) published through the real
workflow, and its register of supporting rules with two of the eight kinds left missing, so the
coverage page has a gap to show. Runs after ``authority.demo``; each part is skipped when the
department already has it, so a second run changes nothing."""

import datetime

from django.core.management import call_command
from django.db import transaction

from accounts.models import User
from authority.models import Post, ProcedureStage
from organisations.models import Organisation

from . import selectors, services
from .models import HolderLevel, ResponsibilityKind, ResponsibilitySet, SupportingRule, SupportingRuleKind
from .services import BandData, ResponsibilityData, RuleData, StandardData

DEPARTMENT = "621200-SCJ"
ZFJC, XZSP = "621200-SCJ-ZFJC", "621200-SCJ-XZSP"

# (level, agency code or post name, kind, power code, stage, content)
RESPONSIBILITIES = (
    (HolderLevel.DEPARTMENT, None, "leadership", "", None,
     "局主要负责人是本部门行政执法第一责任人，对本部门行政执法工作负总责；分管负责人对分管领域的行政执法工作负直接领导责任。"),
    (HolderLevel.DEPARTMENT, None, "supervision", "", None,
     "建立行政执法监督检查制度，定期开展案卷评查，对执法中的不作为、乱作为及时纠正并依法追究责任。"),
    # 未取得食品生产经营许可从事食品生产经营活动的处罚, written per step as the real 责任事项 are.
    (HolderLevel.POST, "案件承办岗", "handling", "SCJ-CF-001", "filing",
     "立案责任：对发现的涉嫌未经许可从事食品生产经营的违法行为及时核查，符合立案条件的，十个工作日内予以立案。"),
    (HolderLevel.POST, "案件承办岗", "handling", "SCJ-CF-001", "investigation",
     "调查取证责任：执法人员不少于两人，出示执法证件，全面、客观、公正地调查收集证据；与当事人有直接利害关系的应当回避。"),
    (HolderLevel.POST, "案件审核岗", "review", "SCJ-CF-001", "review",
     "审理责任：对案件违法事实、证据、调查取证程序、法律适用、处罚种类和幅度、当事人陈述和申辩理由等进行审核，提出处理意见。"),
    (HolderLevel.POST, "案件承办岗", "handling", "SCJ-CF-001", "notice",
     "告知责任：作出行政处罚决定前，书面告知当事人拟作出处罚的事实、理由、依据，并告知其依法享有的陈述、申辩和听证权利。"),
    (HolderLevel.DEPARTMENT, None, "decision", "SCJ-CF-001", "decision",
     "决定责任：局负责人依法作出处罚决定；情节复杂或者重大违法行为给予较重处罚的，由局负责人集体讨论决定。"),
    (HolderLevel.POST, "案件承办岗", "handling", "SCJ-CF-001", "service",
     "送达责任：行政处罚决定书应当在宣告后当场交付当事人；当事人不在场的，在七日内依照民事诉讼法的有关规定送达。"),
    (HolderLevel.AGENCY, ZFJC, "supervision", "SCJ-CF-001", "execution",
     "执行责任：督促当事人履行生效的行政处罚决定；逾期不履行的，依法加处罚款或者申请人民法院强制执行。"),
    # 发布虚假广告的处罚
    (HolderLevel.POST, "案件承办岗", "handling", "SCJ-CF-005", "filing",
     "立案责任：对涉嫌发布虚假广告的线索进行核查，符合立案条件的，十个工作日内予以立案。"),
    (HolderLevel.POST, "案件审核岗", "review", "SCJ-CF-005", "review",
     "审理责任：审核广告内容与实际情况是否相符、广告费用计算依据是否充分，提出处理意见。"),
    # 食品生产许可
    (HolderLevel.POST, "许可受理岗", "handling", "SCJ-XK-001", "acceptance",
     "受理责任：公示申请条件、材料目录和办理时限；申请材料不齐全的，一次性告知需要补正的全部内容。"),
    (HolderLevel.POST, "许可审查岗", "review", "SCJ-XK-001", "examination",
     "审查责任：对申请材料进行审查，需要现场核查的，指派两名以上核查人员在十个工作日内完成现场核查。"),
    (HolderLevel.AGENCY, XZSP, "decision", "SCJ-XK-001", "decision",
     "决定责任：作出准予或者不予许可的决定；不予许可的，书面说明理由，并告知申请人依法申请行政复议或者提起行政诉讼的权利。"),
)

_CONFISCATE = "没收违法所得和违法生产经营的食品以及用于违法生产经营的工具、设备、原料等物品"
STANDARDS = (
    ("SCJ-CF-001", "未取得食品生产经营许可从事食品生产经营活动的处罚裁量基准",
     "依据《中华人民共和国食品安全法》第一百二十二条。货值金额按违法生产经营的食品标价计算，没有标价的按同类食品市场价格计算。",
     (
         ("轻微", "初次违法，货值金额不足二千元，危害后果轻微并及时改正的", "依法可以不予行政处罚，责令改正，" + _CONFISCATE),
         ("一般", "货值金额不足一万元，无从重情节的", _CONFISCATE + "，并处五万元以上七万元以下罚款"),
         ("较重", "货值金额不足一万元，经责令改正拒不改正，或者造成危害后果的", _CONFISCATE + "，并处七万元以上十万元以下罚款"),
         ("严重", "货值金额一万元以上的", _CONFISCATE + "，并处货值金额十倍以上二十倍以下罚款"),
     )),
    ("SCJ-CF-005", "发布虚假广告的处罚裁量基准",
     "依据《中华人民共和国广告法》第五十五条。",
     (
         ("一般", "首次发布虚假广告，广告费用可以计算，社会影响较小并主动消除影响的",
          "责令停止发布广告，责令在相应范围内消除影响，处广告费用三倍以上四倍以下的罚款"),
         ("较重", "广告费用无法计算或者明显偏低的", "责令停止发布广告，责令在相应范围内消除影响，处二十万元以上一百万元以下的罚款"),
         ("严重", "两年内有三次以上违法行为或者有其他严重情节的",
          "处广告费用五倍以上十倍以下的罚款，广告费用无法计算或者明显偏低的，处一百万元以上二百万元以下的罚款，可以吊销营业执照"),
     )),
)

# (kind, title, document number, adopted on, status); 评议考核 and 奖惩 are left missing.
RULES = (
    (SupportingRuleKind.POST_RESPONSIBILITY, "陇南市市场监督管理局行政执法岗位责任制度", "陇市监发〔2024〕12号", datetime.date(2024, 3, 15), "in_force"),
    (SupportingRuleKind.ENFORCEMENT_PROCEDURE, "陇南市市场监督管理局行政执法程序暂行规定", "陇市监发〔2019〕7号", datetime.date(2019, 5, 20), "repealed"),
    (SupportingRuleKind.ENFORCEMENT_PROCEDURE, "陇南市市场监督管理局行政执法程序规定", "陇市监发〔2024〕13号", datetime.date(2024, 3, 15), "in_force"),
    (SupportingRuleKind.AGENCY_MANAGEMENT, "陇南市市场监督管理局行政执法机构管理办法", "陇市监发〔2024〕14号", datetime.date(2024, 3, 15), "in_force"),
    (SupportingRuleKind.PERSONNEL_MANAGEMENT, "陇南市市场监督管理局行政执法人员管理制度", "陇市监发〔2024〕15号", datetime.date(2024, 3, 15), "in_force"),
    (SupportingRuleKind.CASE_FILE_REVIEW, "陇南市市场监督管理局行政执法案卷评查制度", "陇市监发〔2024〕21号", datetime.date(2024, 6, 3), "in_force"),
    (SupportingRuleKind.FAULT_ACCOUNTABILITY, "陇南市市场监督管理局行政执法过错责任追究办法", "陇市监发〔2024〕22号", datetime.date(2024, 6, 3), "in_force"),
)


def load_demo_responsibilities(stdout=None) -> None:
    """The demo step of this chapter: the reference kinds, then the set and the rules."""
    call_command("load_responsibility_reference", **({"stdout": stdout} if stdout is not None else {}))
    department = Organisation.objects.filter(code=DEPARTMENT).first()
    editor = User.objects.filter(username="scj_editor").first()
    reviewer = User.objects.filter(username="fzb").first()
    if not (department and editor and reviewer):
        return
    cited = {row[3] for row in RESPONSIBILITIES if row[3]} | {row[0] for row in STANDARDS}
    if not ResponsibilitySet.objects.filter(department=department).exists() and cited <= set(
        selectors.current_powers(department)
    ):
        with transaction.atomic():
            responsibility_set = _load_set(department, editor, reviewer)
        if stdout is not None:
            stdout.write(f"Demo responsibility set published: {department.name} v{responsibility_set.version}")
    if not SupportingRule.objects.filter(department=department).exists():
        with transaction.atomic():
            for kind, title, number, adopted_on, status in RULES:
                services.supporting_rule_create(
                    actor=editor, department=department,
                    data=RuleData(kind=kind, title=title, document_number=number, adopted_on=adopted_on, status=status),
                )
        if stdout is not None:
            stdout.write(f"Demo supporting rules: {len(RULES)} on record, two kinds missing")


def _load_set(department: Organisation, editor: User, reviewer: User) -> ResponsibilitySet:
    responsibility_set = services.responsibility_set_start(actor=editor, department=department)
    kinds = {kind.code: kind for kind in ResponsibilityKind.objects.all()}
    stages = {stage.code: stage for stage in ProcedureStage.objects.all()}
    posts = {post.name: post for post in Post.objects.filter(agency__path__startswith=department.path)}
    agencies = {agency.code: agency for agency in Organisation.objects.filter(code__in=[ZFJC, XZSP])}
    for level, holder, kind, power_code, stage, content in RESPONSIBILITIES:
        services.responsibility_create(
            actor=editor,
            responsibility_set=responsibility_set,
            data=ResponsibilityData(
                kind=kinds[kind], content=content, level=level,
                agency=agencies[holder] if level == HolderLevel.AGENCY else None,
                post=posts[holder] if level == HolderLevel.POST else None,
                power_code=power_code, stage=stages[stage] if stage else None,
            ),
        )
    for power_code, title, note, bands in STANDARDS:
        services.standard_create(
            actor=editor,
            responsibility_set=responsibility_set,
            data=StandardData(
                power_code=power_code, title=title, note=note,
                bands=[
                    BandData(order=order, label=label, circumstances=circumstances, measure=measure)
                    for order, (label, circumstances, measure) in enumerate(bands, start=1)
                ],
            ),
        )
    services.responsibility_set_submit(actor=editor, responsibility_set=responsibility_set)
    services.responsibility_set_start_review(actor=reviewer, responsibility_set=responsibility_set)
    services.responsibility_set_approve(actor=reviewer, responsibility_set=responsibility_set)
    services.responsibility_set_publish(actor=reviewer, responsibility_set=responsibility_set)
    return responsibility_set
