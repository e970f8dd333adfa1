"""Demo accountability for ``load_demo``: at the market-regulation bureau, a complaint case
decided and notified (批评教育 for the officer, 限期整改 for the bureau), a case registered and
under investigation, a published commendation and a suggestion awaiting the office. Skipped when
the bureau already has a case, so a second run changes nothing."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from authority.models import Officer
from organisations.models import Organisation

from . import services
from .models import Case, Suggestion

DEPARTMENT = "621200-SCJ"


def load_demo_accountability(stdout=None) -> None:
    department = Organisation.objects.filter(code=DEPARTMENT).first()
    office = User.objects.filter(username="fzb").first()
    if not (department and office) or Case.objects.filter(department=department).exists():
        return
    officers = {o.name: o for o in Officer.objects.filter(department=department)}
    if not {"赵文斌", "王晓燕", "李建国"} <= set(officers):
        return  # the officers of authority.demo
    today = timezone.localdate()
    with transaction.atomic():
        case = services.case_open(
            actor=office, department=department, source_kind="complaint",
            source_text="市民来电投诉：食品生产企业现场检查时执法人员未出示执法证件，检查记录未经当事人签字。",
            act="对某食品生产企业的日常监督检查", act_date=today - datetime.timedelta(days=20), register=True,
        )
        services.case_investigate(actor=office, case=case)
        person = services.person_add(
            actor=office, case=case, officer=officers["赵文斌"], part="handler", responsibility="direct",
            grounds="检查时未出示执法证件，现场笔录未交当事人核对签字，违反行政执法公示和全过程记录制度。",
        )
        services.measure_propose(actor=office, case=case, kind="criticism", person=person)
        services.measure_propose(actor=office, case=case, kind="rectify", until=today + datetime.timedelta(days=30),
                                 note="组织执法人员学习执法公示、全过程记录制度，整改检查文书。")
        services.case_propose(actor=office, case=case)
        services.case_decide(actor=office, case=case, grounds="经调查核实，执法人员未出示执法证件、现场笔录未经当事人签字属实，情节轻微，未造成严重后果。",
                             mitigating=["negligible_harm"], mitigating_note="当事人未提出异议，未造成实际损害。")
        services.case_notify(actor=office, case=case)

        second = services.case_open(
            actor=office, department=department, source_kind="reversal",
            source_text="行政复议决定撤销该局作出的一份行政处罚决定（事实不清、证据不足）。",
            act="对某超市销售过期食品的行政处罚", act_date=today - datetime.timedelta(days=90), register=True,
        )
        services.case_investigate(actor=office, case=second)
        services.person_add(actor=office, case=second, officer=officers["李建国"], part="handler", responsibility="direct",
                            grounds="调查取证不全面，未收集进货查验记录。")
        services.person_add(actor=office, case=second, officer=officers["王晓燕"], part="reviewer", responsibility="none",
                            grounds="审核时已提出补充证据意见，承办人未采纳。")

        commendation = services.commendation_propose(
            actor=office, department=department, officer=officers["王晓燕"], year=today.year,
            title="行政执法先进个人", citation="法制审核严格规范，全年审核案件无一被复议撤销。",
        )
        services.commendation_decide(actor=office, commendation=commendation, approve=True)
        services.commendation_publish(actor=office, commendation=commendation)

        Suggestion.objects.create(
            government=department.jurisdiction, department=department, rule="file_review_vetoed",
            explanation="案卷 市监罚〔2026〕12号“某超市销售过期食品案”在案卷评查中因否决项不合格：适用法律依据错误",
            figures={"case_file": "市监罚〔2026〕12号", "score": "0.00", "veto_items": ["适用法律依据错误"], "handled_by": ["李建国"]},
            source_kind="spot_check", key="file_review_vetoed:demo",
        )
    if stdout is not None:
        stdout.write(f"Demo accountability: cases {case.number} (notified) and {second.number} (under investigation)")
