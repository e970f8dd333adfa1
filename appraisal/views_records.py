"""Back-office pages of the records appraisal keeps: case-file review (draws, reviewers, the
scoring form, the department's answer), reconsideration and litigation outcomes (entry,
import, reversal rates), the public's ratings and upheld complaints."""

import base64
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions as perms
from accounts.models import User
from authority.models import Officer
from basis.upload_guard import Upload, UploadRefused, inspect_upload

from . import outcome_services, rating_services, review_services, services
from . import permissions as appraisal_perms
from .forms import AssignForm, ComplaintForm, DrawForm, ImportForm, OutcomeForm, ReviewAnswerForm
from .indicators import REVERSAL_RULE
from .models import REVERSED_OUTCOMES, Outcome, RatingStatus, ReviewStatus, UpheldComplaint
from .scoring import departments_of
from .services import AppraisalError


def _office(request):
    jurisdiction = appraisal_perms.office_jurisdiction(request.user)
    perms.require(request.user, jurisdiction is not None, who=perms.Actor.OFFICE)
    return jurisdiction


def _view_check(request):
    perms.require(request.user, appraisal_perms.can_view_appraisal(request.user))


# -- Case-file review -------------------------------------------------------------------------


@login_required
def review_index(request):
    """The office: its draws and the form to draw; anyone: the files to review or answer."""
    _view_check(request)
    user = request.user
    jurisdiction = appraisal_perms.office_jurisdiction(user)
    form = DrawForm(request.POST or None)
    if request.method == "POST":
        _office(request)
        if form.is_valid():
            try:
                draw = review_services.draw_create(actor=user, jurisdiction=jurisdiction, **form.cleaned_data)
            except AppraisalError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("%(n)s files drawn (seed %(seed)s).") % {"n": draw.reviews.count(), "seed": draw.seed})
                return redirect("appraisal:draw_detail", draw.pk)
    reviews = appraisal_perms.reviews_visible_to(user).select_related("case_file", "department", "reviewer", "draw")
    mine = reviews.filter(Q(reviewer=user) | Q(department=perms.department_of(user))) if jurisdiction is None else reviews.none()
    return render(request, "appraisal/review_index.html", {
        "draws": appraisal_perms.draws_visible_to(user)[:50], "form": form, "is_office": jurisdiction is not None,
        "mine": mine.exclude(status=ReviewStatus.FINAL).order_by("status", "case_file__number")[:200],
    })


@login_required
def draw_detail(request, pk):
    _view_check(request)
    draw = perms.get_visible_or_404(request.user, appraisal_perms.draws_visible_to(request.user), pk=pk)
    reviews = draw.reviews.select_related("case_file", "department", "reviewer").order_by("department__path", "case_file__number")
    page = Paginator(reviews, 100).get_page(request.GET.get("page"))
    reviewers = User.objects.filter(is_active=True, role__in=["office_reviewer", "department_editor", "department_head"]).select_related("organisation")
    for review in page.object_list:
        review.assign_form = AssignForm(reviewers=reviewers, prefix=f"r{review.pk}", initial={"reviewer": review.reviewer_id})
    return render(request, "appraisal/draw_detail.html", {"draw": draw, "page": page, "reviewers": reviewers})


@login_required
@require_POST
def review_assign(request, pk):
    _view_check(request)
    review = perms.get_visible_or_404(request.user, appraisal_perms.reviews_visible_to(request.user).select_related("draw__jurisdiction"), pk=pk)
    reviewers = User.objects.filter(is_active=True)
    form = AssignForm(request.POST, reviewers=reviewers, prefix=f"r{review.pk}")
    if form.is_valid():
        try:
            review_services.review_assign(actor=request.user, review=review, reviewer=form.cleaned_data["reviewer"])
        except AppraisalError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Reviewer assigned."))
    else:
        messages.error(request, _("Choose a reviewer."))
    return redirect("appraisal:draw_detail", review.draw_id)


