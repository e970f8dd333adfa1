"""How an account gets its access, apart from the login views: the holder's one-time
set-password link and the security administrator's queue of role requests (三员分立)."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from toolkit.errors import DomainError

from . import permissions as perms
from . import services
from .forms import InitialPasswordForm
from .models import RoleRequest
from .selectors import role_requests_pending
from .tokens import initial_password_token


class InitialPasswordView(auth_views.PasswordResetConfirmView):
    """Django's reset-confirm view with our token (own salt, single use, expiring) and a form
    that saves through the service, so the policy applies and the change is on record."""

    token_generator = initial_password_token
    form_class = InitialPasswordForm
    template_name = "accounts/password_set.html"
    success_url = reverse_lazy("accounts:login")
    reset_url_token = "set-password"

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been set; you can sign in once your role is approved."))
        return super().form_valid(form)


@login_required
def role_request_list(request):
    perms.require(request.user, perms.can_decide_role_requests(request.user), who=perms.Actor.SECURITY_ADMIN)
    return render(request, "accounts/rolerequest_list.html", {"requests": role_requests_pending()})


@login_required
@require_POST
def role_request_decide(request, pk: int, decision: str):
    perms.require(request.user, perms.can_decide_role_requests(request.user), who=perms.Actor.SECURITY_ADMIN)
    if decision not in {"approve", "refuse"}:
        raise Http404
    role_request = get_object_or_404(RoleRequest, pk=pk)
    service = services.role_request_approve if decision == "approve" else services.role_request_refuse
    try:
        service(actor=request.user, role_request=role_request)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        if decision == "approve":
            messages.success(request, _("Role approved for %(name)s.") % {"name": role_request.user.username})
        else:
            messages.success(request, _("Role refused for %(name)s.") % {"name": role_request.user.username})
    return redirect("accounts:role_request_list")
