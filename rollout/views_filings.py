"""Pages for plans, working teams, phase summaries and the office's list of open problems.
Every object is found through the ``*_visible_to`` scoping (404 outside scope, on record);
every write goes through one service."""

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions as perms
from audit.models import AuditAction
from audit.services import event_record
from organisations.models import Organisation, OrganisationKind
from toolkit.errors import DomainError
from toolkit.files import file_response

from . import permissions_filings as filing_perms
from . import selectors_filings as selectors
from . import services_filings as services
from .diff_plans import plan_diff
from .forms_filings import AnswerForm, CommentForm, MemberForm, PlanEditForm, SummaryForm
from .models import FilingStatus, ImplementationPlan, Phase, PhaseSummary, PlanForm, PlanRevision, SummaryProblem
from .workflow_filings import PLAN, SUMMARY, PlanTransition, SummaryTransition, is_receiving_office

_PLAN_RELATED = ("organisation", "campaign__jurisdiction")


def _require_view(request):
    perms.require(request.user, filing_perms.can_view_filings(request.user))


def _plan(request, pk) -> ImplementationPlan:
    _require_view(request)
    visible = filing_perms.plans_visible_to(request.user).select_related(*_PLAN_RELATED)
    return perms.get_visible_or_404(request.user, visible, pk=pk)


def _organisation(request, pk) -> Organisation:
    _require_view(request)
    return perms.get_visible_or_404(request.user, filing_perms.filers_visible_to(request.user), pk=pk)


def _filed_for(user) -> list[Organisation]:
    """The organisations the user files for: a department editor's own department; a county
    office's county with its townships and street offices."""
    own = perms.department_of(user)
    if own is not None:
        return [own] if filing_perms.can_file_for(user, own) else []
    government = perms.jurisdiction_of(user)
    if government is None or not perms.is_legal_affairs_office(user):
        return []
    candidates = Organisation.objects.filter(
        path__startswith=government.path, kind__in=[OrganisationKind.COUNTY, OrganisationKind.TOWNSHIP, OrganisationKind.STREET],
        is_active=True,
    ).order_by("path")
    return [o for o in candidates if filing_perms.can_file_for(user, o)]


# -- Plans ----------------------------------------------------------------------------------------


@login_required
def plan_list(request):
    _require_view(request)
    plans = filing_perms.plans_visible_to(request.user).select_related(*_PLAN_RELATED).order_by("organisation__path", "-campaign__year")
    status = request.GET.get("status", "")
    if status in FilingStatus.values:
        plans = plans.filter(status=status)
    queue = request.GET.get("queue", "")
    if queue == "to_decide":
        plans = [p for p in plans.filter(status=FilingStatus.FILED) if is_receiving_office(request.user, p.organisation)]
    search = request.GET.get("q", "").strip()
    if search and not isinstance(plans, list):
        plans = plans.filter(organisation__name__icontains=search)
    page = Paginator(plans, 50).get_page(request.GET.get("page"))
    filers = _filed_for(request.user)
    own_plans = {
        p.organisation_id: p
        for p in ImplementationPlan.objects.filter(organisation__in=filers).select_related("campaign").order_by("campaign__year")
    }
    return render(request, "rollout/plans/plan_list.html", {
        "page": page, "status": status, "statuses": FilingStatus.choices, "queue": queue, "q": search,
        "filers": [(o, own_plans.get(o.pk), selectors.current_campaign_for(o)) for o in filers],
    })


@login_required
def plan_mine(request):
    """The home page's link: the editor's plan for the current campaign, or the page to open it."""
    _require_view(request)
    filers = _filed_for(request.user)
    if len(filers) != 1:
        return redirect("filings:plan_list")
    organisation = filers[0]
    campaign = selectors.current_campaign_for(organisation)
    plan = ImplementationPlan.objects.filter(organisation=organisation, campaign=campaign).first() if campaign else None
    if plan is not None:
        return redirect("filings:plan_detail", pk=plan.pk)
    return redirect("filings:plan_list")


