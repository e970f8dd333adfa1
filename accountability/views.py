"""Back-office pages of accountability: the case list, a case with its timeline and the forms of
each step, the decision and appeal forms, commendations, suggestions and the appeal setting.

Every page reads cases through ``cases_visible_to`` (404 outside the user's scope), every view
of a case is put on the audit trail, and every write is one service call."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from accounts import permissions as perms
from audit.models import AuditAction
from audit.services import event_record
from authority.models import Officer, PowerItem
from toolkit.errors import DomainError
from toolkit.files import file_response
from workflow.review import ReviewStatus

from . import permissions as acc_perms
from . import selectors, services
from .forms import (
    AppealDecisionForm,
    AppealForm,
    CaseOpenForm,
    CommendationForm,
    DecisionForm,
    EvidenceForm,
    ExtendForm,
    MeasureForm,
    PersonForm,
    ReasonForm,
    RectificationForm,
    ReferralForm,
    RemedySettingForm,
    ReplyForm,
)
from .models import (
    Appeal, Case, CasePerson, CaseStatus, Evidence, Measure, MeasureKind, MeasureStatus, Referral, SuggestionRun, SuggestionStatus,
)
from .suggestions import figure_rows
from .workflow import CASES, CaseTransition


def _visible_case(request, pk) -> Case:
    perms.require(request.user, acc_perms.can_view_cases(request.user))
    return perms.get_visible_or_404(request.user, acc_perms.cases_visible_to(request.user).select_related("department", "government"), pk=pk)


def _handled_case(request, pk) -> Case:
    case = _visible_case(request, pk)
    perms.require(request.user, acc_perms.can_handle_case(request.user, case), obj=case, who=perms.Actor.OFFICE)
    return case


def _attempt(request, form, call) -> bool:
    """Run a service; a refusal becomes the form's error (nothing saved)."""
    try:
        call()
    except DomainError as error:
        form.add_error(None, str(error))
        return False
    return True


def _refused(request, case, form):
    for error in form.errors.get("__all__", []):
        messages.error(request, error)
    for name, errors in form.errors.items():
        if name != "__all__":
            for error in errors:
                label = form.fields[name].label if name in form.fields else name
                messages.error(request, f"{label}: {error}")
    return redirect("accountability:case_detail", case.pk)


# -- The list ---------------------------------------------------------------------------------


@login_required
def case_list(request):
    user = request.user
    perms.require(user, acc_perms.can_view_cases(user))
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    overdue = request.GET.get("overdue") == "1"
    cases = selectors.cases_list(acc_perms.cases_visible_to(user), query=query, status=status, overdue=overdue)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    page.object_list = selectors.with_person_counts(page.object_list)
    statuses = [("open", pgettext("cases not yet closed", "Open"))] + list(CaseStatus.choices)
    return render(request, "accountability/case_list.html", {
        "page": page, "q": query, "status": status, "overdue": overdue, "statuses": statuses,
        "can_open": acc_perms.can_open_cases(user),
    })


