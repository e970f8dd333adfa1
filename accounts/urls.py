from django.contrib.auth import views as auth_views
from django.urls import path

from . import two_factor_views, views, views_access

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("two-factor/", two_factor_views.two_factor_enrol, name="two_factor_enrol"),
    path("two-factor/verify/", two_factor_views.two_factor_verify, name="two_factor_verify"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/require-password-change/", views.user_require_password_change, name="user_require_password_change"),
    path("password/set/<uidb64>/<token>/", views_access.InitialPasswordView.as_view(), name="password_set"),
    path("role-requests/", views_access.role_request_list, name="role_request_list"),
    path(
        "role-requests/<int:pk>/<str:decision>/",
        views_access.role_request_decide,
        name="role_request_decide",
    ),
    path("users/<int:pk>/reset-second-factor/", two_factor_views.user_second_factor_reset, name="user_second_factor_reset"),
]
