from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.roles import SUPERVISOR_ROLES


class CategoryManagerOrReadOnly(BasePermission):
    """Any authenticated user may read categories; supervisors and admins may write them."""

    message = "Only supervisors and admins can manage categories."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or user.role in SUPERVISOR_ROLES
