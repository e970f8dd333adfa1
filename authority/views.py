"""Back-office screens of the authority breakdown: a department's breakdown editor (powers, their
posts and procedures), posts, officers and certificates; the office's review (the same
transitions) and completeness report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import permissions as perms
from authority import permissions as authority_perms
from workflow.review import Transition, WorkflowError, allowed_transitions

from . import selectors, services
from .flowchart import procedure_svg
from .forms import (
    AccountLinkForm,
    AssignmentForm,
    CertificateForm,
    ExamForm,
    OfficerForm,
    PlacementForm,
    PostForm,
    PowerForm,
    StepFormSet,
    TrainingForm,
    UploadForm,
)
from .models import Breakdown, Certificate, PowerItem


def _breakdown(request, pk: int) -> Breakdown:
    perms.require(request.user, authority_perms.can_view_breakdowns(request.user))
    visible = authority_perms.breakdowns_visible_to(request.user).select_related("department")
    return perms.get_visible_or_404(request.user, visible, pk=pk)


def _power(request, pk: int, power_id: int) -> tuple[Breakdown, PowerItem]:
    breakdown = _breakdown(request, pk)
    power = perms.get_visible_or_404(
        request.user, breakdown.powers.select_related("kind", "enforcing_organ", "handling_agency"), pk=power_id
    )
    return breakdown, power


def _department_posts(department):
    from .models import Post

    return Post.objects.filter(agency__path__startswith=department.path).select_related("agency")


@login_required
def index(request):
    """A department's current breakdown, or the office's list of departments' breakdowns."""
    perms.require(request.user, authority_perms.can_view_breakdowns(request.user))
    visible = authority_perms.breakdowns_visible_to(request.user)
    department = perms.department_of(request.user)
    if department is not None:
        current = selectors.current_breakdown(department, visible)
        if current is not None:
            return redirect("authority:breakdown_detail", pk=current.pk)
        return render(request, "authority/breakdown_none.html", {
            "department": department, "can_start": authority_perms.can_start_breakdown(request.user, department),
        })
    breakdowns = visible.select_related("department").order_by("department__path", "-version")
    status = request.GET.get("status", "")
    if status:
        breakdowns = breakdowns.filter(status=status)
    page = Paginator(breakdowns, 50).get_page(request.GET.get("page"))
    return render(request, "authority/breakdown_list.html", {"page": page, "status": status})


@login_required
@require_POST
def breakdown_start(request):
    department = perms.department_of(request.user)
    perms.require(request.user, department is not None and authority_perms.can_start_breakdown(request.user, department),
                  who=perms.Actor.DEPARTMENT_EDITOR)
    try:
        breakdown = services.breakdown_start(actor=request.user, department=department)
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("authority:index")
    return redirect("authority:breakdown_detail", pk=breakdown.pk)


@login_required
def breakdown_detail(request, pk: int):
    breakdown = _breakdown(request, pk)
    user = request.user
    query = request.GET.get("q", "").strip()
    page = Paginator(selectors.power_rows_of(breakdown, query), 50).get_page(request.GET.get("page"))
    page.object_list = selectors.power_rows(breakdown, page.object_list)
    actions = [
        {"name": name, "label": Transition(name).label}
        for name in allowed_transitions(breakdown.status)
        if (authority_perms.can_submit_breakdown if name == Transition.SUBMIT else authority_perms.can_decide_breakdown)(user, breakdown)
    ]
    return render(request, "authority/breakdown_detail.html", {
        "breakdown": breakdown,
        "page": page,
        "q": query,
        "actions": actions,
        "can_edit": authority_perms.can_edit_breakdown(user, breakdown),
        "can_start": authority_perms.can_start_breakdown(user, breakdown.department),
        "events": breakdown.events.select_related("actor"),
        "findings_table": mark_safe(selectors.cached_findings_shown(breakdown, _findings_table)),
    })


def _findings_table(findings) -> str:
    return render_to_string("authority/_findings.html", {"findings": findings})


@login_required
@require_POST
def breakdown_transition(request, pk: int, name: str):
    breakdown = _breakdown(request, pk)
    service = services.TRANSITION_SERVICES.get(name)
    if service is None:
        raise Http404
    kwargs = {"comment": request.POST.get("comment", "")} if name == Transition.RETURN else {}
    try:
        updated = service(actor=request.user, breakdown=breakdown, **kwargs)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The breakdown is now %(status)s.") % {"status": updated.get_status_display()})
    return redirect("authority:breakdown_detail", pk=breakdown.pk)


