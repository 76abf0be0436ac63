from django.urls import path

from . import owner_views, views

app_name = "stores"

urlpatterns = [
    path("", owner_views.home, name="home"),
    path("onboarding/", owner_views.onboarding, name="onboarding"),
    path("pair/", views.pair, name="pair"),
    path("api/devices/pair", views.api_pair, name="api_pair"),
    path("api/devices/me", views.api_device_me, name="api_device_me"),
]
