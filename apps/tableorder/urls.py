from django.urls import path

from . import api, views, views_phone

app_name = "tableorder"

urlpatterns = [
    # the table tablet (a TABLE device paired to one table)
    path("table/", views.menu, name="menu"),
    path("table/products/<int:product_id>/", views.product, name="product"),
    path("table/add/", views.add, name="add"),
    path("table/lines/<str:line_id>/remove/", views.remove, name="remove"),
    path("table/send/", views.send, name="send"),
    path("table/tab/", views.tab, name="tab"),
    path("table/call/", views.call_staff, name="call"),
    # a guest's phone (QR table ordering): the printed code, then the table's current token
    path("q/<str:code>/", views_phone.printed_code, name="phone_code"),
    path("t/<str:token>/", views_phone.menu, name="phone_menu"),
    path("t/<str:token>/menu-version", views_phone.menu_version, name="phone_menu_version"),
    path("t/<str:token>/products/<str:product_id>/", views_phone.product, name="phone_product"),
    path("t/<str:token>/add/", views_phone.add, name="phone_add"),
    path("t/<str:token>/lines/<str:line_id>/remove/", views_phone.remove, name="phone_remove"),
    path("t/<str:token>/send/", views_phone.send, name="phone_send"),
    path("t/<str:token>/tab/", views_phone.tab, name="phone_tab"),
    path("t/<str:token>/call/", views_phone.call, name="phone_call"),
    path("t/<str:token>/pay/", views_phone.pay, name="phone_pay"),
    path("t/<str:token>/paid/<str:public_id>/", views_phone.paid, name="phone_paid"),
    path("t/<str:token>/pay-failed/<str:public_id>/", views_phone.pay_failed, name="phone_pay_failed"),
    # JSON API for tablets and integrators
    path("api/tables", api.tables, name="api_tables"),
    path("api/tables/<str:table_id>/tab", api.table_tab, name="api_table_tab"),
    path("api/tables/<str:table_id>/rounds", api.table_rounds, name="api_table_rounds"),
]
