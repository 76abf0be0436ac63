from django.urls import path

from . import views

app_name = "pos"

urlpatterns = [
    path("pos/", views.home, name="home"),
    path("pos/login/", views.pin_login, name="login"),
    path("pos/logout/", views.pin_logout, name="logout"),
]
