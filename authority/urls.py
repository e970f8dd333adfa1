from django.urls import path

from . import views

app_name = "authority"

urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.breakdown_start, name="breakdown_start"),
    path("completeness/", views.completeness, name="completeness"),
    path("breakdowns/<int:pk>/", views.breakdown_detail, name="breakdown_detail"),
    path("breakdowns/<int:pk>/transition/<str:name>/", views.breakdown_transition, name="breakdown_transition"),
    path("breakdowns/<int:pk>/import/", views.breakdown_import, name="breakdown_import"),
    path("breakdowns/<int:pk>/export.xlsx", views.breakdown_export, name="breakdown_export"),
    path("breakdowns/<int:pk>/powers/new/", views.power_edit, name="power_create"),
    path("breakdowns/<int:pk>/powers/<int:power_id>/", views.power_edit, name="power_edit"),
    path("breakdowns/<int:pk>/powers/<int:power_id>/delete/", views.power_delete, name="power_delete"),
    path("breakdowns/<int:pk>/powers/<int:power_id>/assign/", views.power_assign, name="power_assign"),
    path(
        "breakdowns/<int:pk>/powers/<int:power_id>/assignments/<int:assignment_id>/delete/",
        views.power_unassign,
        name="power_unassign",
    ),
    path("breakdowns/<int:pk>/powers/<int:power_id>/procedure/", views.procedure_edit, name="procedure_edit"),
    path("breakdowns/<int:pk>/powers/<int:power_id>/flowchart.svg", views.power_flowchart, name="power_flowchart"),
    path("posts/", views.post_list, name="post_list"),
    path("officers/", views.officer_list, name="officer_list"),
    path("officers/<int:pk>/", views.officer_detail, name="officer_detail"),
    path("officers/<int:pk>/placements/<int:placement_id>/end/", views.placement_end, name="placement_end"),
    path("officers/<int:pk>/<str:action>/", views.officer_action, name="officer_action"),
    path("certificates/<int:pk>/qr.svg", views.certificate_qr, name="certificate_qr"),
    path("certificates/<int:pk>/<str:action>/", views.certificate_action, name="certificate_action"),
]
