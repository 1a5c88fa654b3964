from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from complaints_project import health

admin.autodiscover()  # complaints_project/admin_site.py: not done at start-up

urlpatterns = [
    path("health/", health.liveness, name="health-live"),
    path("health/ready/", health.readiness, name="health-ready"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/", include("accounts.api.urls")),
    path("api/", include("complaints.api.urls")),
    path("api/", include("complaints.api.attachment_urls")),
    path("api/", include("analytics.api.urls")),
]

handler400 = "complaints_project.exceptions.json_bad_request"
handler403 = "complaints_project.exceptions.json_permission_denied"
handler404 = "complaints_project.exceptions.json_not_found"
handler500 = "complaints_project.exceptions.json_server_error"