@login_required
def power_edit(request, pk: int, power_id: int | None = None):
    """The power's form; for a power that exists also its posts, procedure and flowchart."""
    breakdown = _breakdown(request, pk)
    power = _power(request, pk, power_id)[1] if power_id else None
    can_edit = authority_perms.can_edit_breakdown(request.user, breakdown)
    if request.method == "POST":
        perms.require(request.user, can_edit, obj=breakdown, who=perms.Actor.DEPARTMENT_EDITOR)
    initial = PowerForm.initial_for(power) if power else {}
    form = PowerForm(request.POST or None, initial=initial, department=breakdown.department)
    if request.method == "POST" and form.is_valid():
        try:
            if power is None:
                power = services.power_create(actor=request.user, breakdown=breakdown, data=form.power_data())
            else:
                power = services.power_update(actor=request.user, power=power, data=form.power_data())
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Power saved."))
            return redirect("authority:power_edit", pk=breakdown.pk, power_id=power.pk)
    context = {"breakdown": breakdown, "power": power, "form": form, "can_edit": can_edit}
    if power is not None:
        steps = selectors.steps_of(power)
        context |= {
            "assignments": power.assignments.select_related("post__agency"),
            "assignment_form": AssignmentForm(posts=_department_posts(breakdown.department)),
            "steps": steps,
            "flowchart": procedure_svg(steps, title=power.name),
        }
    return render(request, "authority/power_form.html", context)


@login_required
@require_POST
def power_delete(request, pk: int, power_id: int):
    breakdown, power = _power(request, pk, power_id)
    try:
        services.power_delete(actor=request.user, power=power)
    except WorkflowError as error:
        messages.error(request, str(error))
    return redirect("authority:breakdown_detail", pk=breakdown.pk)


@login_required
@require_POST
def power_assign(request, pk: int, power_id: int):
    breakdown, power = _power(request, pk, power_id)
    form = AssignmentForm(request.POST, posts=_department_posts(breakdown.department))
    if form.is_valid():
        try:
            services.power_assign(actor=request.user, power=power, **form.cleaned_data)
        except WorkflowError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, _("Choose a post and a role."))
    return redirect("authority:power_edit", pk=breakdown.pk, power_id=power.pk)


@login_required
@require_POST
def power_unassign(request, pk: int, power_id: int, assignment_id: int):
    breakdown, power = _power(request, pk, power_id)
    assignment = perms.get_visible_or_404(request.user, power.assignments.all(), pk=assignment_id)
    try:
        services.power_unassign(actor=request.user, assignment=assignment)
    except WorkflowError as error:
        messages.error(request, str(error))
    return redirect("authority:power_edit", pk=breakdown.pk, power_id=power.pk)


