from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.permissions import get_visible_or_404

from . import services
from .permissions import notifications_visible_to

PAGE_SIZE = 25


@require_safe
@login_required
def notification_list(request):
    visible = notifications_visible_to(request.user)
    shown = visible.filter(read_at__isnull=True) if request.GET.get("unread") == "1" else visible
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page, "unread_only": request.GET.get("unread") == "1"})


def _back(request):
    """Back to the list page the form was on (its page and filter), never elsewhere."""
    target = request.POST.get("next", "")
    if target.startswith(reverse("notifications:list")) and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return redirect("notifications:list")


@require_POST
@login_required
def notification_read(request, pk: int):
    notification = get_visible_or_404(request.user, notifications_visible_to(request.user), pk=pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    return _back(request)


@require_POST
@login_required
def notification_read_all(request):
    count = services.notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("All notifications are marked read."))
    return _back(request)


@require_POST
@login_required
def notification_open(request, pk: int):
    """Mark read and go where the notification points (a path on this site only)."""
    notification = get_visible_or_404(request.user, notifications_visible_to(request.user), pk=pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    url = notification.url
    if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return redirect(url)
    return redirect("notifications:list")
