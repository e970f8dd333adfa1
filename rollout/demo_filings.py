"""Demo step of the filings: the city's campaign (made here if the campaign step has not made
it), the market-regulation bureau's plan through a return and a second filing to its
acknowledgement, its leading group and working body, its phase-1 summary with two problems
(one answered), the health commission's plan in draft, and a street office's plan recorded by
its district office. Idempotent: a second run finds the bureau's plan and changes nothing."""

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from organisations.models import Organisation

from . import services_filings as services
from .models import Campaign, ImplementationPlan, Phase, PhaseNumber

CITY, SCJ, WJW, STREET = "621200", "621200-SCJ", "621200-WJW", "621202-TOWN1"
YEAR = 2026
PHASE_DUE = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 15)}

PARTS = {
    "guiding_ideas": "以《全面推进依法行政实施纲要》和国务院办公厅《关于推行行政执法责任制的若干意见》为指导，"
                     "按照市政府统一部署，明确执法职责，规范执法行为，做到有权必有责、用权受监督、违法受追究。",
    "goals_and_tasks": "梳理本局执法依据，分解执法职权，确定执法责任，建立健全评议考核和责任追究制度，"
                       "年底前形成权责明确、行为规范、监督有效的执法体制。",
    "organisation_and_leadership": "成立以局长为组长、分管副局长为副组长、各科室负责人为成员的推行行政执法责任制工作领导小组，"
                                   "领导小组办公室设在法规科，负责日常工作。",
    "steps": "第一阶段学习动员、组建机构、制定方案；第二阶段梳理执法依据、确认执法主体；"
             "第三阶段分解职权、确定责任；第四阶段完善制度、巩固提高。",
    "measures": "逐项梳理职权事项并落实到岗位和人员；建立案卷评查、过错责任追究等配套制度；"
                "在门户网站和公告栏公示执法依据、职权和责任。",
    "time_requirements": "3月底前完成第一阶段，6月底前完成第二阶段，9月底前完成第三阶段，12月中旬前完成第四阶段。",
}

TEAM = (
    ("leading_group", "leader", "王建国", "局长", "0939-8211001"),
    ("leading_group", "deputy_leader", "李明", "副局长", "0939-8211002"),
    ("leading_group", "member", "张华", "执法稽查科科长", "0939-8211010"),
    ("working_body", "director", "赵磊", "法规科科长", "0939-8211020"),
    ("working_body", "liaison", "陈静", "法规科科员", "13909391234"),
)

# A minimal PDF: the upload check reads its signature, the viewer shows a blank page.
_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def demo_campaign(office_user: User) -> Campaign:
    """The city's campaign of the demo year, with its four phases; get_or_create on
    (jurisdiction, year) so that the campaign step's demo and this one make one campaign."""
    city = Organisation.objects.get(code=CITY)
    campaign, _created = Campaign.objects.get_or_create(
        jurisdiction=city, year=YEAR,
        defaults={"title": f"{city.short_name or city.name}{YEAR}年推行行政执法责任制工作", "created_by": office_user},
    )
    tz = timezone.get_current_timezone()
    for number in PhaseNumber.values:
        month, day = PHASE_DUE[number]
        Phase.objects.get_or_create(
            campaign=campaign, number=number,
            defaults={"due_at": datetime.datetime(YEAR, month, day, 18, 0, tzinfo=tz)},
        )
    return campaign


def load_demo_filings(stdout=None) -> None:
    editor = User.objects.filter(username="scj_editor").first()
    wjw_editor = User.objects.filter(username="wjw_editor").first()
    office = User.objects.filter(username="fzb").first()
    district_office = User.objects.filter(username="fzb_wudu").first()
    bureau = Organisation.objects.filter(code=SCJ).first()
    if not (editor and office and bureau):
        return
    campaign = demo_campaign(office)
    if ImplementationPlan.objects.filter(organisation=bureau, campaign=campaign).exists():
        return
    with transaction.atomic():
        plan = services.plan_open(actor=editor, organisation=bureau, campaign=campaign)
        first = dict(PARTS, time_requirements="年内完成各阶段工作。")
        services.plan_save(actor=editor, plan=plan, data=services.PlanData(
            **first, revision_notes="在2019年实施方案基础上，按照《若干意见》补充分解职权和责任追究的内容。",
            document=ContentFile(_PDF, name="陇南市市场监督管理局推行行政执法责任制实施方案.pdf"),
        ))
        services.plan_file(actor=editor, plan=plan)
        services.plan_return(actor=office, plan=plan, comment="时间要求过于笼统，请按四个阶段分别写明完成时限。")
        services.plan_save(actor=editor, plan=plan, data=services.PlanData(
            **PARTS, revision_notes="在2019年实施方案基础上，按照《若干意见》补充分解职权和责任追究的内容；时间要求按阶段写明。",
        ))
        services.plan_file(actor=editor, plan=plan)
        services.plan_acknowledge(actor=office, plan=plan, comment="已备案。")
        for order, (body, role, name, position, phone) in enumerate(TEAM):
            services.team_member_add(actor=editor, organisation=bureau, data=services.MemberData(
                name=name, body=body, role=role, position=position, phone=phone, order=order))
        phase = campaign.phases.get(number=PhaseNumber.PREPARATION)
        summary = services.summary_save(actor=editor, organisation=bureau, phase=phase, data=services.SummaryData(
            text="本局组织全体执法人员学习《若干意见》，成立领导小组和工作机构，制定实施方案并报市法制办备案。",
            problems=["部分执法岗位人员不足，职权分解到岗后难以落实到人。", "县区市场监管部门的执法依据目录格式不统一，请市法制办明确模板。"],
        ))
        summary = services.summary_submit(actor=editor, summary=summary)
        first_problem = summary.problems.order_by("id").first()
        services.problem_answer(actor=office, problem=first_problem, answer="请结合机构改革统筹调配人员，暂缺岗位由科室负责人兼任。")
        health = Organisation.objects.filter(code=WJW).first()
        if wjw_editor and health:
            services.plan_open(actor=wjw_editor, organisation=health, campaign=campaign)
        street = Organisation.objects.filter(code=STREET).first()
        if district_office and street:
            street_plan = services.plan_open(actor=district_office, organisation=street, campaign=campaign)
            services.plan_save(actor=district_office, plan=street_plan, data=services.PlanData(
                **{name: f"{street.name}：{text}" for name, text in PARTS.items()},
                document=ContentFile(_PDF, name="钟楼街道实施方案.pdf"),
            ))
            services.plan_file(actor=district_office, plan=street_plan)
    if stdout is not None:
        stdout.write("Demo filings: the market-regulation bureau's plan (2 revisions, acknowledged), team and phase-1 summary")