@login_required
def procedure_edit(request, pk: int, power_id: int):
    breakdown, power = _power(request, pk, power_id)
    perms.require(request.user, authority_perms.can_edit_breakdown(request.user, breakdown), obj=breakdown,
                  who=perms.Actor.DEPARTMENT_EDITOR)
    posts = _department_posts(breakdown.department)
    initial = [
        {"stage": s.stage_id, "post": s.post_id, "duty": s.duty, "time_limit": s.time_limit, "time_unit": s.time_unit}
        for s in selectors.steps_of(power)
    ]
    formset = StepFormSet(request.POST or None, initial=initial, form_kwargs={"posts": posts})
    if request.method == "POST" and formset.is_valid():
        steps = [
            f.step_data() for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            services.procedure_replace(actor=request.user, power=power, steps=steps)
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Procedure saved."))
            return redirect("authority:power_edit", pk=breakdown.pk, power_id=power.pk)
    return render(request, "authority/procedure_form.html", {"breakdown": breakdown, "power": power, "formset": formset})


@login_required
def power_flowchart(request, pk: int, power_id: int):
    _breakdown_unused, power = _power(request, pk, power_id)
    return HttpResponse(procedure_svg(selectors.steps_of(power), title=power.name), content_type="image/svg+xml")


# -- Posts, officers, certificates ------------------------------------------------------------


@login_required
def post_list(request):
    perms.require(request.user, authority_perms.can_view_breakdowns(request.user))
    department = perms.department_of(request.user)
    can_manage = department is not None and authority_perms.can_manage_posts(request.user, department)
    form = PostForm(request.POST or None, department=department) if can_manage else None
    if request.method == "POST":
        perms.require(request.user, can_manage, who=perms.Actor.DEPARTMENT_EDITOR)
        if form.is_valid():
            try:
                services.post_create(actor=request.user, **form.cleaned_data)
            except WorkflowError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Post created."))
                return redirect("authority:post_list")
    posts = authority_perms.posts_visible_to(request.user).select_related("agency").prefetch_related("placements__officer")
    page = Paginator(posts, 100).get_page(request.GET.get("page"))
    return render(request, "authority/post_list.html", {"page": page, "form": form})


@login_required
def officer_list(request):
    perms.require(request.user, authority_perms.can_view_breakdowns(request.user))
    department = perms.department_of(request.user)
    can_manage = department is not None and authority_perms.can_manage_officers(request.user, department)
    form = OfficerForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        perms.require(request.user, can_manage, who=perms.Actor.DEPARTMENT_EDITOR)
        if form.is_valid():
            officer = services.officer_create(actor=request.user, department=department, **form.cleaned_data)
            return redirect("authority:officer_detail", pk=officer.pk)
    officers = authority_perms.officers_visible_to(request.user).select_related("department").prefetch_related(
        Prefetch("certificates", queryset=Certificate.objects.order_by("-valid_until", "-pk"), to_attr="certificates_newest_first")
    )
    query = request.GET.get("q", "").strip()
    if query:
        officers = officers.filter(name__icontains=query)
    page = Paginator(officers, 50).get_page(request.GET.get("page"))
    expiring = selectors.certificates_expiring(authority_perms.certificates_visible_to(request.user))[:20]
    return render(request, "authority/officer_list.html", {"page": page, "form": form, "q": query, "expiring": expiring})


# The certificate decisions, in the order the page lists them; each certificate shows only the
# ones its own predicates (Certificate.can_<action>, which the services check too) allow.
CERTIFICATE_ACTIONS = [
    ("renew", gettext_lazy("Renew")), ("suspend", gettext_lazy("Suspend")),
    ("reinstate", gettext_lazy("Reinstate")), ("revoke", gettext_lazy("Revoke")),
]


def _officer(request, pk: int):
    perms.require(request.user, authority_perms.can_view_breakdowns(request.user))
    return perms.get_visible_or_404(request.user, authority_perms.officers_visible_to(request.user).select_related("department"), pk=pk)


@login_required
def officer_detail(request, pk: int):
    officer = _officer(request, pk)
    user = request.user
    manage = authority_perms.can_manage_officers(user, officer.department)
    certify = authority_perms.can_manage_certificates(user, officer.department)
    posts = _department_posts(officer.department)
    return render(request, "authority/officer_detail.html", {
        "officer": officer,
        "placements": officer.placements.select_related("post__agency"),
        "trainings": officer.trainings.prefetch_related("posts__agency", "kinds"),
        "exams": officer.exams.all(),
        "certificates": officer.certificates.prefetch_related("kinds", "events"),
        "can_manage": manage,
        "can_certify": certify,
        "placement_form": PlacementForm(posts=posts) if manage else None,
        "account_form": AccountLinkForm(department=officer.department, initial={"account": officer.account_id}) if manage else None,
        "training_form": TrainingForm(posts=posts) if manage else None,
        "exam_form": ExamForm() if certify else None,
        "certificate_form": (
            CertificateForm(initial={"area": officer.department.jurisdiction.name if officer.department.jurisdiction else ""})
            if certify and not services.officer_holds_certificate(officer) else None
        ),
        "certificate_actions": CERTIFICATE_ACTIONS,
    })


@login_required
@require_POST
def officer_action(request, pk: int, action: str):
    """The officer's record-keeping forms: placement, training, exam, certificate issue."""
    officer = _officer(request, pk)
    forms = {
        "place": (lambda data: PlacementForm(data, posts=_department_posts(officer.department)), services.officer_place),
        "training": (lambda data: TrainingForm(data, posts=_department_posts(officer.department)), services.training_record),
        "exam": (ExamForm, services.exam_record),
        "certificate": (CertificateForm, services.certificate_issue),
        "account": (lambda data: AccountLinkForm(data, department=officer.department), services.officer_link_account),
    }
    if action not in forms:
        raise Http404
    form_class, service = forms[action]
    form = form_class(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        if action in ("certificate", "training"):
            data["kinds"] = list(data["kinds"])
        if action == "training":
            data["posts"] = list(data["posts"])
        try:
            service(actor=request.user, officer=officer, **data)
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("authority:officer_detail", pk=officer.pk)


@login_required
@require_POST
def certificate_action(request, pk: int, action: str):
    perms.require(request.user, authority_perms.can_view_breakdowns(request.user))
    certificate = perms.get_visible_or_404(
        request.user, authority_perms.certificates_visible_to(request.user).select_related("officer__department"), pk=pk
    )
    actions = {
        "renew": services.certificate_renew,
        "suspend": services.certificate_suspend,
        "reinstate": services.certificate_reinstate,
        "revoke": services.certificate_revoke,
    }
    if action not in actions:
        raise Http404
    try:
        updated = actions[action](actor=request.user, certificate=certificate, reason=request.POST.get("reason", ""))
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Certificate %(number)s is now %(status)s.") % {
            "number": updated.number, "status": updated.get_current_status_display()})
    return redirect("authority:officer_detail", pk=certificate.officer_id)


