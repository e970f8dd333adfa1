from django.urls import path

from . import views_filings as views

app_name = "filings"

urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/mine/", views.plan_mine, name="plan_mine"),
    path("plans/open/<int:organisation_id>/", views.plan_open, name="plan_open"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/compare/", views.plan_compare, name="plan_compare"),
    path("plans/<int:pk>/<str:name>/", views.plan_transition, name="plan_transition"),
    path("plans/<int:pk>/revisions/<int:number>/<str:which>/", views.plan_document, name="plan_document"),
    path("teams/<int:organisation_id>/", views.team_detail, name="team_detail"),
    path("teams/<int:organisation_id>/members/new/", views.member_edit, name="member_add"),
    path("teams/<int:organisation_id>/members/<int:member_id>/", views.member_edit, name="member_edit"),
    path("teams/<int:organisation_id>/members/<int:member_id>/remove/", views.member_remove, name="member_remove"),
    path("summaries/", views.summary_list, name="summary_list"),
    path("summaries/write/<int:organisation_id>/<int:phase_id>/", views.summary_edit, name="summary_edit"),
    path("summaries/<int:pk>/", views.summary_detail, name="summary_detail"),
    path("summaries/<int:pk>/document/", views.summary_document, name="summary_document"),
    path("summaries/<int:pk>/<str:name>/", views.summary_transition, name="summary_transition"),
    path("problems/", views.problem_list, name="problem_list"),
    path("problems/<int:pk>/answer/", views.problem_answer, name="problem_answer"),
]
