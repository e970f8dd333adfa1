from django.urls import path

from . import views

app_name = "responsibility"

urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.set_start, name="set_start"),
    path("sets/<int:pk>/", views.set_detail, name="set_detail"),
    path("sets/<int:pk>/transition/<str:name>/", views.set_transition, name="set_transition"),
    path("sets/<int:pk>/responsibilities/new/", views.responsibility_edit, name="responsibility_create"),
    path("sets/<int:pk>/responsibilities/<int:item_id>/", views.responsibility_edit, name="responsibility_edit"),
    path(
        "sets/<int:pk>/responsibilities/<int:item_id>/delete/", views.responsibility_delete,
        name="responsibility_delete",
    ),
    path("sets/<int:pk>/standards/new/", views.standard_edit, name="standard_create"),
    path("sets/<int:pk>/standards/<int:standard_id>/", views.standard_edit, name="standard_edit"),
    path("sets/<int:pk>/standards/<int:standard_id>/delete/", views.standard_delete, name="standard_delete"),
    path("rules/", views.rule_home, name="rule_home"),
    path("rules/<int:department_id>/", views.rule_list, name="rule_list"),
    path("rules/<int:department_id>/new/", views.rule_edit, name="rule_create"),
    path("rules/<int:department_id>/<int:rule_id>/", views.rule_edit, name="rule_edit"),
    path("rules/<int:department_id>/<int:rule_id>/status/", views.rule_status, name="rule_status"),
    path("rules/<int:department_id>/<int:rule_id>/document/", views.rule_document, name="rule_document"),
    path("coverage/", views.coverage, name="coverage"),
    path("law-to-duty/", views.law_to_duty, name="law_to_duty"),
]
