"""Back-office screens of responsibilities: a department's responsibility sets (responsibilities
by holder, enforcement standards as tables, the review transitions), its register of supporting
rules, and the office's review queue and coverage of the eight supporting rules."""

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import permissions as perms
from audit.models import AuditAction
from audit.services import event_record
from organisations.models import REVIEWING_GOVERNMENT_KINDS, Organisation
from responsibility import permissions as responsibility_perms
from toolkit.files import file_response
from workflow.review import ReviewStatus, Transition, WorkflowError, allowed_transitions

from . import selectors, services
from .forms import BandFormSet, ResponsibilityForm, StandardForm, SupportingRuleForm, standard_data
from .models import ResponsibilitySet, SupportingRuleStatus


def _set(request, pk: int) -> ResponsibilitySet:
    perms.require(request.user, responsibility_perms.can_view_responsibilities(request.user))
    visible = responsibility_perms.responsibility_sets_visible_to(request.user).select_related("department")
    return perms.get_visible_or_404(request.user, visible, pk=pk)


def _editable_set(request, pk: int) -> ResponsibilitySet:
    responsibility_set = _set(request, pk)
    perms.require(
        request.user, responsibility_perms.can_edit_responsibility_set(request.user, responsibility_set), obj=responsibility_set,
        who=perms.Actor.DEPARTMENT_EDITOR,
    )
    return responsibility_set


# The home tiles' lists, named as the tiles name them.
QUEUE_LABELS = {
    "awaiting_review": gettext_lazy("Responsibility sets awaiting review"),
    "awaiting_publication": gettext_lazy("Approved responsibility sets awaiting publication"),
    "to_fix": gettext_lazy("Responsibility set versions to complete or fix"),
}


@login_required
def index(request):
    """A department's versions (and the button to start one), or the office's review queue."""
    perms.require(request.user, responsibility_perms.can_view_responsibilities(request.user))
    user = request.user
    department = perms.department_of(user)
    default = "" if department is not None else "awaiting"
    query = request.GET.get("q", "").strip()
    visible = responsibility_perms.responsibility_sets_visible_to(user)
    queue = request.GET.get("queue", "")
    if queue in selectors.SET_QUEUES:
        # A home tile's list: the same function counts the tile.
        status = ""
        visible = selectors.set_queue(visible, queue, government=perms.jurisdiction_of(user))
    else:
        queue = ""
        status = request.GET.get("status", default)
    sets = selectors.sets_list(visible, status=status, query=query)
    page = Paginator(sets, 50).get_page(request.GET.get("page"))
    can_start = department is not None and responsibility_perms.can_start_responsibility_set(user, department)
    statuses = [("awaiting", _("Awaiting review or publication"))] + [
        (value, label) for value, label in ReviewStatus.choices
        if department is not None or value != ReviewStatus.DRAFT
    ]
    return render(request, "responsibility/set_list.html", {
        "page": page, "status": status, "q": query, "statuses": statuses,
        "queue": queue, "queue_label": QUEUE_LABELS.get(queue, ""), "queue_government": perms.jurisdiction_of(user) if queue else None,
        "department": department, "can_start": can_start,
        "current": selectors.current_set(department, responsibility_perms.responsibility_sets_visible_to(user)) if department else None,
    })


@login_required
@require_POST
def set_start(request):
    department = perms.department_of(request.user)
    perms.require(request.user, department is not None and responsibility_perms.can_start_responsibility_set(request.user, department),
                  who=perms.Actor.DEPARTMENT_EDITOR)
    try:
        responsibility_set = services.responsibility_set_start(actor=request.user, department=department)
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("responsibility:index")
    return redirect("responsibility:set_detail", pk=responsibility_set.pk)


@login_required
def set_detail(request, pk: int):
    responsibility_set = _set(request, pk)
    user = request.user
    query = request.GET.get("q", "").strip()
    powers = selectors.current_powers(responsibility_set.department)
    page = Paginator(selectors.responsibilities_of(responsibility_set, query), 100).get_page(request.GET.get("page"))
    actions = [
        {"name": name, "label": Transition(name).label}
        for name in allowed_transitions(responsibility_set.status)
        if services.transition_predicate(name)(user, responsibility_set)
    ]
    return render(request, "responsibility/set_detail.html", {
        "set": responsibility_set,
        "page": page,
        "q": query,
        "groups": selectors.responsibilities_by_holder(responsibility_set, page.object_list, powers),
        "standards": selectors.standards_of(responsibility_set, powers),
        "actions": actions,
        "can_edit": responsibility_perms.can_edit_responsibility_set(user, responsibility_set),
        "can_start": responsibility_perms.can_start_responsibility_set(user, responsibility_set.department),
        "events": responsibility_set.events.select_related("actor"),
    })