@login_required
def review_detail(request, pk):
    """The scoring form (item by item with notes) for the assigned reviewer; the findings and
    the answer form for the department; the finalise button for the office."""
    _view_check(request)
    user = request.user
    review = perms.get_visible_or_404(
        user, appraisal_perms.reviews_visible_to(user).select_related("case_file", "department", "rubric", "reviewer", "draw__jurisdiction"), pk=pk
    )
    can_score = appraisal_perms.can_score_review(user, review)
    errors = []
    items = list(review.rubric.items.select_related("section").order_by("-is_veto", "section__position", "position"))
    recorded = {s.item_id: s for s in review.item_scores.all()}
    if request.method == "POST" and "score" in request.POST:
        perms.require(user, can_score, obj=review)
        faults, notes = {}, {}
        for item in items:
            raw = request.POST.get(f"faults_{item.pk}", "0").strip() or "0"
            if not raw.isdigit():
                errors.append(_("“%(item)s”: enter a whole number of faults.") % {"item": item.text})
                continue
            faults[item.pk] = int(raw)
            notes[item.pk] = request.POST.get(f"note_{item.pk}", "").strip()
        if not errors:
            try:
                review_services.review_score(actor=user, review=review, faults=faults, notes=notes)
            except AppraisalError as error:
                errors.append(str(error))
            else:
                messages.success(request, _("Scores saved."))
                return redirect("appraisal:review_detail", review.pk)
        for item in items:
            item.posted_faults = request.POST.get(f"faults_{item.pk}", "")
            item.posted_note = request.POST.get(f"note_{item.pk}", "")
    answer_form = ReviewAnswerForm(request.POST if "answer" in request.POST else None)
    if request.method == "POST" and "answer" in request.POST:
        perms.require(user, appraisal_perms.can_answer_review(user, review), obj=review, who=perms.Actor.DEPARTMENT_EDITOR)
        if answer_form.is_valid():
            try:
                review_services.review_answer(actor=user, review=review, answer=answer_form.cleaned_data["answer"])
            except AppraisalError as error:
                answer_form.add_error(None, str(error))
            else:
                messages.success(request, _("Answer sent."))
                return redirect("appraisal:review_detail", review.pk)
    sections = []
    for item in items:
        score = recorded.get(item.pk)
        item.faults = score.faults if score else 0
        item.note = score.note if score else ""
        if not hasattr(item, "posted_faults"):
            item.posted_faults, item.posted_note = item.faults, item.note
        key = _("Veto items") if item.is_veto else item.section.name
        if not sections or sections[-1]["name"] != key:
            sections.append({"name": key, "max": None if item.is_veto else item.section.max_points, "items": []})
        sections[-1]["items"].append(item)
    return render(request, "appraisal/review_detail.html", {
        "review": review, "sections": sections, "can_score": can_score, "errors": errors,
        "can_answer": appraisal_perms.can_answer_review(user, review), "answer_form": answer_form,
        "can_finalise": appraisal_perms.can_finalise_review(user, review),
    })


@login_required
@require_POST
def review_finalise(request, pk):
    _view_check(request)
    review = perms.get_visible_or_404(request.user, appraisal_perms.reviews_visible_to(request.user).select_related("draw__jurisdiction"), pk=pk)
    try:
        review_services.review_finalise(actor=request.user, review=review)
    except AppraisalError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Review made final."))
    return redirect("appraisal:review_detail", review.pk)


# -- Outcomes ---------------------------------------------------------------------------------


def _rates(outcomes) -> list[dict]:
    from .indicators import q2, reversal_counts

    by_department = {}
    for o in outcomes:
        by_department.setdefault(o.department, []).append(o)
    rows = []
    for department, members in sorted(by_department.items(), key=lambda kv: kv[0].path):
        reversed_count, decided = reversal_counts(members)
        rows.append({"department": department, "reversed": reversed_count, "decided": decided,
                     "rate": q2(100 * reversed_count / decided) if decided else None})
    return rows


@login_required
def outcome_index(request):
    _view_check(request)
    user = request.user
    jurisdiction = appraisal_perms.office_jurisdiction(user)
    year = request.GET.get("year", "")
    outcomes = appraisal_perms.outcomes_visible_to(user).select_related("department", "power_kind")
    if year.isdigit():
        outcomes = outcomes.filter(decided_on__year=int(year))
    form = None
    if jurisdiction is not None:
        form = OutcomeForm(request.POST or None, departments=departments_of(jurisdiction_id=jurisdiction.pk).order_by("path"))
        if request.method == "POST" and form.is_valid():
            try:
                outcome_services.outcome_create(actor=user, **form.cleaned_data)
            except AppraisalError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Outcome recorded."))
                return redirect("appraisal:outcome_index")
    elif request.method == "POST":
        _office(request)
    listed = list(outcomes)
    page = Paginator(listed, 50).get_page(request.GET.get("page"))
    return render(request, "appraisal/outcome_index.html", {
        "page": page, "form": form, "rates": _rates(listed), "by_kind": outcome_services.reversal_by_kind(listed),
        "rule": REVERSAL_RULE, "year": year, "reversed": REVERSED_OUTCOMES, "import_form": ImportForm() if form else None,
        "outcome_labels": Outcome,
    })


