from django.urls import path

from . import views

app_name = "discounts"

urlpatterns = [
    path("api/discounts/owner/create", views.owner_create, name="owner_create"),
]
