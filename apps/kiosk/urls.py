from django.urls import path

from . import views

app_name = "kiosk"

urlpatterns = [
    path("kiosk/", views.welcome, name="welcome"),
]
