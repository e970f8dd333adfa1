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
    path("catalogues/<int:pk>/opinion/", views.catalogue_opinion, name="catalogue_opinion"),
    path("catalogues/<int:pk>/entries/new/", views.entry_edit, name="entry_create"),
    path("catalogues/<int:pk>/entries/<int:entry_id>/", views.entry_edit, name="entry_edit"),
    path("catalogues/<int:pk>/entries/<int:entry_id>/delete/", views.entry_delete, name="entry_delete"),
    path("catalogues/<int:pk>/entries/<int:entry_id>/text/", views.entry_attachment, name="entry_attachment"),
    path("catalogues/<int:pk>/import/", views.catalogue_import, name="catalogue_import"),
    path("catalogues/<int:pk>/pending/<int:row_id>/remove/", views.pending_row_remove, name="pending_row_remove"),
    path("catalogues/<int:pk>/export.xlsx", views.catalogue_export, name="catalogue_export"),
    path("catalogues/<int:pk>/diff/", views.catalogue_diff, name="catalogue_diff"),
    path("compilation/", views.compilation, name="compilation"),
    path("findings/", views.finding_list, name="finding_list"),
    path("instruments/", views.instrument_list, name="instrument_list"),
    path("instruments/date-disagreements/", views.date_disagreements, name="date_disagreements"),
    path("instruments/new/", views.instrument_edit, name="instrument_create"),
    path("instruments/<int:pk>/", views.instrument_detail, name="instrument_detail"),
    path("instruments/<int:pk>/edit/", views.instrument_edit, name="instrument_edit"),
    path("instruments/<int:pk>/attachment/", views.instrument_attachment, name="instrument_attachment"),
    path("instruments/<int:pk>/amend/", views.instrument_amend, name="instrument_amend"),
    path("instruments/propose/", views.instrument_propose, name="instrument_propose"),
    path("instruments/proposals/", views.proposal_list, name="proposal_list"),
    path("instruments/proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("instruments/proposals/<int:pk>/<str:decision>/", views.proposal_decide, name="proposal_decide"),
    path("deadline/", views.deadline_edit, name="deadline"),
    path("review-settings/", views.review_settings_edit, name="review_settings"),
]
