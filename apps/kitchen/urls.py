from django.urls import path

from . import views

app_name = "kitchen"

urlpatterns = [
    path("kitchen/", views.display, name="display"),
    path("kitchen/station/", views.station_pick, name="station_pick"),
    path("kitchen/feed/", views.feed, name="feed"),
    path("kitchen/tickets/<int:ticket_id>/", views.recall, name="recall"),
    path("kitchen/tickets/<int:ticket_id>/bump/", views.bump, name="bump"),
    path("kitchen/tickets/<int:ticket_id>/undo/", views.undo, name="undo"),
    path("kitchen/progress/<int:store_id>/<str:public_id>/", views.progress, name="progress"),
    path("board/", views.board, name="board"),
    path("board/feed/", views.board_feed, name="board_feed"),
]
