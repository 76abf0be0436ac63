from django.urls import path

from . import views

app_name = "payments"

# Fixed paths first: `payments/<order_id>` would otherwise swallow them.
urlpatterns = [
    path("payments/methods/active", views.api_methods_active, name="methods_active"),
    path("payments/toss/confirm", views.api_toss_confirm, name="toss_confirm"),
    path("payments/toss/cancel/<str:payment_key>", views.api_toss_cancel, name="toss_cancel"),
    path("payments/toss/checkout/<str:payment_id>/", views.toss_checkout, name="toss_checkout"),
    path("payments/simulated/checkout/<str:payment_id>/", views.simulated_checkout, name="simulated_checkout"),
    path("payments/return/success", views.return_success, name="return_success"),
    path("payments/return/fail", views.return_fail, name="return_fail"),
    path("payments/portone/checkout/<str:payment_id>/", views.portone_checkout, name="portone_checkout"),
    path("payments/return/portone", views.return_portone, name="return_portone"),
    path("payments", views.api_payments_create, name="create"),
    path("payments/<str:order_id>", views.api_payment_latest, name="latest"),
    path("api/webhooks/toss", views.webhook_toss, name="webhook_toss"),
    path("api/webhooks/portone", views.webhook_portone, name="webhook_portone"),
]
