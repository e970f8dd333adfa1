from django.urls import path

from . import views

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("<int:pk>/edit/", views.organisation_edit, name="edit"),
    path("<int:pk>/add/", views.organisation_add_child, name="add_child"),
    path("<int:pk>/reform/", views.organisation_reform, name="reform"),
]