@login_required
@require_POST
def plan_open(request, organisation_id: int):
    organisation = _organisation(request, organisation_id)
    perms.require(request.user, filing_perms.can_file_for(request.user, organisation), obj=organisation,
                  who=perms.Actor.DEPARTMENT_EDITOR)
    campaign = selectors.current_campaign_for(organisation)
    if campaign is None:
        messages.error(request, _("No campaign is open for %(name)s yet.") % {"name": organisation.name})
        return redirect("filings:plan_list")
    try:
        plan = services.plan_open(actor=request.user, organisation=organisation, campaign=campaign)
    except (DomainError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("filings:plan_list")
    return redirect("filings:plan_edit", pk=plan.pk)


def _team_context(organisation):
    team = selectors.team_of(organisation)
    return {"team": team, "members": selectors.members_of(team)}


@login_required
def plan_detail(request, pk: int):
    plan = _plan(request, pk)
    revisions = list(selectors.revisions_of(plan))
    current = revisions[0] if revisions else None
    shown = current
    wanted = request.GET.get("revision")
    if wanted:
        shown = next((r for r in revisions if str(r.number) == wanted), current)
    actions = [(name, PLAN.transitions(name).label) for name in PLAN.available(request.user, plan)]
    return render(request, "rollout/plans/plan_detail.html", {
        "plan": plan, "revision": shown, "revisions": revisions, "actions": actions,
        "can_edit": filing_perms.can_edit_plan(request.user, plan),
        "events": plan.events.select_related("actor"),
        "parts": [(label, getattr(shown, name)) for name, label in services.PLAN_PARTS] if shown else [],
        "shows_parts": plan.form in (PlanForm.OWN, PlanForm.BOTH),
        "shows_superior": plan.form in (PlanForm.SUPERIOR, PlanForm.BOTH),
        "comment_form": CommentForm(),
        "can_manage_team": filing_perms.can_manage_team(request.user, plan.organisation),
        **_team_context(plan.organisation),
    })


@login_required
def plan_edit(request, pk: int):
    plan = _plan(request, pk)
    perms.require(request.user, filing_perms.can_edit_plan(request.user, plan), obj=plan, who=perms.Actor.DEPARTMENT_EDITOR)
    revision = selectors.latest_revision(plan)
    candidates = list(selectors.covered_candidates(plan.organisation))
    form = PlanEditForm(request.POST or None, request.FILES or None, plan=plan, candidates=candidates,
                        initial=PlanEditForm.initial_for(revision))
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_save(actor=request.user, plan=plan, data=form.plan_data())
        except ValidationError as error:
            _add_errors(form, error)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Plan saved. File it with the office when it is ready."))
            return redirect("filings:plan_detail", pk=plan.pk)
    return render(request, "rollout/plans/plan_form.html", {
        "plan": plan, "form": form, "revision": revision, **_team_context(plan.organisation),
    })


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@login_required
@require_POST
def plan_transition(request, pk: int, name: str):
    plan = _plan(request, pk)
    service = services.PLAN_SERVICES.get(name)
    if service is None:
        raise Http404
    perms.require(request.user, filing_perms.can_transition_plan(request.user, plan, name), obj=plan,
                  who=perms.Actor.OFFICE if name in (PlanTransition.ACKNOWLEDGE, PlanTransition.RETURN) else perms.Actor.DEPARTMENT_EDITOR)
    kwargs = {"comment": request.POST.get("comment", "")} if name in (PlanTransition.ACKNOWLEDGE, PlanTransition.RETURN) else {}
    try:
        service(actor=request.user, plan=plan, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": PLAN.transitions(name).label})
        if name == PlanTransition.REOPEN:
            return redirect("filings:plan_edit", pk=plan.pk)
    return redirect("filings:plan_detail", pk=plan.pk)


@login_required
def plan_compare(request, pk: int):
    plan = _plan(request, pk)
    revisions = list(plan.revisions.prefetch_related("covered").order_by("-number"))
    by_number = {str(r.number): r for r in revisions}
    old = by_number.get(request.GET.get("old", ""))
    new = by_number.get(request.GET.get("new", ""))
    if old is None and new is None and len(revisions) >= 2:
        new, old = revisions[0], revisions[1]
    diff = plan_diff(old, new) if old is not None and new is not None else None
    return render(request, "rollout/plans/plan_diff.html", {"plan": plan, "revisions": revisions, "diff": diff, "old": old, "new": new})


@login_required
def plan_document(request, pk: int, number: int, which: str):
    plan = _plan(request, pk)
    revision = PlanRevision.objects.filter(plan=plan, number=number).first()
    if revision is None or which not in ("plan", "superior"):
        raise Http404
    stored = revision.document if which == "plan" else revision.superior_document
    name = revision.document_name if which == "plan" else revision.superior_document_name
    return _document_response(request.user, plan, stored, name, f"{plan.organisation.name}-{which}-r{revision.number}")


def _document_response(actor, obj, stored, name: str, fallback_title: str) -> HttpResponse:
    """A filing's attachment, on record as an export, under the name it was uploaded with."""
    if not stored:
        raise Http404
    event_record(action=AuditAction.EXPORT, actor=actor, obj=obj, detail={"document": stored.name})
    return file_response(stored, filename=name or f"{fallback_title.replace('/', '_')}{PurePath(stored.name).suffix}")


# -- Leading group and working body -----------------------------------------------------------------


@login_required
def team_detail(request, organisation_id: int):
    organisation = _organisation(request, organisation_id)
    context = _team_context(organisation)
    return render(request, "rollout/teams/team_detail.html", {
        "organisation": organisation, **context,
        "changes": selectors.team_changes(context["team"]),
        "can_manage": filing_perms.can_manage_team(request.user, organisation),
    })


@login_required
def member_edit(request, organisation_id: int, member_id: int | None = None):
    organisation = _organisation(request, organisation_id)
    perms.require(request.user, filing_perms.can_manage_team(request.user, organisation), obj=organisation,
                  who=perms.Actor.DEPARTMENT_EDITOR)
    member = None
    if member_id is not None:
        member = perms.get_visible_or_404(
            request.user, filing_perms.team_members_visible_to(request.user).filter(team__organisation=organisation), pk=member_id
        )
    form = MemberForm(request.POST or None, initial=MemberForm.initial_for(member) if member else None)
    if request.method == "POST" and form.is_valid():
        try:
            if member is None:
                services.team_member_add(actor=request.user, organisation=organisation, data=form.member_data())
            else:
                services.team_member_update(actor=request.user, member=member, data=form.member_data())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Team member saved."))
            return redirect("filings:team_detail", organisation_id=organisation.pk)
    return render(request, "rollout/teams/member_form.html", {"organisation": organisation, "member": member, "form": form})


@login_required
@require_POST
def member_remove(request, organisation_id: int, member_id: int):
    organisation = _organisation(request, organisation_id)
    member = perms.get_visible_or_404(
        request.user, filing_perms.team_members_visible_to(request.user).filter(team__organisation=organisation), pk=member_id
    )
    services.team_member_remove(actor=request.user, member=member)
    messages.success(request, _("Team member removed."))
    return redirect("filings:team_detail", organisation_id=organisation.pk)


# -- Phase summaries --------------------------------------------------------------------------------


def _summary(request, pk) -> PhaseSummary:
    _require_view(request)
    visible = filing_perms.summaries_visible_to(request.user).select_related("organisation", "phase__campaign__jurisdiction")
    return perms.get_visible_or_404(request.user, visible, pk=pk)


@login_required
def summary_list(request):
    _require_view(request)
    summaries = filing_perms.summaries_visible_to(request.user).select_related(
        "organisation", "phase__campaign"
    ).prefetch_related(Prefetch("problems", queryset=SummaryProblem.objects.filter(raised_at__isnull=False))).order_by(
        "-phase__campaign__year", "phase__number", "organisation__path"
    )
    status = request.GET.get("status", "")
    if status in FilingStatus.values:
        summaries = summaries.filter(status=status)
    queue = request.GET.get("queue", "")
    if queue == "to_decide":
        summaries = [s for s in summaries.filter(status=FilingStatus.FILED) if is_receiving_office(request.user, s.organisation)]
    page = Paginator(summaries, 50).get_page(request.GET.get("page"))
    filers = _filed_for(request.user)
    existing = {(s.organisation_id, s.phase_id): s for s in PhaseSummary.objects.filter(organisation__in=filers)}
    to_write = []
    for organisation in filers:
        for phase in selectors.phases_for(organisation):
            to_write.append((organisation, phase, existing.get((organisation.pk, phase.pk))))
    return render(request, "rollout/summaries/summary_list.html", {
        "page": page, "status": status, "statuses": FilingStatus.choices, "queue": queue, "to_write": to_write,
    })


@login_required
def summary_edit(request, organisation_id: int, phase_id: int):
    """Write (or rewrite, while a draft or returned) an organisation's summary of a phase."""
    organisation = _organisation(request, organisation_id)
    perms.require(request.user, filing_perms.can_file_for(request.user, organisation), obj=organisation,
                  who=perms.Actor.DEPARTMENT_EDITOR)
    phase = Phase.objects.select_related("campaign__jurisdiction").filter(pk=phase_id).first()
    if phase is None:
        raise Http404
    summary = PhaseSummary.objects.filter(organisation=organisation, phase=phase).first()
    if summary is not None and not filing_perms.can_edit_summary(request.user, summary):
        return redirect("filings:summary_detail", pk=summary.pk)
    initial = {}
    if summary is not None:
        initial = {"text": summary.text,
                   "problems": "\n".join(summary.problems.filter(raised_at__isnull=True).values_list("text", flat=True))}
    form = SummaryForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            summary = services.summary_save(actor=request.user, organisation=organisation, phase=phase, data=form.summary_data())
        except ValidationError as error:
            _add_errors(form, error)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Summary saved. Submit it to the office when it is ready."))
            return redirect("filings:summary_detail", pk=summary.pk)
    return render(request, "rollout/summaries/summary_form.html", {
        "organisation": organisation, "phase": phase, "summary": summary, "form": form,
        "raised": summary.problems.filter(raised_at__isnull=False) if summary else [],
    })


@login_required
def summary_detail(request, pk: int):
    summary = _summary(request, pk)
    actions = [(name, SUMMARY.transitions(name).label) for name in SUMMARY.available(request.user, summary)]
    return render(request, "rollout/summaries/summary_detail.html", {
        "summary": summary, "actions": actions, "events": summary.events.select_related("actor"),
        "problems": summary.problems.select_related("answered_by").order_by("id"),
        "can_edit": filing_perms.can_edit_summary(request.user, summary),
        "can_answer": is_receiving_office(request.user, summary.organisation), "answer_form": AnswerForm(),
    })


@login_required
@require_POST
def summary_transition(request, pk: int, name: str):
    summary = _summary(request, pk)
    service = services.SUMMARY_SERVICES.get(name)
    if service is None:
        raise Http404
    deciding = name in (SummaryTransition.ACCEPT, SummaryTransition.RETURN)
    perms.require(request.user, filing_perms.can_transition_summary(request.user, summary, name), obj=summary,
                  who=perms.Actor.OFFICE if deciding else perms.Actor.DEPARTMENT_EDITOR)
    kwargs = {"comment": request.POST.get("comment", "")} if deciding else {}
    try:
        service(actor=request.user, summary=summary, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": SUMMARY.transitions(name).label})
    return redirect("filings:summary_detail", pk=summary.pk)


@login_required
def summary_document(request, pk: int):
    summary = _summary(request, pk)
    return _document_response(request.user, summary, summary.document, summary.document_name,
                              f"{summary.organisation.name}-{summary.phase.number}")


# -- Problems -----------------------------------------------------------------------------------


@login_required
def problem_list(request):
    perms.require(request.user, filing_perms.can_view_problem_queue(request.user), who=perms.Actor.OFFICE)
    order = request.GET.get("order", "age")
    if order not in selectors.PROBLEM_ORDERS:
        order = "age"
    rows = selectors.open_problems(request.user, order)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "rollout/summaries/problem_list.html", {"page": page, "order": order, "answer_form": AnswerForm()})


@login_required
@require_POST
def problem_answer(request, pk: int):
    _require_view(request)
    problem = perms.get_visible_or_404(
        request.user, filing_perms.problems_visible_to(request.user).select_related("summary__organisation"), pk=pk
    )
    perms.require(request.user, filing_perms.can_answer_problem(request.user, problem), obj=problem, who=perms.Actor.OFFICE)
    try:
        services.problem_answer(actor=request.user, problem=problem, answer=request.POST.get("answer", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Problem answered."))
    target = request.POST.get("next", "")
    if target == "summary":
        return redirect("filings:summary_detail", pk=problem.summary_id)
    return redirect(reverse("filings:problem_list"))
