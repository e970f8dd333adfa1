from django.urls import path

from . import disclosure_views as views

app_name = "disclosure"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("render/", views.document_request, name="request"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/status/", views.document_status, name="status"),
    path("<int:pk>/retry/", views.document_retry, name="retry"),
    path("<int:pk>/download/", views.document_download, name="download"),
]
