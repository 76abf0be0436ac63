from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("api/orders/start-payment/<str:cart_id>", views.start_payment, name="api_start_payment"),
]
