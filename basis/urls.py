from django.urls import path

from . import views

app_name = "basis"

urlpatterns = [
    path("catalogues/", views.catalogue_list, name="catalogue_list"),
    path("catalogues/progress/", views.catalogue_progress, name="catalogue_progress"),
    path("catalogues/start/", views.catalogue_start, name="catalogue_start"),
    path("catalogues/<int:pk>/", views.catalogue_detail, name="catalogue_detail"),
    path("catalogues/<int:pk>/transition/<str:name>/", views.catalogue_transition, name="catalogue_transition"),
    path("catalogues/<int:pk>/comment/", views.catalogue_comment, name="catalogue_comment"),
    path("catalogues/<int:pk>/entries/new/", views.entry_edit, name="entry_create"),
    path("catalogues/<int:pk>/entries/<int:entry_id>/", views.entry_edit, name="entry_edit"),
    path("catalogues/<int:pk>/entries/<int:entry_id>/delete/", views.entry_delete, name="entry_delete"),
    path("catalogues/<int:pk>/entries/<int:entry_id>/text/", views.entry_attachment, name="entry_attachment"),
    path("catalogues/<int:pk>/import/", views.catalogue_import, name="catalogue_import"),
    path("catalogues/<int:pk>/export.xlsx", views.catalogue_export, name="catalogue_export"),
    path("catalogues/<int:pk>/diff/", views.catalogue_diff, name="catalogue_diff"),
    path("compilation/", views.compilation, name="compilation"),
    path("instruments/", views.instrument_list, name="instrument_list"),
    path("instruments/new/", views.instrument_edit, name="instrument_create"),
    path("instruments/<int:pk>/", views.instrument_detail, name="instrument_detail"),
    path("instruments/<int:pk>/edit/", views.instrument_edit, name="instrument_edit"),
    path("instruments/<int:pk>/attachment/", views.instrument_attachment, name="instrument_attachment"),
    path("instruments/<int:pk>/amend/", views.instrument_amend, name="instrument_amend"),
    path("deadline/", views.deadline_edit, name="deadline"),
]
