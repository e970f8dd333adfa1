from csp.decorators import csp_update
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.views import UserViewSet
from audit.views import AuditEventViewSet
from accountability.api import CaseViewSet as AccountabilityCaseViewSet
from appraisal import api as appraisal_api
from authority.api import BreakdownViewSet, CertificateViewSet, OfficerViewSet, PostViewSet, PowerViewSet
from basis.api import (
    CatalogueViewSet,
    CompilationViewSet,
    DeadlineViewSet,
    EntryViewSet,
    InstrumentViewSet,
    PublicCatalogueViewSet,
    PublicEntryViewSet,
)
from notifications.api import NotificationViewSet
from organisations.views import OrganisationViewSet
from responsibility import api as responsibility_api
from responsibility import disclosure_api
from rollout import campaigns_api
from rollout import api_filings

from . import views

router = DefaultRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("users", UserViewSet, basename="user")
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register("authority/breakdowns", BreakdownViewSet, basename="breakdown")
router.register("accountability/cases", AccountabilityCaseViewSet, basename="accountability-case")
router.register(r"authority/breakdowns/(?P<breakdown_pk>[0-9]+)/powers", PowerViewSet, basename="breakdown-power")
router.register("authority/posts", PostViewSet, basename="post")
router.register("authority/officers", OfficerViewSet, basename="officer")
router.register("authority/certificates", CertificateViewSet, basename="certificate")
router.register("basis/instruments", InstrumentViewSet, basename="instrument")
router.register("basis/catalogues", CatalogueViewSet, basename="catalogue")
router.register(r"basis/catalogues/(?P<catalogue_pk>[0-9]+)/entries", EntryViewSet, basename="catalogue-entry")
router.register("basis/deadlines", DeadlineViewSet, basename="deadline")
router.register("basis/compilation", CompilationViewSet, basename="compilation")
router.register("public/catalogues", PublicCatalogueViewSet, basename="public-catalogue")
router.register("public/entries", PublicEntryViewSet, basename="public-entry")
router.register("notifications", NotificationViewSet, basename="notification")
responsibility_api.register(router)
campaigns_api.register(router)
disclosure_api.register(router)
api_filings.register(router)
appraisal_api.register(router)

urlpatterns = [
    path("", include("portal.urls")),
    # The captcha of the portal's rating form (appraisal). Outside the portal's namespace, as the
    # library reverses its own unnamespaced names; its images come from our origin (img-src 'self').
    path("captcha/", include("captcha.urls")),
    path("office/", views.home, name="home"),
    path("office/status/", views.status, name="status"),
    path("office/notifications/", include("notifications.urls")),
    path("office/organisations/", include("organisations.urls")),
    path("office/audit/", include("audit.urls")),
    path("office/basis/", include("basis.urls")),
    path("office/authority/", include("authority.urls")),
    path("office/responsibility/", include("responsibility.urls")),
    path("office/disclosure/", include("responsibility.disclosure_urls")),
    path("office/campaigns/", include("rollout.campaigns_urls")),
    path("office/rollout/filings/", include("rollout.urls_filings")),
    path("office/accountability/", include("accountability.urls")),
    path("office/appraisal/", include("appraisal.urls")),
    path("accounts/", include("accounts.urls")),
    # The language switch sits on the public pages, which proxies may cache: a CSRF token there
    # would set a cookie on every visitor. A forged switch changes only the victim's interface
    # language (set_language checks that "next" stays on this site), so it needs no token.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("api/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view loads its start-up code as a script file (?script), not inline, so the
    # Content-Security-Policy needs no exception for scripts; only the page's own <style> block.
    path(
        "api/docs/",
        csp_update({"style-src-elem": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]

# No /media/ route, not even under DEBUG: uploads are served only by views that check the
# record's scoping (toolkit.files.file_response), so `make run` exposes nothing more than
# production does.

handler403 = "config.views.error_403"
handler404 = "config.views.error_404"
handler500 = "config.views.error_500"
