from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.portal_home, name="home"),
    path("catalogues/", views.catalogue_index, name="catalogue_index"),
    path("catalogues/search/", views.catalogue_search, name="catalogue_search"),
    path("departments/<str:code>/catalogue/", views.department_catalogue, name="department_catalogue"),
    path("verify/", views.certificate_verify, name="certificate_verify"),
    path("verify/<str:number>/", views.certificate_verify_number, name="certificate_verify_number"),
]
