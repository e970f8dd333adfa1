from django.urls import path, re_path

from . import views

app_name = "portal"

DEPARTMENT = r"^departments/(?P<code>[^/]+)/disclosure/(?P<kind>booklet|bulletin)"
GOVERNMENT = r"^governments/(?P<code>[^/]+)/disclosure/(?P<kind>compilation)"

urlpatterns = [
    path("", views.portal_home, name="home"),
    path("search/", views.search, name="search"),
    path("governments/<str:code>/", views.government_detail, name="government"),
    re_path(GOVERNMENT + r"\.pdf$", views.government_document, name="government_document"),
    re_path(GOVERNMENT + r"/v(?P<version>[0-9]+)\.pdf$", views.government_document, name="government_document_version"),
    path("departments/<str:code>/", views.department_detail, name="department"),
    path("departments/<str:code>/catalogue/", views.department_catalogue, name="department_catalogue"),
    path("departments/<str:code>/powers/", views.department_powers, name="department_powers"),
    path("departments/<str:code>/powers/<str:power_code>/", views.power_detail, name="power"),
    path("departments/<str:code>/posts/", views.department_posts, name="department_posts"),
    path("departments/<str:code>/officers/", views.department_officers, name="department_officers"),
    path("departments/<str:code>/responsibilities/", views.department_responsibilities, name="department_responsibilities"),
    path("departments/<str:code>/standards/", views.department_standards, name="department_standards"),
    re_path(DEPARTMENT + r"\.pdf$", views.department_document, name="department_document"),
    re_path(DEPARTMENT + r"/v(?P<version>[0-9]+)\.pdf$", views.department_document, name="department_document_version"),
    # The published catalogues of issue 3.
    path("catalogues/", views.catalogue_index, name="catalogue_index"),
    path("catalogues/search/", views.catalogue_search, name="catalogue_search"),
    # Bulk open data (issue 13).
    path("open-data/", views.open_data, name="open_data"),
    path("open-data/dictionary/", views.open_data_dictionary, name="open_data_dictionary"),
    re_path(
        r"^open-data/(?P<code>[^/]+)/(?P<dataset>catalogue|breakdown|responsibilities|certificates)\.(?P<data_format>csv|xlsx|json)$",
        views.open_data_download,
        name="open_data_file",
    ),
    path("accountability/", views.accountability_notices, name="accountability"),
    path("verify/", views.certificate_verify, name="certificate_verify"),
    path("verify/<str:number>/", views.certificate_verify_number, name="certificate_verify_number"),
]

# Appraisal (issue 15): published results, and the rating form.
from . import appraisal_views  # noqa: E402

urlpatterns += [
    path("appraisal/", appraisal_views.appraisal_index, name="appraisal_index"),
    path("appraisal/<int:pk>/", appraisal_views.appraisal_results, name="appraisal_results"),
    path("departments/<str:code>/rate/", appraisal_views.department_rate, name="department_rate"),
]
