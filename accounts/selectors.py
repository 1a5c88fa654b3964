from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from accounts.blind_index import email_blind_index
from accounts.models import HANDLER_ROLES, Role, User

# Order of the roles in the staff list: the people who usually take the work come first.
HANDLER_ROLE_ORDER = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


def user_get_by_email(*, email: str) -> User | None:
    return User.objects.filter(email_hash=email_blind_index(email)).first()


def handlers_list() -> QuerySet[User]:
    """Active staff (agents, supervisors, admins), each annotated with ``open_assigned``.

    ``open_assigned`` is the number of open complaints (``complaints.workflow.OPEN_STATUSES``)
    assigned to the person, counted in the same query (LEFT JOIN + GROUP BY), so listing any
    number of handlers costs one query (plus the paginator's COUNT).

    Ordered by role (agents, supervisors, admins), then ``date_joined``, then ``id``: stable for
    pagination. Not by ``full_name``: it is pgcrypto-encrypted, so the database can only order
    the ciphertext (and no index could help). Clients sort by name themselves.
    """
    from complaints.workflow import OPEN_STATUSES  # complaints depends on accounts, not back

    role_rank = Case(
        *(When(role=role, then=Value(rank)) for rank, role in enumerate(HANDLER_ROLE_ORDER)),
        output_field=IntegerField(),
    )
    return (
        User.objects.filter(role__in=HANDLER_ROLES, is_active=True)
        .annotate(
            open_assigned=Count(
                "assigned_complaints",
                filter=Q(assigned_complaints__status__in=OPEN_STATUSES),
            ),
            role_rank=role_rank,
        )
        .order_by("role_rank", "date_joined", "pk")
    )


def role_has_active_users(*, role: str) -> bool:
    return User.objects.filter(role=role, is_active=True).exists()
