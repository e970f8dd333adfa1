from django.urls import path

from . import campaigns_views as views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("dashboard/", views.current_dashboard, name="current_dashboard"),
    path("checklist/", views.checklist, name="checklist"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/phases/", views.campaign_phases, name="campaign_phases"),
    path("<int:pk>/dashboard/", views.dashboard, name="dashboard"),
    path("<int:pk>/spot-checks/new/", views.spot_check_create, name="spot_check_create"),
    path("spot-checks/<int:pk>/", views.spot_check_detail, name="spot_check_detail"),
    path("spot-checks/<int:pk>/targets/<int:target_id>/findings/new/", views.finding_create, name="finding_create"),
    path("findings/<int:finding_id>/report/", views.finding_report, name="finding_report"),
    path("findings/<int:finding_id>/<str:decision>/", views.finding_decide, name="finding_decide"),
]
