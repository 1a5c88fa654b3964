from django.urls import path

from complaints.api import calendars, canned_responses, handlers, views
from complaints.api.workflow import WorkflowView

urlpatterns = [
    path("complaints/", views.ComplaintListCreateView.as_view(), name="complaint-list"),
    path(
        "complaints/by-ref/<str:reference>/",
        views.ComplaintByReferenceView.as_view(),
        name="complaint-by-ref",
    ),
    path("complaints/<uuid:pk>/", views.ComplaintDetailView.as_view(), name="complaint-detail"),
    path(
        "complaints/<uuid:pk>/transition/",
        views.ComplaintTransitionView.as_view(),
        name="complaint-transition",
    ),
    path(
        "complaints/<uuid:pk>/assign/",
        views.ComplaintAssignView.as_view(),
        name="complaint-assign",
    ),
    path(
        "complaints/<uuid:pk>/merge/",
        views.ComplaintMergeView.as_view(),
        name="complaint-merge",
    ),
    path(
        "complaints/<uuid:pk>/review/",
        views.ComplaintReviewRequestView.as_view(),
        name="complaint-review-request",
    ),
    path(
        "complaints/<uuid:pk>/review/conclude/",
        views.ComplaintReviewConcludeView.as_view(),
        name="complaint-review-conclude",
    ),
    path(
        "complaints/<uuid:pk>/comments/",
        views.ComplaintCommentsView.as_view(),
        name="complaint-comments",
    ),
    path(
        "complaints/<uuid:pk>/history/",
        views.ComplaintHistoryView.as_view(),
        name="complaint-history",
    ),
    path(
        "complaints/<uuid:pk>/feedback/",
        views.ComplaintFeedbackView.as_view(),
        name="complaint-feedback",
    ),
    path(
        "complaints/<uuid:pk>/canned-responses/",
        canned_responses.ComplaintCannedResponsesApi.as_view(),
        name="complaint-canned-responses",
    ),
    path(
        "canned-responses/",
        canned_responses.CannedResponseListCreateApi.as_view(),
        name="canned-response-list",
    ),
    path(
        "canned-responses/placeholders/",
        canned_responses.CannedResponsePlaceholdersApi.as_view(),
        name="canned-response-placeholders",
    ),
    path(
        "canned-responses/<int:pk>/",
        canned_responses.CannedResponseDetailApi.as_view(),
        name="canned-response-detail",
    ),
    path("categories/", views.CategoryListCreateView.as_view(), name="category-list"),
    path("categories/<int:pk>/", views.CategoryDetailView.as_view(), name="category-detail"),
    path("users/handlers/", handlers.HandlerListApi.as_view(), name="user-handlers"),
    path("sla-calendars/", calendars.CalendarListCreateApi.as_view(), name="sla-calendar-list"),
    path(
        "sla-calendars/<int:pk>/",
        calendars.CalendarDetailApi.as_view(),
        name="sla-calendar-detail",
    ),
    path("workflow/", WorkflowView.as_view(), name="workflow"),
]
