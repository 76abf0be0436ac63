from django.urls import path

from . import views

app_name = "carts"

urlpatterns = [
    path("api/carts", views.cart_create, name="api_create"),
    path("api/carts/<str:cart_id>", views.cart_detail, name="api_detail"),
    path("api/carts/<str:cart_id>/items", views.cart_items, name="api_items"),
    path("api/carts/<str:cart_id>/items/<str:line_id>", views.cart_item, name="api_item"),
]
