"""``POST /api/complaints/{id}/seen/``: a staff member opened the complaint (the app calls it
when it shows the detail), so the queue's unread marker clears for them."""

from uuid import UUID

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.requests import AuthenticatedRequest
from complaints import services
from complaints.api.views import COMPLAINT_ID, R401, R403, R404


class ComplaintSeenView(APIView):
    @extend_schema(
        operation_id="complaints_seen",
        summary="Mark the complaint's customer activity as read for the caller (staff)",
        description="Clears the `has_unread_activity` marker of the caller's queue rows for this "
        "complaint until the customer acts again. One upsert. Customers get 403.",
        parameters=[COMPLAINT_ID],
        request=None,
        responses={
            204: OpenApiResponse(description="Marked as read."),
            401: R401,
            403: R403,
            404: R404,
        },
    )
    def post(self, request: AuthenticatedRequest, pk: UUID) -> Response:
        services.complaint_mark_seen(user=request.user, complaint_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
