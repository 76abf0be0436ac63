from django.urls import path

from . import views

app_name = "ops"

# RequestObservabilityMiddleware answers these paths first; the patterns make them reversible and
# keep them working if the middleware is ever left out.
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
]
