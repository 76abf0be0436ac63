from django.urls import path

from . import views

app_name = "inventory"

urlpatterns = [
    path("api/inventories", views.inventories, name="api_inventories"),
    path("api/inventories/<int:inventory_id>/products", views.inventory_products, name="api_products"),
    path(
        "api/inventories/<int:inventory_id>/products/<int:product_id>",
        views.inventory_product,
        name="api_product",
    ),
]
