from django.urls import path

from . import api, views

app_name = "bridge"

urlpatterns = [
    path("api/bridge/poll", api.poll, name="api_poll"),
    path("api/bridge/config", api.config, name="api_config"),
    path("api/bridge/print-jobs/<str:job_id>/ack", api.print_job_ack, name="api_print_ack"),
    path("api/bridge/terminal-jobs/<str:job_id>/result", api.terminal_job_result, name="api_terminal_result"),
    path("pos/bridge/status/", views.status, name="status"),
    path("pos/bridge/drawer/", views.drawer, name="drawer"),
    path("pos/bridge/drawer/panel/", views.drawer_panel, name="drawer_panel"),
    path("pos/bridge/orders/<str:public_id>/tools/", views.order_tools, name="order_tools"),
    path("pos/bridge/orders/<str:public_id>/print/", views.order_print, name="order_print"),
    path("pos/bridge/orders/<str:public_id>/terminal/", views.terminal_charge, name="terminal_charge"),
    path("pos/bridge/terminal-jobs/<str:job_id>/", views.terminal_job, name="terminal_job"),
]