IMPORT_CACHE = "appraisal-import:{}"


@login_required
def outcome_import(request):
    """Upload → preview (row-level messages; nothing saved) → confirm (the same file, kept for
    half an hour under a random key) → saved whole or not at all."""
    jurisdiction = _office(request)
    preview, key, form = None, "", ImportForm()
    if request.method == "POST" and "confirm" in request.POST:
        key = request.POST.get("key", "")
        stored = cache.get(IMPORT_CACHE.format(key)) if key.isalnum() else None
        if stored is None or stored["user"] != request.user.pk:
            messages.error(request, _("The preview has expired; upload the file again."))
            return redirect("appraisal:outcome_import")
        upload = Upload(name=stored["name"], kind=stored["kind"], data=base64.b64decode(stored["data"]), text=stored["text"])
        try:
            count = outcome_services.outcomes_import(actor=request.user, jurisdiction=jurisdiction, upload=upload)
        except AppraisalError as error:
            messages.error(request, str(error))
            return redirect("appraisal:outcome_import")
        cache.delete(IMPORT_CACHE.format(key))
        messages.success(request, _("%(n)s outcomes imported.") % {"n": count})
        return redirect("appraisal:outcome_index")
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                upload = inspect_upload(form.cleaned_data["file"])
            except UploadRefused as error:
                form.add_error("file", error.messages[0])
            else:
                preview = outcome_services.outcomes_preview(jurisdiction=jurisdiction, upload=upload)
                if not preview.errors:
                    key = secrets.token_hex(16)
                    cache.set(IMPORT_CACHE.format(key), {"user": request.user.pk, "name": upload.name, "kind": upload.kind,
                                                         "data": base64.b64encode(upload.data).decode(), "text": upload.text}, 1800)
    return render(request, "appraisal/outcome_import.html", {"form": form, "preview": preview, "key": key,
                                                             "headers": outcome_services.HEADERS})


# -- Ratings and complaints -------------------------------------------------------------------


@login_required
def rating_index(request):
    _view_check(request)
    ratings = appraisal_perms.ratings_visible_to(request.user).select_related("department")
    status = request.GET.get("status", "")
    if status in RatingStatus.values:
        ratings = ratings.filter(status=status)
    page = Paginator(ratings, 50).get_page(request.GET.get("page"))
    return render(request, "appraisal/rating_index.html", {
        "page": page, "status": status, "statuses": RatingStatus.choices,
        "can_decide": appraisal_perms.office_jurisdiction(request.user) is not None,
    })


@login_required
@require_POST
def rating_decide(request, pk):
    _view_check(request)
    rating = perms.get_visible_or_404(request.user, appraisal_perms.ratings_visible_to(request.user).select_related("department__jurisdiction"), pk=pk)
    try:
        rating_services.rating_decide(actor=request.user, rating=rating, count=request.POST.get("decision") == "count")
    except AppraisalError as error:
        messages.error(request, str(error))
    return redirect(reverse("appraisal:rating_index") + "?status=held")


@login_required
def complaint_index(request):
    _view_check(request)
    user = request.user
    root = perms.scope_root(user)
    officers = Officer.objects.filter(department__path__startswith=root.path, is_active=True).select_related("department") if root else Officer.objects.none()
    can_record = perms.department_of(user) is not None and perms.is_department_editor(user, perms.department_of(user)) or appraisal_perms.office_jurisdiction(user) is not None
    form = ComplaintForm(request.POST or None, officers=officers.order_by("department__path", "name")) if can_record else None
    if request.method == "POST":
        perms.require(user, can_record)
        if form.is_valid():
            try:
                services.complaint_record(actor=user, **form.cleaned_data)
            except AppraisalError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Complaint recorded."))
                return redirect("appraisal:complaint_index")
    complaints = UpheldComplaint.objects.filter(officer__in=officers).select_related("officer__department")[:200]
    return render(request, "appraisal/complaint_index.html", {"form": form, "complaints": complaints})