@login_required
@require_POST
def set_transition(request, pk: int, name: str):
    responsibility_set = _set(request, pk)
    service = services.TRANSITION_SERVICES.get(name)
    if service is None:
        raise Http404
    comment = request.POST.get("comment", "")
    kwargs = {"comment": comment} if name in (Transition.RETURN, Transition.APPROVE) else {}
    try:
        updated = service(actor=request.user, responsibility_set=responsibility_set, **kwargs)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The responsibility set is now %(status)s.") % {"status": updated.get_status_display()}
        )
    return redirect("responsibility:set_detail", pk=responsibility_set.pk)


# -- Responsibilities and standards -----------------------------------------------------------


@login_required
def responsibility_edit(request, pk: int, item_id: int | None = None):
    responsibility_set = _editable_set(request, pk)
    item = None
    if item_id is not None:
        item = perms.get_visible_or_404(request.user, responsibility_set.responsibilities.all(), pk=item_id)
    powers = selectors.current_powers(responsibility_set.department)
    initial = ResponsibilityForm.initial_for(item) if item else {}
    form = ResponsibilityForm(
        request.POST or None, initial=initial, department=responsibility_set.department, powers=powers
    )
    if request.method == "POST" and form.is_valid():
        try:
            if item is None:
                services.responsibility_create(
                    actor=request.user, responsibility_set=responsibility_set, data=form.responsibility_data()
                )
            else:
                services.responsibility_update(actor=request.user, responsibility=item, data=form.responsibility_data())
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Responsibility saved."))
            return redirect("responsibility:set_detail", pk=responsibility_set.pk)
    return render(request, "responsibility/responsibility_form.html", {
        "set": responsibility_set, "item": item, "form": form, "powers": sorted(powers.values(), key=lambda p: p.code),
    })


@login_required
@require_POST
def responsibility_delete(request, pk: int, item_id: int):
    responsibility_set = _set(request, pk)
    item = perms.get_visible_or_404(request.user, responsibility_set.responsibilities.all(), pk=item_id)
    try:
        services.responsibility_delete(actor=request.user, responsibility=item)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Responsibility deleted."))
    return redirect("responsibility:set_detail", pk=responsibility_set.pk)


@login_required
def standard_edit(request, pk: int, standard_id: int | None = None):
    """A standard and its bands, edited as one table."""
    responsibility_set = _editable_set(request, pk)
    standard = None
    if standard_id is not None:
        standard = perms.get_visible_or_404(request.user, responsibility_set.standards.all(), pk=standard_id)
    powers = selectors.current_powers(responsibility_set.department)
    initial, bands = {}, []
    if standard is not None:
        initial = {"power_code": standard.power_code, "title": standard.title, "note": standard.note}
        bands = [
            {"order": b.order, "label": b.label, "circumstances": b.circumstances, "measure": b.measure}
            for b in standard.bands.order_by("order")
        ]
    form = StandardForm(request.POST or None, initial=initial, powers=powers)
    formset = BandFormSet(request.POST or None, initial=bands, prefix="bands")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = standard_data(form, formset)
        try:
            if standard is None:
                services.standard_create(actor=request.user, responsibility_set=responsibility_set, data=data)
            else:
                services.standard_update(actor=request.user, standard=standard, data=data)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Enforcement standard saved."))
            return redirect("responsibility:set_detail", pk=responsibility_set.pk)
    return render(request, "responsibility/standard_form.html", {
        "set": responsibility_set, "standard": standard, "form": form, "formset": formset,
    })


@login_required
@require_POST
def standard_delete(request, pk: int, standard_id: int):
    responsibility_set = _set(request, pk)
    standard = perms.get_visible_or_404(request.user, responsibility_set.standards.all(), pk=standard_id)
    try:
        services.standard_delete(actor=request.user, standard=standard)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Enforcement standard deleted."))
    return redirect("responsibility:set_detail", pk=responsibility_set.pk)


# -- Supporting rules -------------------------------------------------------------------------


def _department(request, department_id: int) -> Organisation:
    perms.require(request.user, responsibility_perms.can_view_responsibilities(request.user))
    return perms.get_visible_or_404(request.user, responsibility_perms.rule_holders_in_scope(request.user), pk=department_id)


@login_required
def rule_home(request):
    """A department's own register; for an office, the coverage page it starts from."""
    perms.require(request.user, responsibility_perms.can_view_responsibilities(request.user))
    department = perms.department_of(request.user)
    # The home tile's filter (``?queue=missing``) goes along.
    suffix = f"?{request.GET.urlencode()}" if request.GET else ""
    if department is not None:
        return redirect(reverse("responsibility:rule_list", args=[department.pk]) + suffix)
    return redirect(reverse("responsibility:coverage") + suffix)


