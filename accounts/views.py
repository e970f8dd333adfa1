from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework import mixins, serializers, viewsets

from . import permissions as perms
from . import services
from .api_permissions import Capability, ObjectChange, ScopedObjectMixin
from .forms import LoginForm, OwnPasswordChangeForm, UserCreateForm, UserForm
from .models import Role, User
from .selectors import locked_usernames


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def password_change(request):
    form = OwnPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_change_password(user=request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return redirect("home")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "expired": request.GET.get("expired") == "1"},
    )


@login_required
def user_list(request):
    perms.require(request.user, perms.can_view_users(request.user))
    queryset = perms.users_visible_to(request.user)
    query = request.GET.get("q", "").strip()
    if query:
        queryset = queryset.filter(
            Q(username__icontains=query) | Q(full_name__icontains=query) | Q(organisation__name__icontains=query)
        )
    role = request.GET.get("role", "")
    if role in Role.values:
        queryset = queryset.filter(role=role)
    sort = request.GET.get("sort", "username")
    if sort not in {"username", "-username", "role", "last_login", "-last_login"}:
        sort = "username"
    page = Paginator(queryset.order_by(sort), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/user_list.html",
        {
            "page": page,
            "q": query,
            "role": role,
            "roles": Role.choices,
            "sort": sort,
            "locked": locked_usernames(),
            "can_manage": perms.can_manage_users(request.user),
            "can_set_policy": perms.can_set_security_policy(request.user),
        },
    )


@login_required
def user_create(request):
    perms.require(request.user, perms.can_manage_users(request.user), who=perms.Actor.SYSTEM_ADMIN)
    form = UserCreateForm(request.POST or None, assignable_roles=perms.assignable_roles(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.user_create(actor=request.user, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "The account has been created. Its holder receives a link to choose a password by e-mail; "
                    "the role takes effect once the security administrator approves it."
                ),
            )
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form})


@login_required
def user_edit(request, pk: int):
    perms.require(request.user, perms.can_manage_users(request.user), who=perms.Actor.SYSTEM_ADMIN)
    target = perms.get_visible_or_404(request.user, perms.users_visible_to(request.user), pk=pk)
    perms.require(request.user, perms.can_change_user(request.user, target), obj=target, who=perms.Actor.SYSTEM_ADMIN)
    form = UserForm(
        request.POST or None, instance=User.objects.get(pk=target.pk), assignable_roles=perms.assignable_roles(request.user)
    )
    if request.method == "POST" and form.is_valid():
        services.user_update(actor=request.user, user=target, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "target": target})


@login_required
@require_POST
def user_unlock(request, pk: int):
    perms.require(request.user, perms.can_set_security_policy(request.user), who=perms.Actor.SECURITY_ADMIN)
    target = perms.get_visible_or_404(request.user, perms.users_visible_to(request.user), pk=pk)
    services.user_unlock(actor=request.user, user=target)
    messages.success(request, _("Account %(name)s unlocked.") % {"name": target.username})
    return redirect("accounts:user_list")


@login_required
@require_POST
def user_require_password_change(request, pk: int):
    perms.require(request.user, perms.can_set_security_policy(request.user), who=perms.Actor.SECURITY_ADMIN)
    target = perms.get_visible_or_404(request.user, perms.users_visible_to(request.user), pk=pk)
    services.user_require_password_change(actor=request.user, user=target)
    messages.success(request, _("%(name)s must change the password at next login.") % {"name": target.username})
    return redirect("accounts:user_list")


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "full_name", "email", "role", "organisation", "is_active", "last_login"]
        read_only_fields = ["id", "username", "last_login"]


class UserViewSet(
    ScopedObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Accounts, for the system administrator (manage) and the security administrator (read)."""

    serializer_class = UserSerializer
    permission_classes = [Capability, ObjectChange]
    capability = staticmethod(perms.can_view_users)
    can_change = staticmethod(perms.can_change_user)
    filterset_fields = ["role", "organisation", "is_active"]
    search_fields = ["username", "full_name"]
    ordering_fields = ["username", "last_login"]
    ordering = ["username"]

    def get_queryset(self):
        return perms.users_visible_to(self.request.user)

    def perform_update(self, serializer):
        serializer.instance = services.user_update(
            actor=self.request.user, user=serializer.instance, **serializer.validated_data
        )