@login_required
def case_create(request):
    user = request.user
    perms.require(user, acc_perms.can_open_cases(user), who=perms.Actor.OFFICE)
    government = perms.jurisdiction_of(user)
    departments = perms.departments_in_scope(user).filter(jurisdiction=government).order_by("path")
    form = CaseOpenForm(request.POST or None, departments=departments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        power = None
        if data["power_code"]:
            power = (
                PowerItem.objects.filter(breakdown__department=data["department"], breakdown__status=ReviewStatus.PUBLISHED,
                                         code=data["power_code"].strip()).first()
            )
            if power is None:
                form.add_error("power_code", _("No power item with this code in the department's published breakdown."))
        if not form.errors:
            created = {}

            def run():
                created["case"] = services.case_open(
                    actor=user, department=data["department"], source_kind=data["source_kind"], source_text=data["source_text"],
                    act=data["act"], act_date=data["act_date"], power=power,
                    provisions=list(power.provisions.all()) if power else (), register=data["register"],
                )

            if _attempt(request, form, run):
                messages.success(request, _("Case %(number)s opened.") % {"number": created["case"].number})
                return redirect("accountability:case_detail", created["case"].pk)
    return render(request, "accountability/case_form.html", {"form": form})


# -- The case page ----------------------------------------------------------------------------


@login_required
def case_detail(request, pk: int):
    user = request.user
    case = _visible_case(request, pk)
    event_record(action=AuditAction.EXPORT, actor=user, obj=case, message="case viewed", detail={"read": "case_page"})
    handles = acc_perms.can_handle_case(user, case)
    persons = list(case.persons.select_related("officer").order_by("id"))
    measures = list(case.measures.select_related("person", "certificate", "placement__post").order_by("id"))
    history = selectors.case_history(case)
    events = case.events.select_related("actor").order_by("occurred_at", "id")
    available = [t for t in CASES.available(user, case)]
    context = {
        "case": case, "persons": persons, "measures": measures, "history": history, "events": events,
        "evidence": case.evidence.order_by("uploaded_at"), "referrals": case.referrals.order_by("sent_on", "id"),
        "appeals": case.appeals.order_by("filed_on", "id"), "handles": handles,
        "simple_transitions": [(t, CaseTransition(t).label) for t in available if t in services.TRANSITION_SERVICES],
        "reasoned_transitions": [(t, CaseTransition(t).label) for t in available if t in services.REASONED_SERVICES],
        "can_decide": CaseTransition.DECIDE in available,
        "can_appeal": CaseTransition.APPEAL in available,
        "overdue": case.is_overdue(),
        "provisions": case.provisions.select_related("instrument"),
    }
    if handles:
        editable = case.status in services.EDITABLE
        context.update({
            "person_form": PersonForm(officers=Officer.objects.filter(department=case.department, is_active=True)) if editable else None,
            "measure_form": MeasureForm(persons=case.persons.all()) if case.status == CaseStatus.INVESTIGATING else None,
            "evidence_form": EvidenceForm() if case.status in (*services.EDITABLE, CaseStatus.PROPOSED, CaseStatus.APPEALED) else None,
            "referral_form": ReferralForm() if case.status in (CaseStatus.INVESTIGATING, CaseStatus.PROPOSED, CaseStatus.DECIDED, CaseStatus.NOTIFIED, CaseStatus.APPEALED) else None,
            "extend_form": ExtendForm() if case.status in services.EDITABLE + (CaseStatus.PROPOSED,) and case.extended_on is None else None,
            "reason_form": ReasonForm(),
            "reply_form": ReplyForm(),
            "rectification_form": RectificationForm(),
        })
        open_appeal = case.appeals.filter(outcome="").first()
        if open_appeal is not None and case.status == CaseStatus.APPEALED:
            context["open_appeal"] = open_appeal
            context["appeal_decision_form"] = AppealDecisionForm(measures=case.measures.filter(status=MeasureStatus.IN_FORCE))
    return render(request, "accountability/case_detail.html", context)


@login_required
@require_POST
def case_transition(request, pk: int, name: str):
    case = _visible_case(request, pk)
    if name in services.TRANSITION_SERVICES:
        form = ReasonForm()
        service = services.TRANSITION_SERVICES[name]
        call = lambda: service(actor=request.user, case=case)  # noqa: E731
    elif name in services.REASONED_SERVICES:
        form = ReasonForm(request.POST)
        if not form.is_valid():
            return _refused(request, case, form)
        service = services.REASONED_SERVICES[name]
        call = lambda: service(actor=request.user, case=case, reason=form.cleaned_data["reason"])  # noqa: E731
    else:
        raise Http404
    if _attempt(request, form, call):
        messages.success(request, _("Done: %(action)s.") % {"action": CaseTransition(name).label})
        return redirect("accountability:case_detail", case.pk)
    return _refused(request, case, form)


def _case_post(form_class, run, success, **form_kwargs):
    """A POST on a case's page: parse the form, call the service, back to the case."""

    @login_required
    @require_POST
    def view(request, pk: int):
        case = _handled_case(request, pk)
        kwargs = {key: make(case) for key, make in form_kwargs.items()}
        form = form_class(request.POST, request.FILES, **kwargs)
        if form.is_valid() and _attempt(request, form, lambda: run(request.user, case, form.cleaned_data)):
            messages.success(request, success)
            return redirect("accountability:case_detail", case.pk)
        return _refused(request, case, form)

    return view


case_extend = _case_post(
    ExtendForm, lambda user, case, d: services.case_extend(actor=user, case=case, reason=d["reason"], approved_by=d["approved_by"]),
    success=_("Deadline extended."),
)
person_add = _case_post(
    PersonForm,
    lambda user, case, d: services.person_add(actor=user, case=case, officer=d["officer"], name=d["name"], part=d["part"],
                                              responsibility=d["responsibility"], grounds=d["grounds"]),
    success=_("Person added."), officers=lambda case: Officer.objects.filter(department=case.department),
)
measure_add = _case_post(
    MeasureForm,
    lambda user, case, d: services.measure_propose(actor=user, case=case, kind=d["kind"], person=d["person"], until=d["until"], note=d["note"]),
    success=_("Measure proposed."), persons=lambda case: case.persons.all(),
)
evidence_add = _case_post(
    EvidenceForm, lambda user, case, d: services.evidence_add(actor=user, case=case, title=d["title"], upload=d["file"]),
    success=_("Evidence attached."),
)
referral_add = _case_post(
    ReferralForm,
    lambda user, case, d: services.referral_add(actor=user, case=case, organ_kind=d["organ_kind"], organ_name=d["organ_name"],
                                                recommendation=d["recommendation"]),
    success=_("Referral recorded."),
)


def _child_post(model, lookup, form_class, run, success):
    """A POST on a record of a case (a person, a measure, a referral)."""

    @login_required
    @require_POST
    def view(request, pk: int, child: int):
        case = _handled_case(request, pk)
        obj = perms.get_visible_or_404(request.user, model.objects.filter(**{lookup: case}), pk=child)
        form = form_class(request.POST) if form_class else ReasonForm()
        if (form_class is None or form.is_valid()) and _attempt(request, form, lambda: run(request.user, obj, getattr(form, "cleaned_data", {}))):
            messages.success(request, success)
            return redirect("accountability:case_detail", case.pk)
        return _refused(request, case, form)

    return view


person_remove = _child_post(CasePerson, "case", None, lambda user, o, d: services.person_remove(actor=user, person=o), _("Person removed."))
measure_remove = _child_post(Measure, "case", None, lambda user, o, d: services.measure_remove(actor=user, measure=o), _("Measure removed."))
measure_reinstate = _child_post(Measure, "case", None, lambda user, o, d: services.measure_reinstate_after_training(actor=user, measure=o),
                                _("Certificate reinstated."))
rectification_complete = _child_post(Measure, "case", RectificationForm,
                                     lambda user, o, d: services.rectification_complete(actor=user, measure=o, report=d["report"]),
                                     _("Rectification recorded as completed."))
referral_reply = _child_post(Referral, "case", ReplyForm,
                             lambda user, o, d: services.referral_reply(actor=user, referral=o, reply=d["reply"], replied_on=d["replied_on"]),
                             _("Reply recorded."))


@login_required
def evidence_download(request, pk: int, child: int):
    case = _visible_case(request, pk)
    evidence = perms.get_visible_or_404(request.user, Evidence.objects.filter(case=case), pk=child)
    event_record(action=AuditAction.EXPORT, actor=request.user, obj=evidence, detail={"case": case.pk, "file": evidence.original_name})
    return file_response(evidence.file, filename=evidence.original_name)


@login_required
def case_decide(request, pk: int):
    case = _handled_case(request, pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _attempt(request, form, lambda: services.case_decide(
            actor=request.user, case=case, grounds=d["grounds"], mitigating=d["mitigating"], mitigating_note=d["mitigating_note"],
            publish=d["publish"], published_summary=d["published_summary"],
        )):
            messages.success(request, _("Decision recorded; its measures are in force."))
            return redirect("accountability:case_detail", case.pk)
    measures = case.measures.select_related("person", "certificate", "placement__post").order_by("id")
    return render(request, "accountability/decision_form.html", {
        "case": case, "form": form, "measures": measures, "history": selectors.case_history(case),
    })


@login_required
def case_appeal(request, pk: int):
    case = _visible_case(request, pk)
    perms.require(request.user, acc_perms.can_lodge_appeal(request.user, case), obj=case, who=perms.Actor.OFFICE)
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _attempt(request, form, lambda: services.appeal_lodge(
            actor=request.user, case=case, kind=d["kind"], appellant=d["appellant"], grounds=d["grounds"], filed_on=d["filed_on"],
        )):
            messages.success(request, _("Appeal lodged."))
            return redirect("accountability:case_detail", case.pk)
    return render(request, "accountability/appeal_form.html", {
        "case": case, "form": form, "remedy": services.remedy_for(case.government),
    })


@login_required
@require_POST
def appeal_decide(request, pk: int, child: int):
    case = _handled_case(request, pk)
    appeal = perms.get_visible_or_404(request.user, Appeal.objects.filter(case=case), pk=child)
    form = AppealDecisionForm(request.POST, measures=case.measures.filter(status=MeasureStatus.IN_FORCE))
    if form.is_valid() and _attempt(request, form, lambda: services.appeal_decide(
        actor=request.user, appeal=appeal, outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"],
        revoke=list(form.cleaned_data["revoke"]),
    )):
        messages.success(request, _("Appeal decided; the case is closed."))
        return redirect("accountability:case_detail", case.pk)
    return _refused(request, case, form)


# -- Commendations, suggestions, settings -----------------------------------------------------


@login_required
def commendation_list(request):
    user = request.user
    perms.require(user, acc_perms.can_manage_commendations(user), who=perms.Actor.OFFICE)
    government = perms.jurisdiction_of(user)
    departments = perms.departments_in_scope(user).filter(jurisdiction=government).order_by("path")
    form = CommendationForm(request.POST or None, departments=departments)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _attempt(request, form, lambda: services.commendation_propose(
            actor=user, department=d["department"], officer=d["officer"], year=d["year"], title=d["title"], citation=d["citation"],
        )):
            messages.success(request, _("Commendation proposed."))
            return redirect("accountability:commendation_list")
    items = acc_perms.commendations_visible_to(user).select_related("department", "officer")
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    # The excellent departments the latest appraisal runs did not propose, and why.
    runs = [run for run in SuggestionRun.objects.filter(government=government).select_related("appraisal_round__scheme")[:3] if run.skipped]
    return render(request, "accountability/commendation_list.html", {"page": page, "form": form, "runs": runs})


@login_required
@require_POST
def commendation_action(request, pk: int, action: str):
    user = request.user
    perms.require(user, acc_perms.can_manage_commendations(user), who=perms.Actor.OFFICE)
    commendation = perms.get_visible_or_404(user, acc_perms.commendations_visible_to(user), pk=pk)
    note = request.POST.get("note", "")
    calls = {
        "approve": lambda: services.commendation_decide(actor=user, commendation=commendation, approve=True, note=note),
        "reject": lambda: services.commendation_decide(actor=user, commendation=commendation, approve=False, note=note),
        "publish": lambda: services.commendation_publish(actor=user, commendation=commendation),
    }
    if action not in calls:
        raise Http404
    try:
        calls[action]()
        messages.success(request, _("Commendation updated."))
    except DomainError as error:
        messages.error(request, str(error))
    return redirect("accountability:commendation_list")


@login_required
def suggestion_list(request):
    user = request.user
    perms.require(user, acc_perms.can_open_cases(user), who=perms.Actor.OFFICE)
    items = acc_perms.suggestions_visible_to(user).select_related("department", "officer", "case")
    status = request.GET.get("status", SuggestionStatus.PROPOSED)
    if status in SuggestionStatus.values:
        items = items.filter(status=status)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    for suggestion in page.object_list:
        suggestion.figure_rows = figure_rows(suggestion)
        suggestion.options = [(m, MeasureKind(m).label) for m in suggestion.measure_options if m in MeasureKind.values]
    runs = SuggestionRun.objects.filter(government=perms.jurisdiction_of(user)).select_related("appraisal_round__scheme")[:5]
    return render(request, "accountability/suggestion_list.html", {
        "page": page, "status": status, "statuses": SuggestionStatus.choices, "runs": runs,
    })


@login_required
@require_POST
def suggestion_action(request, pk: int, action: str):
    user = request.user
    perms.require(user, acc_perms.can_open_cases(user), who=perms.Actor.OFFICE)
    suggestion = perms.get_visible_or_404(user, acc_perms.suggestions_visible_to(user), pk=pk)
    try:
        if action == "accept":
            case = services.suggestion_accept(actor=user, suggestion=suggestion, measure=request.POST.get("measure", ""))
            messages.success(request, _("Case %(number)s opened and registered.") % {"number": case.number})
            return redirect("accountability:case_detail", case.pk)
        if action == "dismiss":
            services.suggestion_dismiss(actor=user, suggestion=suggestion, reason=request.POST.get("reason", ""))
            messages.success(request, _("Suggestion dismissed."))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, str(error))
    return redirect("accountability:suggestion_list")


@login_required
def remedy_setting(request):
    user = request.user
    perms.require(user, acc_perms.can_manage_commendations(user), who=perms.Actor.OFFICE)
    government = perms.jurisdiction_of(user)
    current = services.remedy_for(government)
    form = RemedySettingForm(request.POST or None, initial={
        "appeal_body": current.appeal_body, "period_days": current.period_days, "channel": current.channel,
    })
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _attempt(request, form, lambda: services.remedy_setting_save(
            actor=user, government=government, appeal_body=d["appeal_body"], period_days=d["period_days"], channel=d["channel"],
        )):
            messages.success(request, _("Appeal setting saved."))
            return redirect("accountability:remedy_setting")
    return render(request, "accountability/remedy_setting.html", {"form": form, "government": government})