@login_required
def rule_list(request, department_id: int):
    department = _department(request, department_id)
    visible = responsibility_perms.supporting_rules_visible_to(request.user)
    rules = selectors.rules_of(visible, department)
    status = request.GET.get("status", "")
    if status in SupportingRuleStatus.values:
        rules = rules.filter(status=status)
    page = Paginator(rules, 50).get_page(request.GET.get("page"))
    rows = selectors.coverage(Organisation.objects.filter(pk=department.pk)).rows
    only_missing = request.GET.get("queue") == selectors.MISSING_QUEUE
    return render(request, "responsibility/rule_list.html", {
        "department": department, "page": page, "status": status, "statuses": SupportingRuleStatus.choices,
        "row": rows[0] if rows else None, "only_missing": only_missing,
        # The home tile's list: the kinds the department lacks, counted by the same function.
        "cells": selectors.missing_kinds_of(request.user, department) if only_missing else (rows[0].cells if rows else []),
        "can_manage": responsibility_perms.can_manage_supporting_rules(request.user, department),
    })


@login_required
def rule_edit(request, department_id: int, rule_id: int | None = None):
    department = _department(request, department_id)
    perms.require(request.user, responsibility_perms.can_manage_supporting_rules(request.user, department), obj=department,
                  who=perms.Actor.DEPARTMENT_EDITOR)
    rule = None
    if rule_id is not None:
        rule = perms.get_visible_or_404(
            request.user, responsibility_perms.supporting_rules_visible_to(request.user).filter(department=department), pk=rule_id
        )
    initial = SupportingRuleForm.initial_for(rule) if rule else {"kind": request.GET.get("kind", "")}
    form = SupportingRuleForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if rule is None:
                services.supporting_rule_create(actor=request.user, department=department, data=form.rule_data())
            else:
                services.supporting_rule_update(actor=request.user, rule=rule, data=form.rule_data())
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Supporting rule saved."))
            return redirect("responsibility:rule_list", department_id=department.pk)
    return render(request, "responsibility/rule_form.html", {"department": department, "rule": rule, "form": form})


@login_required
@require_POST
def rule_status(request, department_id: int, rule_id: int):
    department = _department(request, department_id)
    rule = perms.get_visible_or_404(
        request.user, responsibility_perms.supporting_rules_visible_to(request.user).filter(department=department), pk=rule_id
    )
    try:
        services.supporting_rule_set_status(actor=request.user, rule=rule, status=request.POST.get("status", ""))
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Supporting rule saved."))
    return redirect("responsibility:rule_list", department_id=department.pk)


@login_required
def rule_document(request, department_id: int, rule_id: int):
    department = _department(request, department_id)
    rule = perms.get_visible_or_404(
        request.user, responsibility_perms.supporting_rules_visible_to(request.user).filter(department=department), pk=rule_id
    )
    return rule_document_response(request.user, rule)


def rule_document_response(actor, rule) -> HttpResponse:
    """The download of a rule's document (the back office's link and the API), on record, under
    the name it was uploaded with (or the rule's title)."""
    if not rule.document:
        raise Http404
    event_record(action=AuditAction.EXPORT, actor=actor, obj=rule, detail={"document": rule.document.name})
    filename = rule.document_name or f"{rule.title.replace('/', '_')}{PurePath(rule.document.name).suffix}"
    return file_response(rule.document, filename=filename)


@login_required
def coverage(request):
    """Which departments miss which of the eight supporting rules."""
    perms.require(request.user, responsibility_perms.can_view_responsibilities(request.user))
    root = perms.scope_root(request.user)
    governments = Organisation.objects.filter(
        path__startswith=root.path, kind__in=list(REVIEWING_GOVERNMENT_KINDS)
    ).order_by("path") if root is not None else Organisation.objects.none()
    government = None
    code = request.GET.get("government", "")
    if code:
        government = governments.filter(code=code).first()
    queue = request.GET.get("queue") == selectors.MISSING_QUEUE
    if queue:
        # The home tile's list: the departments of the office's own jurisdiction missing a rule.
        result = selectors.missing_rules_queue(request.user)
        government = perms.jurisdiction_of(request.user)
        only_missing = True
    else:
        only_missing = request.GET.get("missing") == "1"
        result = selectors.coverage_for(request.user, government=government, only_missing=only_missing)
    page = Paginator(result.rows, 100).get_page(request.GET.get("page"))
    return render(request, "responsibility/coverage.html", {
        "coverage": result, "page": page, "governments": governments, "government": government,
        "only_missing": only_missing, "queue": queue,
    })


@login_required
def law_to_duty(request):
    """The office's coverage from law to duty (不重不漏, 有权必有责) in its jurisdiction: one list,
    filtered by kind, counted per kind."""
    perms.require(request.user, responsibility_perms.can_view_law_to_duty(request.user))
    found = selectors.law_to_duty_findings(request.user)
    kinds: dict[str, list] = {}
    for finding in found:
        kinds.setdefault(finding.kind, [finding.kind_label, 0])[1] += 1
    kind = request.GET.get("kind", "")
    if kind in kinds:
        found = [f for f in found if f.kind == kind]
    else:
        kind = ""
    page = Paginator(found, 100).get_page(request.GET.get("page"))
    return render(request, "responsibility/law_to_duty.html", {
        "page": page, "kind": kind, "counts": [(value, label, count) for value, (label, count) in kinds.items()],
        "government": perms.jurisdiction_of(request.user),
    })
