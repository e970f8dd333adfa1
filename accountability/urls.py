from django.urls import path

from . import views

app_name = "accountability"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/transition/<str:name>/", views.case_transition, name="case_transition"),
    path("<int:pk>/extend/", views.case_extend, name="case_extend"),
    path("<int:pk>/persons/", views.person_add, name="person_add"),
    path("<int:pk>/persons/<int:child>/remove/", views.person_remove, name="person_remove"),
    path("<int:pk>/measures/", views.measure_add, name="measure_add"),
    path("<int:pk>/measures/<int:child>/remove/", views.measure_remove, name="measure_remove"),
    path("<int:pk>/measures/<int:child>/reinstate/", views.measure_reinstate, name="measure_reinstate"),
    path("<int:pk>/measures/<int:child>/rectified/", views.rectification_complete, name="rectification_complete"),
    path("<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("<int:pk>/evidence/<int:child>/", views.evidence_download, name="evidence_download"),
    path("<int:pk>/referrals/", views.referral_add, name="referral_add"),
    path("<int:pk>/referrals/<int:child>/reply/", views.referral_reply, name="referral_reply"),
    path("<int:pk>/decide/", views.case_decide, name="case_decide"),
    path("<int:pk>/appeal/", views.case_appeal, name="case_appeal"),
    path("<int:pk>/appeals/<int:child>/decide/", views.appeal_decide, name="appeal_decide"),
    path("commendations/", views.commendation_list, name="commendation_list"),
    path("commendations/<int:pk>/<str:action>/", views.commendation_action, name="commendation_action"),
    path("suggestions/", views.suggestion_list, name="suggestion_list"),
    path("suggestions/<int:pk>/<str:action>/", views.suggestion_action, name="suggestion_action"),
    path("settings/", views.remedy_setting, name="remedy_setting"),
]
