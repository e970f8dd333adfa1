"""Pages of the campaign: the office's campaigns, their phases and dashboard, spot checks and
findings; a department's checklist. Views parse, check (``accounts.permissions``), call one
service and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import permissions as perms
from audit.models import AuditAction
from audit.services import event_record
from toolkit.errors import DomainError

from . import campaigns_services, checks_services
from . import permissions as rollout_perms
from .campaigns_chart import progress_svg
from .campaigns_forms import CampaignForm, DashboardFilter, FindingForm, PhasesForm, ReportForm, SpotCheckForm
from .campaigns_status import PHASE_OF, Deliverable, Progress, State, effective_dues, organisation_items
from .models import Campaign, Finding, FindingKind, PhaseNumber, RectificationStatus, SpotCheck
from .selectors import open_findings_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _errors_to_form(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


def _require_office(request):
    perms.require(request.user, rollout_perms.can_view_campaigns(request.user), who=perms.Actor.OFFICE)


def _campaign(request, pk: int) -> Campaign:
    _require_office(request)
    return perms.get_visible_or_404(
        request.user, rollout_perms.campaigns_visible_to(request.user).select_related("jurisdiction", "parent"), pk=pk
    )


@login_required
def campaign_list(request):
    _require_office(request)
    campaigns = rollout_perms.campaigns_visible_to(request.user).select_related("jurisdiction", "parent")
    government = rollout_perms.office_government(request.user)
    return render(request, "rollout/campaigns/campaign_list.html", {
        "campaigns": campaigns, "government": government,
        "has_current": campaigns.filter(jurisdiction=government, year=timezone.localdate().year).exists(),
    })


@login_required
def campaign_create(request):
    _require_office(request)
    government = rollout_perms.office_government(request.user)
    year = timezone.localdate().year
    try:
        year = int(request.POST.get("year", year))
    except ValueError:
        pass
    parent = campaigns_services.parent_campaign_for(government, year)
    inherited = effective_dues(parent) if parent else None
    form = CampaignForm(request.POST or None, inherited=inherited, initial={
        "title": _("%(name)s: rollout of the responsibility system %(year)d") % {"name": government.name, "year": year}})
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaigns_services.campaign_open(
                actor=request.user, jurisdiction=government, year=form.cleaned_data["year"],
                title=form.cleaned_data["title"], dues=form.dues(), starts=form.starts())
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Campaign opened."))
            return redirect("campaigns:campaign_detail", campaign.pk)
    return render(request, "rollout/campaigns/campaign_form.html", {"form": form, "government": government, "parent": parent})


def _phase_rows(campaign: Campaign):
    own = {p.number: p for p in campaign.phases.all()}
    dues = effective_dues(campaign)
    now = timezone.now()
    return [
        {"number": n, "label": label, "own": own.get(n), "due_at": dues.get(n), "inherited": own.get(n) is None or own[n].due_at != dues.get(n),
         "passed": dues.get(n) is not None and dues[n] < now,
         "deliverables": [Deliverable(d).label for d, phase in PHASE_OF.items() if phase == n]}
        for n, label in PhaseNumber.choices
    ]


@login_required
def campaign_detail(request, pk: int):
    campaign = _campaign(request, pk)
    return render(request, "rollout/campaigns/campaign_detail.html", {
        "campaign": campaign, "phases": _phase_rows(campaign),
        "can_change": rollout_perms.can_change_campaign(request.user, campaign),
        "spot_checks": campaign.spot_checks.select_related("drawn_by"),
        "children": campaign.children.select_related("jurisdiction"),
    })


@login_required
def campaign_phases(request, pk: int):
    campaign = _campaign(request, pk)
    perms.require(request.user, rollout_perms.can_change_campaign(request.user, campaign), obj=campaign, who=perms.Actor.OFFICE)
    inherited = effective_dues(campaign.parent) if campaign.parent_id else None
    initial = {}
    for phase in campaign.phases.all():
        initial[f"due_{phase.number}"] = timezone.localtime(phase.due_at) if phase.due_at else None
        initial[f"starts_{phase.number}"] = phase.starts_on
    form = PhasesForm(request.POST or None, inherited=inherited, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaigns_services.campaign_phases_set(actor=request.user, campaign=campaign, dues=form.dues(), starts=form.starts())
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Phases saved."))
            return redirect("campaigns:campaign_detail", campaign.pk)
    return render(request, "rollout/campaigns/phases_form.html", {"form": form, "campaign": campaign})


STATUS_CLASS = {
    State.NOT_STARTED: "", State.IN_PROGRESS: "warn", State.SUBMITTED: "ok", State.DONE: "ok", State.LATE: "bad late",
}


def _cell(status: str) -> dict:
    return {"status": status, "label": State(status).label, "css": STATUS_CLASS[status]}


@login_required
def dashboard(request, pk: int):
    """Per organisation and phase: done, submitted, in progress, not started, late. Filters by
    phase, status and name; the chart; the .xlsx export of every deliverable shown."""
    campaign = _campaign(request, pk)
    progress = Progress(campaign)
    filters = DashboardFilter(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    phase, status, q = data.get("phase"), data.get("status") or "", data.get("q") or ""
    rows = progress.rows_filtered(phase=phase, status=status, q=q)
    if request.GET.get("format") == "xlsx":
        return _export(request, campaign, rows, phase)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    deliverables = [d for d, n in PHASE_OF.items() if phase is None or n == phase]
    columns = [_("Phase %(n)d") % {"n": n} for n in PhaseNumber.values] if phase is None else [Deliverable(d).label for d in deliverables]
    table = []
    for row in page:
        if phase is None:
            cells = [_cell(row.status(n)) for n in PhaseNumber.values]
        else:
            by_deliverable = {i.deliverable: i for i in row.items}
            cells = [_cell(by_deliverable[d].status) if d in by_deliverable else None for d in deliverables]
        table.append({"row": row, "status": _cell(row.status(phase)), "cells": list(zip(columns, cells)),
                      "late": row.status(phase) == State.LATE})
    counts = progress.counts(phase)
    query = {k: v for k, v in (("phase", phase or ""), ("q", q)) if v}
    count_links = [
        {"status": s, "label": label, "count": counts[s], "css": STATUS_CLASS[s], "active": s == status,
         "query": urlencode({**query, "status": s})}
        for s, label in State.choices
    ]
    item_counts = progress.item_counts()
    totals = {n: sum(c.values()) for n, c in item_counts.items()}
    dues = {n: progress.dates.due(campaign.pk, n) for n in PhaseNumber.values}
    return render(request, "rollout/campaigns/dashboard.html", {
        "campaign": campaign, "filters": filters, "page": page, "table": table, "total": len(progress.rows),
        "shown": len(rows), "phase": phase, "status": status, "q": q, "count_links": count_links,
        "columns": columns,
        "item_counts": [(n, label, item_counts[n]) for n, label in PhaseNumber.choices],
        "states": State.choices,
        "chart": progress_svg(progress.delivered_per_day(), totals, dues),
        "dues": [(n, label, dues[n]) for n, label in PhaseNumber.choices],
        "export_query": urlencode({**query, **({"status": status} if status else {}), "format": "xlsx"}),
        "page_query": urlencode({**query, **({"status": status} if status else {})}),
        "now": timezone.now(),
        "rectifications": list(
            Finding.objects.filter(target__spot_check__campaign=campaign).exclude(status=RectificationStatus.DONE)
            .select_related("target__organisation", "target__spot_check").order_by("due_at", "pk")[:100]
        ),
    })


def _export(request, campaign, rows, phase) -> HttpResponse:
    import io

    from openpyxl import Workbook

    from toolkit.spreadsheets import xlsx_row

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Deliverables"))
    sheet.append(xlsx_row(sheet, [_("Code"), _("Organisation"), _("Campaign"), _("Phase"), _("Deliverable"), _("Due at"),
                                  _("Status"), _("Delivered at"), _("Delivered late")]))
    count = 0
    for row in rows:
        for item in row.items:
            if phase is not None and item.phase != phase:
                continue
            sheet.append(xlsx_row(sheet, [
                row.organisation.code, row.organisation.name, row.campaign.title, item.phase, str(item.label),
                timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M") if item.due_at else "",
                str(item.status_label),
                timezone.localtime(item.delivered_at).strftime("%Y-%m-%d %H:%M") if item.delivered_at else "",
                _("yes") if item.delivered_late else "",
            ]))
            count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    event_record(action=AuditAction.EXPORT, actor=request.user, obj=campaign, message=gettext_lazy("rollout dashboard export"),
                 detail={"rows": count, "phase": phase})
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="rollout-{campaign.year}-{campaign.jurisdiction.code}.xlsx"'
    return response


def current_campaign_for(user) -> Campaign | None:
    government = rollout_perms.office_government(user)
    if government is None:
        return None
    return Campaign.objects.filter(jurisdiction=government, year=timezone.localdate().year).select_related("jurisdiction").first()


@login_required
def current_dashboard(request):
    """The office's dashboard of this year's campaign, with the filters it was asked with (the
    home tiles link here)."""
    _require_office(request)
    campaign = current_campaign_for(request.user)
    if campaign is None:
        messages.info(request, _("Your government has no campaign for this year yet."))
        return redirect("campaigns:campaign_list")
    url = reverse("campaigns:dashboard", args=[campaign.pk])
    return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)


# -- Spot checks --------------------------------------------------------------------------------


@login_required
def spot_check_create(request, pk: int):
    campaign = _campaign(request, pk)
    perms.require(request.user, rollout_perms.can_change_campaign(request.user, campaign), obj=campaign, who=perms.Actor.OFFICE)
    form = SpotCheckForm(request.POST or None, initial={
        "title": _("Spot check %(date)s") % {"date": timezone.localdate().isoformat()},
        "share_percent": checks_services.minimum_share()})
    if request.method == "POST" and form.is_valid():
        try:
            spot_check = checks_services.spot_check_draw(actor=request.user, campaign=campaign, **form.cleaned_data)
        except ValidationError as error:
            _errors_to_form(form, error)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(n)d organisations drawn.") % {"n": len(spot_check.drawn)})
            return redirect("campaigns:spot_check_detail", spot_check.pk)
    return render(request, "rollout/campaigns/spot_check_form.html", {"form": form, "campaign": campaign})


def _spot_check(request, pk: int) -> SpotCheck:
    _require_office(request)
    return perms.get_visible_or_404(
        request.user, rollout_perms.spot_checks_visible_to(request.user).select_related("campaign__jurisdiction", "drawn_by"), pk=pk
    )


@login_required
def spot_check_detail(request, pk: int):
    spot_check = _spot_check(request, pk)
    targets = spot_check.targets.select_related("organisation").prefetch_related("findings")
    can_record = rollout_perms.can_record_finding(request.user, spot_check)
    return render(request, "rollout/campaigns/spot_check_detail.html", {
        "spot_check": spot_check, "targets": targets, "can_record": can_record,
        "reproduced": checks_services.draw_again(spot_check) == spot_check.drawn,
        "population_size": len(spot_check.population) + len(spot_check.excluded), "form": FindingForm(),
        "now": timezone.now(), "serious": {FindingKind.PERFUNCTORY, FindingKind.FALSIFIED},
    })


@login_required
def finding_create(request, pk: int, target_id: int):
    spot_check = _spot_check(request, pk)
    target = perms.get_visible_or_404(request.user, spot_check.targets.select_related("organisation", "spot_check__campaign"), pk=target_id)
    perms.require(request.user, rollout_perms.can_record_finding(request.user, spot_check), obj=spot_check, who=perms.Actor.OFFICE)
    form = FindingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            checks_services.finding_record(actor=request.user, target=target, **form.cleaned_data)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Finding recorded."))
            return redirect("campaigns:spot_check_detail", spot_check.pk)
    return render(request, "rollout/campaigns/finding_form.html", {"form": form, "spot_check": spot_check, "target": target})


@login_required
@require_POST
def finding_decide(request, finding_id: int, decision: str):
    """The office accepts a rectification (marks it done) or sends a report back."""
    finding = perms.get_visible_or_404(
        request.user, rollout_perms.findings_visible_to(request.user).select_related("target__spot_check__campaign", "target__organisation"),
        pk=finding_id)
    service = {"accept": checks_services.finding_accept, "return": checks_services.finding_return}.get(decision)
    if service is None:
        perms.refuse(request.user, obj=finding, reason=_("unknown decision"), not_found=True)
    try:
        service(actor=request.user, finding=finding)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Rectification marked done.") if decision == "accept" else _("Report sent back."))
    return redirect("campaigns:spot_check_detail", finding.target.spot_check_id)


# -- A department's checklist -------------------------------------------------------------------


def checklist_for(user):
    """The department's deliverables this year with their deadlines, and the rectifications it
    owes: for the checklist page and the home page."""
    department = perms.department_of(user)
    if department is None:
        return None
    campaign, items = organisation_items(department)
    now = timezone.now()
    rows = []
    for item in items:
        days_left = (timezone.localdate(item.due_at) - timezone.localdate(now)).days if item.due_at else None
        rows.append({"item": item, "cell": _cell(item.status), "days_left": days_left,
                     "days_overdue": max(-(days_left or 0), 0), "url": _done_at(item.deliverable, department.pk)})
    findings = list(open_findings_for([department.pk]))
    return {"department": department, "campaign": campaign, "rows": rows, "findings": findings, "now": now,
            "can_report": perms.is_department_editor(user, department)}


def _done_at(deliverable, organisation_id):
    from .campaigns_status import url_of

    return url_of(deliverable, organisation_id)


@login_required
def checklist(request):
    perms.require(request.user, rollout_perms.can_view_checklist(request.user), who=perms.Actor.DEPARTMENT)
    context = checklist_for(request.user)
    return render(request, "rollout/campaigns/checklist.html", {"checklist": context, "form": ReportForm()})


@login_required
@require_POST
def finding_report(request, finding_id: int):
    perms.require(request.user, rollout_perms.can_view_checklist(request.user), who=perms.Actor.DEPARTMENT)
    finding = perms.get_visible_or_404(
        request.user, rollout_perms.findings_visible_to(request.user).select_related("target__organisation", "target__spot_check"),
        pk=finding_id)
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what was done."))
        return redirect("campaigns:checklist")
    try:
        checks_services.finding_report(actor=request.user, finding=finding, report=form.cleaned_data["report"])
    except (DomainError, ValidationError) as error:
        messages.error(request, " ".join(error.messages) if isinstance(error, ValidationError) else str(error))
    else:
        messages.success(request, _("Reported to the office."))
    return redirect("campaigns:checklist")


