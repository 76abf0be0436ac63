from django.urls import path

from . import api, views

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
    # JSON API for tablets and integrators
    path("api/tables", api.tables, name="api_tables"),
    path("api/tables/<str:table_id>/tab", api.table_tab, name="api_table_tab"),
    path("api/tables/<str:table_id>/rounds", api.table_rounds, name="api_table_rounds"),
]
