"""Complaints API. Views stay thin: parse input, call a selector or service, render output."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.api.requests import AuthenticatedRequest
from accounts.models import User
from complaints import merging, reviews, selectors, services
from complaints.api import output
from complaints.api import serializers as s
from complaints.api.permissions import CategoryManagerOrReadOnly
from complaints.filters import ComplaintFilter
from complaints.models import Category, Comment, Complaint, HistoryEntry
from complaints.search import SEARCH_COUNT_CAP
from complaints.workflow import Status
from complaints_project.openapi import NOT_BLANK_PATTERN, ErrorSerializer
from complaints_project.pagination import (
    COUNT_DESCRIPTION,
    PAGING_DESCRIPTION,
    CappedCountPagination,
)

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX_LENGTH = 255

# ----------------------------------------------------------------------- schema helpers

ErrorOut = ErrorSerializer
ConflictOut = inline_serializer(
    "Conflict",
    fields={
        "detail": serializers.CharField(),
        "current_status": serializers.ChoiceField(choices=Status.choices, required=False),
        "allowed": serializers.ListField(
            child=serializers.ChoiceField(choices=Status.choices), required=False
        ),
    },
)

R400 = OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid input: field -> messages.")
R401 = OpenApiResponse(ErrorOut, description="Not authenticated.")
R403 = OpenApiResponse(ErrorOut, description="Not allowed for the caller's role.")
R403_SUPERVISORS_ONLY = OpenApiResponse(
    ErrorOut,
    description="Not allowed: a customer (generic message), or staff asking for what only "
    "supervisors and admins may do (`code: supervisors_only`, the message says so).",
)
R404 = OpenApiResponse(
    ErrorOut, description="No such complaint, or it belongs to another customer."
)
R409 = OpenApiResponse(ConflictOut, description="Conflicts with the complaint's current state.")
COMPLAINT_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    {
        "type": "string",
        "minLength": 1,
        "maxLength": IDEMPOTENCY_KEY_MAX_LENGTH,
        "pattern": NOT_BLANK_PATTERN,
    },
    OpenApiParameter.HEADER,
    required=False,
    description="Client-chosen key (max 255 characters) that makes the create safe to retry.",
)


def _idempotency_key(request: AuthenticatedRequest) -> str | None:
    """The ``Idempotency-Key`` header, stripped; None when absent, a 400 when empty or long."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise ValidationError(
            {IDEMPOTENCY_HEADER: [f"Must be 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} characters."]}
        )
    return key


def _complaint_response(
    request: AuthenticatedRequest, complaint: Complaint, code: int = 200
) -> Response:
    """Render a complaint freshly read for the caller (visibility, is_overdue, feedback)."""
    row = selectors.complaint_values_get(user=request.user, complaint_id=complaint.pk)
    return Response(output.complaint_detail(row, user=request.user), status=code)


# ----------------------------------------------------------------------- complaints


