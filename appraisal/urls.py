from django.urls import path

from . import views, views_records

app_name = "appraisal"

urlpatterns = [
    path("", views.index, name="index"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/edit/", views.scheme_edit, name="scheme_edit"),
    path("schemes/<int:pk>/groups/", views.scheme_group, name="scheme_group"),
    path("schemes/<int:pk>/manual/", views.manual_score, name="manual_score"),
    path("schemes/<int:pk>/rounds/", views.round_start, name="round_start"),
    path("manual/<int:pk>/evidence/", views.manual_evidence, name="manual_evidence"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/chart.svg", views.round_chart, name="round_chart"),
    path("rounds/<int:pk>/results.xlsx", views.round_export, name="round_export"),
    path("rounds/<int:pk>/results.pdf", views.round_pdf, name="round_pdf"),
    path("rounds/<int:pk>/<str:action>/", views.round_action, name="round_action"),
    path("results/<int:pk>/", views.result_detail, name="result_detail"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="objection_answer"),
    path("reviews/", views_records.review_index, name="review_index"),
    path("reviews/draws/<int:pk>/", views_records.draw_detail, name="draw_detail"),
    path("reviews/<int:pk>/", views_records.review_detail, name="review_detail"),
    path("reviews/<int:pk>/assign/", views_records.review_assign, name="review_assign"),
    path("reviews/<int:pk>/finalise/", views_records.review_finalise, name="review_finalise"),
    path("outcomes/", views_records.outcome_index, name="outcome_index"),
    path("outcomes/import/", views_records.outcome_import, name="outcome_import"),
    path("ratings/", views_records.rating_index, name="rating_index"),
    path("ratings/<int:pk>/decide/", views_records.rating_decide, name="rating_decide"),
    path("complaints/", views_records.complaint_index, name="complaint_index"),
]
