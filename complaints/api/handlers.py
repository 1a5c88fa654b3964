"""GET /api/users/handlers/: the staff to assign complaints to, with their open workload.

Routed under ``users/`` (its URL predates the move) but served by complaints: the workload is
complaint data.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.roles import HANDLER_ROLES
from complaints.selectors import handler_workload_list


class IsStaff(permissions.BasePermission):
    """Staff (agents, supervisors, admins)."""

    message = "Only staff can see the staff list."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_handler)


class HandlerOutputSerializer(serializers.Serializer):
    """One staff member in the assignment list (``complaints.selectors.handler_workload_list``)."""

    id = serializers.UUIDField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(choices=sorted(HANDLER_ROLES), read_only=True)
    open_assigned = serializers.IntegerField(
        read_only=True, help_text="Open complaints currently assigned to this person."
    )


class HandlerListApi(generics.ListAPIView):
    """Active staff to assign complaints to, with their open workload.

    Supervisors and admins use it to assign complaints to others; agents may read it (they can
    still only assign themselves). Ordered by role (agents, supervisors, admins), then by
    date joined: names are encrypted at rest, so sorting by name is left to the client.
    """

    permission_classes = [IsStaff]
    serializer_class = HandlerOutputSerializer

    def get_queryset(self):
        return handler_workload_list()

    @extend_schema(
        operation_id="users_handlers_list",
        summary="Staff available for assignment (agents, supervisors, admins)",
        description="Active agents, supervisors and admins with `open_assigned`, the number of "
        "open complaints assigned to each. Paginated (`page`, `page_size` up to 100). "
        "Ordered by role (agent, supervisor, admin), then date joined; not by name, which is "
        "encrypted at rest. Customers get 403.",
        responses={
            200: HandlerOutputSerializer(many=True),
            403: OpenApiResponse(description="Not staff."),
        },
        tags=["users"],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)
