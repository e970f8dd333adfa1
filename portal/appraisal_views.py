"""The portal's appraisal pages: the published results and rankings (finalised rounds only:
department results, and officers only as counts per grade), and the rating form on each
department's page (no login; captcha, signed single-use token, per-address daily cap)."""

from captcha.fields import CaptchaField
from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from appraisal import outputs
from appraisal import selectors as appraisal_selectors
from appraisal.rating_services import rating_token, rating_submit
from appraisal.services import AppraisalError
from toolkit.client import client_address

from . import selectors


RESULTS_PAGE = 100


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Your rating"), coerce=int, widget=forms.RadioSelect,
        choices=[(5, _("5 — very satisfied")), (4, _("4 — satisfied")), (3, _("3 — acceptable")), (2, _("2 — dissatisfied")), (1, _("1 — very dissatisfied"))],
    )
    comment = forms.CharField(label=_("Comment (optional; read by the department and the office, not published)"), required=False,
                              max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    captcha = CaptchaField(label=_("Type the characters in the picture"))
    token = forms.CharField(widget=forms.HiddenInput)


def appraisal_index(request):
    rounds = appraisal_selectors.published_rounds()[:50]
    return render(request, "portal/appraisal_index.html", {"rounds": rounds})


def appraisal_results(request, pk: int):
    round_ = get_object_or_404(appraisal_selectors.published_rounds(), pk=pk)
    page = Paginator(appraisal_selectors.results_table(round_), RESULTS_PAGE).get_page(request.GET.get("page"))
    return render(request, "portal/appraisal_results.html", {
        "round": round_, "results": page.object_list, "page": page,
        "officer_grades": appraisal_selectors.officer_grade_counts(round_),
        "chart": outputs.chart_svg(appraisal_selectors.chart_rows(round_)),
    })


@never_cache
def department_rate(request, code: str):
    state = selectors.department_state(code)
    if state is None:
        raise Http404
    department = state.department
    done, error = False, ""
    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            try:
                rating_submit(department=department, token=form.cleaned_data["token"], stars=form.cleaned_data["stars"],
                              comment=form.cleaned_data["comment"], address=client_address(request))
            except AppraisalError as refused:
                error = str(refused)
            else:
                done = True
        if not done:
            # A new token and a new captcha for the next attempt; the answers stay.
            data = request.POST.copy()
            data["token"] = rating_token(department)
            form = RatingForm(data) if not error else RatingForm(initial={"token": data["token"], "stars": form.data.get("stars"), "comment": form.data.get("comment", "")})
            if not error:
                form.is_valid()
    else:
        form = RatingForm(initial={"token": rating_token(department)})
    return render(request, "portal/department_rate.html", {
        "department": department, "form": form, "done": done, "error": error, "tab": "rate", "state": state, "data_as_of": state.data_as_of,
    }, status=400 if error else 200)