class ComplaintListCreateView(generics.GenericAPIView):
    request: AuthenticatedRequest
    serializer_class = s.ComplaintListOutSerializer
    pagination_class = CappedCountPagination
    # Declared for the OpenAPI schema; the selector applies (and validates) the filters.
    filter_backends = [DjangoFilterBackend]
    filterset_class = ComplaintFilter

    def get_queryset(self):
        # Schema generation only: the list reads through selectors.complaint_list.
        return Complaint.objects.none()

    @extend_schema(
        operation_id="complaints_list",
        summary="List the complaints the caller can see",
        description=f"{COUNT_DESCRIPTION} A search by words (`q`) is counted exactly up to "
        f"{SEARCH_COUNT_CAP}.\n\n{PAGING_DESCRIPTION}",
        responses={200: s.ComplaintListOutSerializer(many=True), 400: R400, 401: R401},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        # Filtered and paged on plain columns; only the page's rows are joined and decrypted.
        listing = selectors.complaint_list(user=request.user, filters=request.query_params)
        paginator = CappedCountPagination()
        rows = paginator.paginate_listing(listing, request)
        items = output.complaint_list_items(rows, user=request.user)
        return paginator.get_paginated_response(items)

    @extend_schema(
        operation_id="complaints_create",
        summary="File a complaint",
        description="Honours an `Idempotency-Key` header: a retry with the same key and body "
        "returns the first complaint and creates nothing; the same key with a different body "
        "is a 409.",
        parameters=[IDEMPOTENCY_PARAMETER],
        request=s.ComplaintCreateInSerializer,
        responses={201: s.ComplaintOutSerializer, 400: R400, 401: R401, 409: R409},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        serializer = s.ComplaintCreateInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        complaint, created = services.complaint_file(
            actor=request.user,
            category=data["category"],
            title=data["title"],
            description=data["description"],
            channel=data["channel"],
            priority=data.get("priority"),
            customer_id=data.get("customer_id"),
            idempotency_key=_idempotency_key(request),
            remedy_sought=data["remedy_sought"],
        )
        response = _complaint_response(request, complaint, status.HTTP_201_CREATED)
        if not created:
            response["Idempotent-Replayed"] = "true"
        return response


class ComplaintDetailView(generics.GenericAPIView):
    serializer_class = s.ComplaintOutSerializer

    @extend_schema(
        operation_id="complaints_retrieve",
        parameters=[COMPLAINT_ID],
        responses={200: s.ComplaintOutSerializer, 401: R401, 404: R404},
    )
    def get(self, request: AuthenticatedRequest, pk: UUID) -> Response:
        row = selectors.complaint_values_get(user=request.user, complaint_id=pk)
        return Response(output.complaint_detail(row, user=request.user))

    @extend_schema(
        operation_id="complaints_partial_update",
        summary="Edit a complaint",
        description="The owner may edit title/description while the complaint is new; "
        "supervisors and admins may change priority and category. Fields a customer may not "
        "set are ignored.",
        parameters=[COMPLAINT_ID],
        request=s.ComplaintUpdateInSerializer,
        responses={
            200: s.ComplaintOutSerializer,
            400: R400,
            401: R401,
            403: R403,
            404: R404,
            409: R409,
        },
    )
    def patch(self, request: AuthenticatedRequest, pk: UUID) -> Response:
        user: User = request.user
        complaint = selectors.complaint_get(user=user, complaint_id=pk)
        serializer = s.ComplaintUpdateInSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # Staff sending title/description get the edit's refusal; a customer's priority and
        # category are ignored (documented above), not refused.
        if "title" in data or "description" in data:
            complaint = services.complaint_edit(
                complaint=complaint,
                actor=user,
                title=data.get("title"),
                description=data.get("description"),
            )
        if user.is_handler and ("priority" in data or "category" in data):
            complaint = services.complaint_reroute(
                complaint=complaint,
                actor=user,
                priority=data.get("priority"),
                category=data.get("category"),
            )
        return _complaint_response(request, complaint)


class ComplaintByReferenceView(generics.GenericAPIView):
    serializer_class = s.ComplaintOutSerializer

    @extend_schema(
        operation_id="complaints_by_reference",
        parameters=[OpenApiParameter("reference", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses={200: s.ComplaintOutSerializer, 401: R401, 404: R404},
    )
    def get(self, request: AuthenticatedRequest, reference: str) -> Response:
        row = selectors.complaint_values_get_by_reference(user=request.user, reference=reference)
        return Response(output.complaint_detail(row, user=request.user))


class ComplaintActionView(generics.GenericAPIView):
    """``POST`` on one complaint: read it for the caller (404 first), validate the body with
    ``serializer_class`` (400), run the use case (``act``) and answer the complaint as it is now.
    Each action declares its schema with ``extend_schema_view(post=...)``."""

    def post(self, request: AuthenticatedRequest, pk: UUID) -> Response:
        complaint = selectors.complaint_get(user=request.user, complaint_id=pk)
        serializer = self.get_serializer_class()(data=request.data)
        serializer.is_valid(raise_exception=True)
        complaint = self.act(request, complaint, serializer.validated_data)
        return _complaint_response(request, complaint)

    def act(
        self, request: AuthenticatedRequest, complaint: Complaint, data: dict[str, Any]
    ) -> Complaint:
        raise NotImplementedError


@extend_schema_view(
    post=extend_schema(
        operation_id="complaints_transition",
        summary="Move a complaint to another status",
        description="`allowed_transitions` on the complaint lists the statuses the caller may "
        "move to now. An illegal move is a 409 whose body lists them in `allowed`.",
        parameters=[COMPLAINT_ID],
        request=s.TransitionInSerializer,
        responses={200: s.ComplaintOutSerializer, 400: R400, 401: R401, 404: R404, 409: R409},
    )
)
class ComplaintTransitionView(ComplaintActionView):
    serializer_class = s.TransitionInSerializer

    def act(self, request, complaint, data):
        return services.complaint_transition(
            complaint=complaint,
            actor=request.user,
            to_status=data["to_status"],
            reason=data["reason"],
            remedy_outcome=data.get("remedy_outcome", ""),
        )


@extend_schema_view(
    post=extend_schema(
        operation_id="complaints_assign",
        summary="Assign (or unassign with null) a complaint",
        description="Agents may take an unassigned complaint (assign themselves) or drop their "
        "own assignment; moving a complaint from or to a colleague is for supervisors and admins, "
        "who may assign any active staff member. Staff refused by this rule get 403 with "
        "`code: supervisors_only` and a message saying so (the `can_take`, `can_unassign` and "
        "`can_assign_anyone` flags tell in advance).",
        parameters=[COMPLAINT_ID],
        request=s.AssignInSerializer,
        responses={
            200: s.ComplaintOutSerializer,
            400: R400,
            401: R401,
            403: R403_SUPERVISORS_ONLY,
            404: R404,
        },
    )
)
class ComplaintAssignView(ComplaintActionView):
    serializer_class = s.AssignInSerializer

    def act(self, request, complaint, data):
        return services.complaint_assign(
            complaint=complaint, actor=request.user, assignee=data["assignee_id"]
        )


@extend_schema_view(
    post=extend_schema(
        operation_id="complaints_merge",
        summary="Merge this complaint (a duplicate) into another",
        description="Staff merge a duplicate into the complaint that carries on: it becomes "
        "`merged` (final, its SLA clocks stop) with `merged_into` set, and its comments and "
        "attachments are listed with the other complaint's. Both must still be able to move "
        "(not closed, rejected, withdrawn or merged: 409); complaints merged into the "
        "duplicate before move on too, so no chain forms. Across customers only supervisors "
        "and admins may merge (403 `supervisors_only`). The customer is emailed.",
        parameters=[COMPLAINT_ID],
        request=s.MergeInSerializer,
        responses={
            200: s.ComplaintOutSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="No target given, no such complaint, or the complaint itself "
                "(field -> messages, on `into`).",
            ),
            401: R401,
            403: R403_SUPERVISORS_ONLY,
            404: R404,
            409: R409,
        },
    )
)
class ComplaintMergeView(ComplaintActionView):
    serializer_class = s.MergeInSerializer

    def act(self, request, complaint, data):
        into_id = data.get("into") or selectors.complaint_id_for_reference(data["into_reference"])
        return merging.complaint_merge(complaint=complaint, into_id=into_id, actor=request.user)


@extend_schema_view(
    post=extend_schema(
        operation_id="complaints_review_request",
        summary="Ask for an internal review of the final answer (the customer, once)",
        description="Offered while `can_request_review`: the complaint is resolved, closed or "
        "rejected and no review was asked for yet (409 otherwise). It waits for a supervisor "
        "(`GET /api/complaints/?review=open`); the complaint's status does not change. Staff "
        "get 403, other customers 404.",
        parameters=[COMPLAINT_ID],
        request=s.ReviewRequestInSerializer,
        responses={
            200: s.ComplaintOutSerializer,
            400: R400,
            401: R401,
            403: R403,
            404: R404,
            409: R409,
        },
    )
)
class ComplaintReviewRequestView(ComplaintActionView):
    serializer_class = s.ReviewRequestInSerializer

    def act(self, request, complaint, data):
        return reviews.review_request(
            complaint=complaint, customer=request.user, reason=data["reason"]
        )


@extend_schema_view(
    post=extend_schema(
        operation_id="complaints_review_conclude",
        summary="Conclude the customer's internal review (supervisors and admins)",
        description="Offered while `can_conclude_review`. The note is the answer the customer "
        "reads (and is emailed, with where they can go next); `remedy_outcome` updates what the "
        "remedy sought comes to. 409 when no review is waiting; agents get 403 "
        "`supervisors_only`.",
        parameters=[COMPLAINT_ID],
        request=s.ReviewConcludeInSerializer,
        responses={
            200: s.ComplaintOutSerializer,
            400: R400,
            401: R401,
            403: R403_SUPERVISORS_ONLY,
            404: R404,
            409: R409,
        },
    )
)
class ComplaintReviewConcludeView(ComplaintActionView):
    serializer_class = s.ReviewConcludeInSerializer

    def act(self, request, complaint, data):
        return reviews.review_conclude(
            complaint=complaint,
            actor=request.user,
            outcome=data["outcome"],
            note=data["note"],
            remedy_outcome=data.get("remedy_outcome", ""),
        )


class ComplaintCommentsView(generics.GenericAPIView):
    request: AuthenticatedRequest
    serializer_class = s.CommentOutSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Comment.objects.none()
        complaint = selectors.complaint_get(user=self.request.user, complaint_id=self.kwargs["pk"])
        return selectors.comment_list(user=self.request.user, complaint=complaint)

    @extend_schema(
        operation_id="complaints_comments_list",
        parameters=[COMPLAINT_ID],
        responses={200: s.CommentOutSerializer(many=True), 401: R401, 404: R404},
    )
    def get(self, request: AuthenticatedRequest, pk: UUID) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.CommentOutSerializer(page, many=True).data)

    @extend_schema(
        operation_id="complaints_comments_create",
        summary="Comment on a complaint (staff may post internal notes)",
        description="Honours an `Idempotency-Key` header: a retry with the same key and body "
        "returns the first comment (header `Idempotent-Replayed: true`) and posts nothing; "
        "the same key with a different body is a 409.",
        parameters=[COMPLAINT_ID, IDEMPOTENCY_PARAMETER],
        request=s.CommentInSerializer,
        responses={201: s.CommentOutSerializer, 400: R400, 401: R401, 404: R404, 409: R409},
    )
    def post(self, request: AuthenticatedRequest, pk: UUID) -> Response:
        complaint = selectors.complaint_get(user=request.user, complaint_id=pk)
        serializer = s.CommentInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment, created = services.comment_post(
            complaint=complaint,
            author=request.user,
            body=serializer.validated_data["body"],
            internal=serializer.validated_data["internal"],
            idempotency_key=_idempotency_key(request),
        )
        response = Response(s.CommentOutSerializer(comment).data, status=status.HTTP_201_CREATED)
        if not created:
            response["Idempotent-Replayed"] = "true"
        return response


class ComplaintHistoryView(generics.GenericAPIView):
    request: AuthenticatedRequest
    serializer_class = s.HistoryOutSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return HistoryEntry.objects.none()
        complaint = selectors.complaint_get(user=self.request.user, complaint_id=self.kwargs["pk"])
        return selectors.history_list(user=self.request.user, complaint=complaint)

    @extend_schema(
        operation_id="complaints_history_list",
        parameters=[COMPLAINT_ID],
        responses={200: s.HistoryOutSerializer(many=True), 401: R401, 404: R404},
    )
    def get(self, request: AuthenticatedRequest, pk: UUID) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.HistoryOutSerializer(page, many=True).data)


class ComplaintFeedbackView(generics.GenericAPIView):
    serializer_class = s.FeedbackInSerializer

    @extend_schema(
        operation_id="complaints_feedback_create",
        summary="Rate the handling of a resolved or closed complaint (owner only, once)",
        parameters=[COMPLAINT_ID],
        request=s.FeedbackInSerializer,
        responses={
            201: s.FeedbackOutSerializer,
            400: R400,
            401: R401,
            403: R403,
            404: R404,
            409: R409,
        },
    )
    def post(self, request: AuthenticatedRequest, pk: UUID) -> Response:
        complaint = selectors.complaint_get(user=request.user, complaint_id=pk)
        serializer = s.FeedbackInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        feedback = services.feedback_submit(
            complaint=complaint,
            customer=request.user,
            rating=serializer.validated_data["rating"],
            comment=serializer.validated_data["comment"],
        )
        return Response(s.FeedbackOutSerializer(feedback).data, status=status.HTTP_201_CREATED)


# ----------------------------------------------------------------------- categories


class CategoryListCreateView(generics.GenericAPIView):
    request: AuthenticatedRequest
    serializer_class = s.CategoryOutSerializer
    permission_classes = [CategoryManagerOrReadOnly]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Category.objects.none()
        return selectors.category_list(user=self.request.user)

    @extend_schema(
        operation_id="categories_list",
        summary="Categories (customers see only active ones)",
        responses={200: s.CategoryOutSerializer(many=True), 401: R401},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.CategoryOutSerializer(page, many=True).data)

    @extend_schema(
        operation_id="categories_create",
        request=s.CategoryInSerializer,
        responses={201: s.CategoryOutSerializer, 400: R400, 401: R401, 403: R403},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        serializer = s.CategoryInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        category = services.category_create(actor=request.user, **serializer.to_service_kwargs())
        return Response(s.CategoryOutSerializer(category).data, status=status.HTTP_201_CREATED)


class CategoryDetailView(generics.GenericAPIView):
    serializer_class = s.CategoryOutSerializer
    permission_classes = [CategoryManagerOrReadOnly]

    @extend_schema(
        operation_id="categories_retrieve",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={200: s.CategoryOutSerializer, 401: R401, 404: R404},
    )
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        category = selectors.category_get(user=request.user, category_id=pk)
        return Response(s.CategoryOutSerializer(category).data)

    @extend_schema(
        operation_id="categories_partial_update",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=s.CategoryInSerializer,
        responses={200: s.CategoryOutSerializer, 400: R400, 401: R401, 403: R403, 404: R404},
    )
    def patch(self, request: AuthenticatedRequest, pk: int) -> Response:
        category = selectors.category_get(user=request.user, category_id=pk)
        serializer = s.CategoryInSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        category = services.category_update(
            category=category, actor=request.user, **serializer.to_service_kwargs()
        )
        return Response(s.CategoryOutSerializer(category).data)
