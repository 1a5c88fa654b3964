from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from complaints_project import health
from complaints_project.views import ApiRootView

# "View site" in the admin opens the Streamlit app (Django itself serves no pages at /).
admin.site.site_url = settings.FRONTEND_BASE_URL

admin.autodiscover()  # complaints_project/admin_site.py: not done at start-up

urlpatterns = [
    path("health/", health.liveness, name="health-live"),
    path("health/ready/", health.readiness, name="health-ready"),
    path("admin/", admin.site.urls),
    path("api/", ApiRootView.as_view(), name="api-root"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="schema", template_name="api_docs/redoc.html"),
        name="redoc",
    ),
    path("api/", include("accounts.api.urls")),
    path("api/", include("complaints.api.urls")),
    path("api/", include("complaints.api.attachment_urls")),
    path("api/", include("analytics.api.urls")),
]

handler400 = "complaints_project.exceptions.json_bad_request"
handler403 = "complaints_project.exceptions.json_permission_denied"
handler404 = "complaints_project.exceptions.json_not_found"
handler500 = "complaints_project.exceptions.json_server_error"
