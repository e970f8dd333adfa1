"""Back-office pages of appraisal: schemes, rounds with their results, drill-down, objections
and outputs. Case-file review, outcomes and ratings are in ``views_records``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions as perms
from audit.models import AuditAction
from audit.services import event_record
from toolkit.files import file_response

from . import outputs, selectors, services
from . import permissions as appraisal_perms
from .forms import GroupForm
from .forms import AnswerForm, IndicatorFormSet, ManualScoreForm, ObjectionForm, RoundStartForm, SchemeCreateForm, SchemeSettingsForm
from .indicators import SOURCES, REVERSAL_RULE
from .models import IndicatorScore, ManualScore, Objection, ObjectionStatus, Round, RoundStatus, Scheme, Target
from .scoring import departments_of
from .services import AppraisalError


RESULTS_PAGE = 100


def _view_check(request):
    perms.require(request.user, appraisal_perms.can_view_appraisal(request.user))


def _scheme(request, pk) -> Scheme:
    _view_check(request)
    return perms.get_visible_or_404(request.user, appraisal_perms.schemes_visible_to(request.user).select_related("jurisdiction"), pk=pk)


def _round(request, pk) -> Round:
    _view_check(request)
    return perms.get_visible_or_404(request.user, appraisal_perms.rounds_visible_to(request.user).select_related("scheme__jurisdiction"), pk=pk)


def _refused(request, error):
    messages.error(request, str(error))


@login_required
def index(request):
    _view_check(request)
    user = request.user
    schemes = selectors.schemes_list(appraisal_perms.schemes_visible_to(user))
    jurisdiction = appraisal_perms.office_jurisdiction(user)
    form = SchemeCreateForm(request.POST or None)
    if request.method == "POST":
        perms.require(user, jurisdiction is not None, who=perms.Actor.OFFICE)
        if form.is_valid():
            try:
                scheme = services.scheme_create(actor=user, jurisdiction=jurisdiction, **form.cleaned_data)
            except AppraisalError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Scheme created from the reference indicators; adjust it before starting a round."))
                return redirect("appraisal:scheme_detail", scheme.pk)
    return render(request, "appraisal/scheme_list.html", {"schemes": schemes, "form": form, "can_create": jurisdiction is not None})


@login_required
def scheme_detail(request, pk):
    scheme = _scheme(request, pk)
    can_manage = appraisal_perms.can_manage_appraisal(request.user, scheme.jurisdiction)
    rounds = appraisal_perms.rounds_visible_to(request.user).filter(scheme=scheme)
    indicators = list(scheme.indicators.all())
    for indicator in indicators:
        indicator.source_label = SOURCES[indicator.source].label if indicator.source in SOURCES else indicator.source
    return render(request, "appraisal/scheme_detail.html", {
        "scheme": scheme, "can_manage": can_manage, "rounds": rounds, "frozen": scheme.is_frozen,
        "department_indicators": [i for i in indicators if i.target == Target.DEPARTMENT],
        "officer_indicators": [i for i in indicators if i.target == Target.OFFICER],
        "round_form": RoundStartForm(), "groups": scheme.groups.prefetch_related("departments"),
        "group_form": GroupForm(departments=departments_of(scheme).order_by("path")) if can_manage and not scheme.is_frozen else None,
        "manual_count": ManualScore.objects.filter(indicator__scheme=scheme).count(),
        "has_manual": any(SOURCES[i.source].manual for i in indicators if i.source in SOURCES),
    })


def _indicator_initial(scheme):
    import json

    return [dict(code=i.code, target=i.target, name=i.name, source=i.source, weight=i.weight, rule=i.rule,
                 params=json.dumps(i.params, ensure_ascii=False) if i.params else "") for i in scheme.indicators.all()]


@login_required
def scheme_edit(request, pk):
    scheme = _scheme(request, pk)
    perms.require(request.user, appraisal_perms.can_manage_appraisal(request.user, scheme.jurisdiction), obj=scheme, who=perms.Actor.OFFICE)
    if scheme.is_frozen:
        messages.error(request, _("A round has started on this scheme: it is frozen. Start the next version to change it."))
        return redirect("appraisal:scheme_detail", scheme.pk)
    settings_form = SchemeSettingsForm(request.POST or None, instance=scheme, prefix="s")
    formset = IndicatorFormSet(request.POST or None, initial=None if request.method == "POST" else _indicator_initial(scheme), prefix="i")
    errors = []
    if request.method == "POST" and settings_form.is_valid() and formset.is_valid():
        rows = [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        for row in rows:
            row.pop("DELETE", None)
        fields = {k: v for k, v in settings_form.cleaned_data.items()}
        try:
            services.scheme_update(actor=request.user, scheme=scheme, indicators=rows, **fields)
        except AppraisalError as error:
            errors = str(error).split("\n")
        else:
            messages.success(request, _("Scheme saved."))
            return redirect("appraisal:scheme_detail", scheme.pk)
    return render(request, "appraisal/scheme_form.html", {"scheme": scheme, "settings_form": settings_form, "formset": formset, "errors": errors})


@login_required
@require_POST
def scheme_group(request, pk):
    scheme = _scheme(request, pk)
    form = GroupForm(request.POST, departments=departments_of(scheme))
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            services.scheme_group_create(actor=request.user, scheme=scheme, **form.cleaned_data)
        except AppraisalError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Group created."))
    return redirect("appraisal:scheme_detail", scheme.pk)


@login_required
def manual_score(request, pk):
    scheme = _scheme(request, pk)
    perms.require(request.user, appraisal_perms.can_manage_appraisal(request.user, scheme.jurisdiction), obj=scheme, who=perms.Actor.OFFICE)
    manual_codes = [code for code, source in SOURCES.items() if source.manual]
    indicators = scheme.indicators.filter(source__in=manual_codes)
    departments = departments_of(scheme).order_by("path")
    form = ManualScoreForm(request.POST or None, request.FILES or None, indicators=indicators, departments=departments)
    if request.method == "POST" and form.is_valid():
        try:
            services.manual_score_set(actor=request.user, **form.cleaned_data)
        except AppraisalError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Score saved."))
            return redirect("appraisal:manual_score", scheme.pk)
    scores = ManualScore.objects.filter(indicator__scheme=scheme).select_related("indicator", "department", "entered_by")
    return render(request, "appraisal/manual_score.html", {"scheme": scheme, "form": form, "scores": scores})


@login_required
def manual_evidence(request, pk):
    _view_check(request)
    manual = perms.get_visible_or_404(
        request.user, ManualScore.objects.filter(indicator__scheme__in=appraisal_perms.schemes_visible_to(request.user)), pk=pk
    )
    perms.require(request.user, appraisal_perms.can_manage_appraisal(request.user, manual.department.jurisdiction)
                  or perms.department_of(request.user) == manual.department, obj=manual)
    event_record(action=AuditAction.EXPORT, actor=request.user, obj=manual, message=_("Evidence downloaded"))
    return file_response(manual.attachment, filename=manual.attachment_name)


@login_required
@require_POST
def round_start(request, pk):
    scheme = _scheme(request, pk)
    form = RoundStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the cut-off date."))
        return redirect("appraisal:scheme_detail", scheme.pk)
    try:
        round_ = services.round_start(actor=request.user, scheme=scheme, cut_off=form.cleaned_data["cut_off"])
    except AppraisalError as error:
        _refused(request, error)
        return redirect("appraisal:scheme_detail", scheme.pk)
    messages.success(request, _("Round started: the results are being computed."))
    return redirect("appraisal:round_detail", round_.pk)


@login_required
def round_detail(request, pk):
    round_ = _round(request, pk)
    user = request.user
    can_decide = appraisal_perms.can_decide_round(user, round_)
    visible = selectors.results_table(round_)
    if not can_decide:
        visible = visible.filter(pk__in=appraisal_perms.results_visible_to(user))
    page = Paginator(visible, RESULTS_PAGE).get_page(request.GET.get("page"))
    return render(request, "appraisal/round_detail.html", {
        "round": round_, "scheme": round_.scheme, "results": selectors.with_objection_counts(page.object_list), "page": page, "can_decide": can_decide,
        "officer_grades": selectors.officer_grade_counts(round_) if can_decide or round_.status == RoundStatus.FINALISED else [],
        "open_objections": Objection.objects.filter(result__round=round_, status=ObjectionStatus.OPEN).count(),
        "running": round_.status in (RoundStatus.QUEUED, RoundStatus.COMPUTING),
        "document": getattr(round_, "document", None) if can_decide else None,
        "chart_url": reverse("appraisal:round_chart", args=[round_.pk]) if can_decide else "",
    })


@login_required
def round_chart(request, pk):
    round_ = _round(request, pk)
    perms.require(request.user, appraisal_perms.can_decide_round(request.user, round_), obj=round_, who=perms.Actor.OFFICE)
    response = HttpResponse(outputs.chart_svg(selectors.chart_rows(round_)), content_type="image/svg+xml")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def round_action(request, pk, action):
    round_ = _round(request, pk)
    service = {"rerun": services.round_rerun, "finalise": services.round_finalise, "pdf": services.result_document_request}.get(action)
    if service is None:
        raise Http404
    try:
        service(actor=request.user, round_=round_)
    except AppraisalError as error:
        _refused(request, error)
    else:
        messages.success(request, {"rerun": _("The round is being computed again."), "finalise": _("Results finalised and published."),
                                   "pdf": _("The PDF is being rendered.")}[action])
    return redirect("appraisal:round_detail", round_.pk)


@login_required
def round_export(request, pk):
    round_ = _round(request, pk)
    perms.require(request.user, appraisal_perms.can_decide_round(request.user, round_), obj=round_, who=perms.Actor.OFFICE)
    event_record(action=AuditAction.EXPORT, actor=request.user, obj=round_, message=_("Appraisal results exported"))
    response = HttpResponse(outputs.results_xlsx(round_), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="appraisal-{round_.pk}.xlsx"'
    return response


@login_required
def round_pdf(request, pk):
    round_ = _round(request, pk)
    perms.require(request.user, appraisal_perms.can_decide_round(request.user, round_), obj=round_, who=perms.Actor.OFFICE)
    document = getattr(round_, "document", None)
    if document is None or document.status != "ready":
        raise Http404
    event_record(action=AuditAction.EXPORT, actor=request.user, obj=round_, message=_("Appraisal results PDF downloaded"))
    return file_response(document.file, filename=f"appraisal-{round_.pk}.pdf")


@login_required
def result_detail(request, pk):
    _view_check(request)
    result = perms.get_visible_or_404(
        request.user, appraisal_perms.results_visible_to(request.user).select_related("round__scheme__jurisdiction", "department", "group"), pk=pk
    )
    user = request.user
    scores = list(selectors.result_scores(result))
    can_object = appraisal_perms.can_object(user, result)
    can_decide = appraisal_perms.can_decide_round(user, result.round)
    objection_form = ObjectionForm(scores=IndicatorScore.objects.filter(pk__in=[s.pk for s in scores]).select_related("indicator"))
    if request.method == "POST" and "object" in request.POST:
        perms.require(user, can_object, obj=result, who=perms.Actor.DEPARTMENT_EDITOR)
        objection_form = ObjectionForm(request.POST, scores=IndicatorScore.objects.filter(pk__in=[s.pk for s in scores]).select_related("indicator"))
        if objection_form.is_valid():
            try:
                services.objection_raise(actor=user, result=result, score=objection_form.cleaned_data["score"], text=objection_form.cleaned_data["text"])
            except AppraisalError as error:
                objection_form.add_error(None, str(error))
            else:
                messages.success(request, _("Objection sent to the office."))
                return redirect("appraisal:result_detail", result.pk)
    objections = list(result.objections.select_related("score__indicator", "raised_by", "answered_by"))
    for objection in objections:
        objection.form = AnswerForm(prefix=f"o{objection.pk}")
    for score in scores:
        source = SOURCES.get(score.indicator.source)
        score.source_label = source.label if source else ""
        score.value_label = source.value_label if source else ""
    return render(request, "appraisal/result_detail.html", {
        "result": result, "round": result.round, "scores": scores, "objections": objections, "can_object": can_object,
        "can_decide": can_decide and result.round.status == RoundStatus.COMPUTED, "objection_form": objection_form,
        "reversal_rule": REVERSAL_RULE,
    })


@login_required
@require_POST
def objection_answer(request, pk):
    _view_check(request)
    objection = perms.get_visible_or_404(
        request.user, Objection.objects.filter(result__in=appraisal_perms.results_visible_to(request.user)).select_related("result__round__scheme"), pk=pk
    )
    form = AnswerForm(request.POST, prefix=f"o{objection.pk}")
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            services.objection_answer(actor=request.user, objection=objection, **form.cleaned_data)
        except AppraisalError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Answer recorded."))
    return redirect("appraisal:result_detail", objection.result_id)

