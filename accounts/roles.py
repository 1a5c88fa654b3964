"""The roles, the role sets every rule reads, and the roles mapped onto Django groups.

``HANDLER_ROLES`` (staff: they handle complaints) and ``SUPERVISOR_ROLES`` (they also manage
categories, re-route complaints, assign anyone and see statistics) are the only spelling of
those sets; nothing else lists roles by hand.
"""

from django.contrib.auth.models import Group, Permission
from django.db import models


class Role(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    AGENT = "agent", "Agent"
    SUPERVISOR = "supervisor", "Supervisor"
    ADMIN = "admin", "Admin"


HANDLER_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
# How staff are introduced to the people they write to (``User.display_name``).
STAFF_TITLES = {
    Role.AGENT: "Support agent",
    Role.SUPERVISOR: "Support supervisor",
    Role.ADMIN: "Support administrator",
}
SUPERVISOR_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})

_HANDLER_VIEW = [
    "complaints.view_complaint",
    "complaints.change_complaint",
    "complaints.view_category",
    "complaints.view_comment",
    "complaints.add_comment",
    "complaints.view_attachment",
    "complaints.view_historyentry",
    "complaints.view_feedback",
]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.CUSTOMER: [],
    Role.AGENT: _HANDLER_VIEW,
    Role.SUPERVISOR: [
        *_HANDLER_VIEW,
        "complaints.add_category",
        "complaints.change_category",
        "accounts.view_user",
    ],
    # Admins are superusers; the group exists so the role is visible in the admin.
    Role.ADMIN: [],
}


def sync_role_groups(**kwargs) -> None:
    """Create one group per role with its permissions (idempotent; runs after migrate)."""
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = []
        for name in perm_names:
            app_label, codename = name.split(".")
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)


def person_display_name(*, full_name: str | None, role: str) -> str:
    """``User.display_name`` from the two columns it reads (read paths without model instances).

    Staff by name and title ("Ann Lee (Support agent)"), or the title alone when no name is
    set; customers by their name, or "Customer".
    """
    name = (full_name or "").strip()
    if role not in HANDLER_ROLES:
        return name or "Customer"
    title = STAFF_TITLES[Role(role)]
    return f"{name} ({title})" if name else title
