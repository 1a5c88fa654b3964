from django.urls import path

from complaints.api.attachments import (
    AttachmentDownloadView,
    AttachmentRulesView,
    ComplaintAttachmentsView,
)

urlpatterns = [
    path(
        "complaints/<uuid:pk>/attachments/",
        ComplaintAttachmentsView.as_view(),
        name="complaint-attachments",
    ),
    path("attachments/rules/", AttachmentRulesView.as_view(), name="attachment-rules"),
    path(
        "attachments/<uuid:pk>/download/",
        AttachmentDownloadView.as_view(),
        name="attachment-download",
    ),
]