@login_required
def completeness(request):
    """The completeness findings of every department in the user's scope."""
    perms.require(request.user, authority_perms.can_view_breakdowns(request.user))
    breakdowns = selectors.current_breakdowns(
        perms.departments_in_scope(request.user), authority_perms.breakdowns_visible_to(request.user)
    )
    findings = selectors.findings_for(breakdowns)
    kind = request.GET.get("kind", "")
    if kind:
        findings = [f for f in findings if f.kind == kind]
    page = Paginator(findings, 100).get_page(request.GET.get("page"))
    return render(request, "authority/completeness.html", {"page": page, "breakdowns": breakdowns, "kind": kind})


@login_required
def certificate_qr(request, pk: int):
    """The QR code printed on the certificate: it opens the public verification page."""
    import io

    import segno
    from django.urls import reverse

    perms.require(request.user, authority_perms.can_view_breakdowns(request.user))
    certificate = perms.get_visible_or_404(request.user, authority_perms.certificates_visible_to(request.user), pk=pk)
    url = request.build_absolute_uri(reverse("portal:certificate_verify_number", args=[certificate.number]))
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, xmldecl=False, title=certificate.number)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def breakdown_import(request, pk: int):
    """Import powers from a 权责清单 spreadsheet: every row is checked first; any row error
    shows the list and saves nothing."""
    from .spreadsheets import UploadRefused, parse_powers_upload

    breakdown = _breakdown(request, pk)
    perms.require(request.user, authority_perms.can_edit_breakdown(request.user, breakdown), obj=breakdown,
                  who=perms.Actor.DEPARTMENT_EDITOR)
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = parse_powers_upload(form.cleaned_data["file"], breakdown=breakdown)
        except UploadRefused as error:
            form.add_error("file", error.messages)
        else:
            if result.is_clean and result.ignored_columns and not form.cleaned_data["ignore_unread"]:
                # No column is dropped silently: the editor says so, or renames it and uploads again.
                form.add_error(None, _("Some columns are not read; see the list below."))
            elif result.is_clean:
                try:
                    count = services.powers_import(actor=request.user, breakdown=breakdown, rows=result.rows)
                except WorkflowError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(request, _("%(n)d powers imported.") % {"n": count})
                    return redirect("authority:breakdown_detail", pk=breakdown.pk)
    return render(request, "authority/breakdown_import.html", {"breakdown": breakdown, "form": form, "result": result})


@login_required
def breakdown_export(request, pk: int):
    from audit.models import AuditAction
    from audit.services import event_record

    from .spreadsheets import breakdown_to_xlsx

    breakdown = _breakdown(request, pk)
    event_record(action=AuditAction.EXPORT, actor=request.user, obj=breakdown)
    response = HttpResponse(breakdown_to_xlsx(breakdown), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="breakdown-{breakdown.department.code}-v{breakdown.version}.xlsx"'
    return response


@login_required
@require_POST
def placement_end(request, pk: int, placement_id: int):
    """Remove the officer from a post (调离执法岗位): the placement ends today."""
    officer = _officer(request, pk)
    placement = perms.get_visible_or_404(request.user, officer.placements.all(), pk=placement_id)
    try:
        services.officer_remove_from_post(actor=request.user, placement=placement)
    except WorkflowError as error:
        messages.error(request, str(error))
    return redirect("authority:officer_detail", pk=officer.pk)
