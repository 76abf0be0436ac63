from django.urls import path

from . import views

app_name = "kiosk"

urlpatterns = [
    path("kiosk/", views.welcome, name="welcome"),
    path("kiosk/start/", views.start, name="start"),
    path("kiosk/reset/", views.reset, name="reset"),
    path("kiosk/menu/", views.menu, name="menu"),
    path("kiosk/menu/version", views.menu_version, name="menu_version"),
    path("kiosk/products/<int:product_id>/", views.product, name="product"),
    path("kiosk/cart/", views.cart_view, name="cart"),
    path("kiosk/cart/lines/<str:line_id>/", views.cart_line, name="cart_line"),
    path("kiosk/cart/remove-unavailable/", views.cart_remove_unavailable, name="cart_remove_unavailable"),
    path("kiosk/pay/", views.pay, name="pay"),
    path("kiosk/orders/<str:public_id>/processing/", views.order_processing, name="order_processing"),
    path("kiosk/orders/<str:public_id>/status", views.order_status, name="order_status"),
    path("kiosk/orders/<str:public_id>/failed/", views.order_failed, name="order_failed"),
    path("kiosk/orders/<str:public_id>/", views.order_done, name="order_done"),
    path("kiosk/mode/", views.toggle_mode, name="mode"),
    path("kiosk/staff-call/", views.staff_call, name="staff_call"),
    path("kiosk/staff-call/status", views.staff_call_status, name="staff_call_status"),
    path("kiosk/staff-calls", views.staff_calls_pending, name="staff_calls_pending"),
    path("kiosk/receipt/<int:store_id>/<str:public_id>/", views.receipt, name="receipt"),
]
