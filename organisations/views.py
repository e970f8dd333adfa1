from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import mixins, viewsets

from accounts import permissions as perms
from accounts.api_permissions import Capability, ObjectChange, ScopedObjectMixin
from organisations import permissions as org_perms

from . import services
from .filters import OrganisationFilter
from .forms import OrganisationCreateForm, OrganisationForm, ReformForm
from .models import Organisation, OrganisationKind
from .selectors import predecessions_of, successions_of, with_parent_id
from .serializers import OrganisationSerializer

SORTS = {"path": "path", "name": "name", "-name": "-name", "code": "code", "-code": "-code", "kind": "kind"}


@login_required
def organisation_list(request):
    perms.require(request.user, org_perms.can_view_organisations(request.user))
    visible = org_perms.organisations_visible_to(request.user).select_related("jurisdiction")
    filterset = OrganisationFilter(request.GET, queryset=visible)
    sort = request.GET.get("sort", "path")
    queryset = filterset.qs.order_by(SORTS.get(sort, "path"))
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/organisation_list.html",
        {"filter": filterset, "page": page, "sort": sort},
    )


@login_required
def organisation_detail(request, pk: int):
    perms.require(request.user, org_perms.can_view_organisations(request.user))
    visible = org_perms.organisations_visible_to(request.user)
    organisation = perms.get_visible_or_404(request.user, visible.select_related("principal", "jurisdiction"), pk=pk)
    children = Organisation.objects.get_children(organisation).select_related("principal")
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "organisation": organisation,
            "children": children,
            "ancestors": Organisation.objects.get_ancestors(organisation),
            "history": organisation.history.select_related("history_user")[:20],
            "can_change": org_perms.can_change_organisation(request.user, organisation),
            "can_record_reform": org_perms.can_record_reform(request.user, organisation),
            "successions": successions_of(organisation),
            "predecessions": predecessions_of(organisation),
            "can_add_child": org_perms.can_add_child(request.user, organisation),
        },
    )


@login_required
def organisation_edit(request, pk: int):
    perms.require(request.user, org_perms.can_view_organisations(request.user))
    visible = org_perms.organisations_visible_to(request.user)
    organisation = perms.get_visible_or_404(request.user, visible, pk=pk)
    perms.require(
        request.user,
        org_perms.can_change_organisation(request.user, organisation),
        obj=organisation,
        reason=gettext_lazy("may not change this organisation"),
    )
    form = OrganisationForm(request.POST or None, instance=organisation, principal_choices=visible)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(organisation=organisation, actor=request.user, **form.cleaned_data)
        except services.OrganisationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved."))
            return redirect("organisations:detail", pk=organisation.pk)
    return render(request, "organisations/organisation_form.html", {"form": form, "organisation": organisation})


@login_required
def organisation_add_child(request, pk: int):
    perms.require(request.user, org_perms.can_view_organisations(request.user))
    visible = org_perms.organisations_visible_to(request.user)
    parent = perms.get_visible_or_404(request.user, visible, pk=pk)
    perms.require(request.user, org_perms.can_add_child(request.user, parent), obj=parent)
    form = OrganisationCreateForm(request.POST or None, principal_choices=visible)
    kinds = org_perms.child_kinds_allowed(request.user, parent)
    form.fields["kind"].choices = [(k.value, k.label) for k in OrganisationKind if k in kinds]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            child = services.organisation_create(
                parent=parent,
                code=data.pop("code"),
                name=data.pop("name"),
                kind=data.pop("kind"),
                actor=request.user,
                **data,
            )
        except services.OrganisationError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Created."))
            return redirect("organisations:detail", pk=child.pk)
    return render(request, "organisations/organisation_form.html", {"form": form, "parent": parent})


@login_required
def organisation_reform(request, pk: int):
    """The establishment office records an institutional reform of ``pk``: what became of it,
    who takes over its functions, when, and under which reform."""
    perms.require(request.user, org_perms.can_view_organisations(request.user))
    visible = org_perms.organisations_visible_to(request.user)
    organisation = perms.get_visible_or_404(request.user, visible.select_related("jurisdiction"), pk=pk)
    perms.require(
        request.user,
        org_perms.can_record_reform(request.user, organisation),
        obj=organisation,
        reason=gettext_lazy("may not record a reform of this organisation"),
    )
    form = ReformForm(request.POST or None, successor_choices=org_perms.reform_successor_choices(organisation))
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_reform(
                actor=request.user,
                predecessor=organisation,
                successors=list(form.cleaned_data["successors"]),
                kind=form.cleaned_data["kind"],
                effective_on=form.cleaned_data["effective_on"],
                reform=form.cleaned_data["reform"],
                note=form.cleaned_data["note"],
            )
        except services.OrganisationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The reform is on record."))
            return redirect("organisations:detail", pk=organisation.pk)
    return render(request, "organisations/organisation_reform.html", {"form": form, "organisation": organisation})


class OrganisationViewSet(
    ScopedObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Organisations in the caller's scope: a city office sees the whole city, a county office
    its county, a department itself and its agencies."""

    serializer_class = OrganisationSerializer
    permission_classes = [Capability, ObjectChange]
    filterset_class = OrganisationFilter
    ordering_fields = ["path", "name", "code"]
    ordering = ["path"]
    capability = staticmethod(org_perms.can_view_organisations)
    can_change = staticmethod(org_perms.can_change_organisation)

    def get_queryset(self):
        return with_parent_id(org_perms.organisations_visible_to(self.request.user))

    def perform_update(self, serializer):
        serializer.instance = services.organisation_update(
            organisation=serializer.instance, actor=self.request.user, **serializer.validated_data
        )
