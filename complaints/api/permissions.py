from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.models import Role

CATEGORY_MANAGERS = frozenset({Role.SUPERVISOR, Role.ADMIN})


class IsHandler(BasePermission):
    """Staff (agents, supervisors, admins)."""

    message = "Only staff can do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_handler)


class CategoryManagerOrReadOnly(BasePermission):
    """Any authenticated user may read categories; supervisors and admins may write them."""

    message = "Only supervisors and admins can manage categories."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or user.role in CATEGORY_MANAGERS
