"""Explicit input and output serializers for the complaints API."""

from __future__ import annotations

from typing import cast

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from complaints.models import BusinessCalendar, Category, Channel, Complaint, Priority
from complaints.policies import Capabilities, complaint_capabilities, complaint_overdue
from complaints.workflow import Status

PRIORITY_NAMES = [p.label for p in Priority]


class PriorityField(serializers.ChoiceField):
    """Priority as its name (low, normal, high, urgent) on the wire, a number in the database."""

    def __init__(self, **kwargs):
        super().__init__(choices=PRIORITY_NAMES, **kwargs)

    def to_representation(self, value):
        return Priority(value).label

    def to_internal_value(self, data):
        name = super().to_internal_value(data)
        return Priority.from_name(name)


# --------------------------------------------------------------------------- output


class UserRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    display_name = serializers.CharField(
        read_only=True,
        help_text='How to name the person on screen: staff with their title ("Ann Lee '
        '(Support agent)", or "Support agent" without a name), customers by name.',
    )


class CategoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    slug = serializers.SlugField(read_only=True)


class FeedbackOutSerializer(serializers.Serializer):
    rating = serializers.IntegerField(read_only=True)
    comment = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


@extend_schema_field(OpenApiTypes.BOOL)
class CapabilityFlag(serializers.Field):
    """One of the caller's ``policies.Capabilities`` on the complaint being serialized."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Complaint) -> object:
        parent = cast("ComplaintListOutSerializer", self.parent)
        return getattr(parent.capabilities(value), str(self.field_name))


@extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Status.choices)))
class CapabilityStatuses(CapabilityFlag):
    """A list of statuses among the caller's capabilities."""


class ComplaintListOutSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    reference = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    rejection_reason = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    priority = PriorityField(read_only=True)
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)
    category = CategoryRefSerializer(read_only=True)
    customer = UserRefSerializer(read_only=True)
    assignee = UserRefSerializer(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    acknowledged_at = serializers.DateTimeField(read_only=True, allow_null=True)
    resolved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    ack_due_at = serializers.DateTimeField(read_only=True)
    resolve_due_at = serializers.DateTimeField(read_only=True)
    sla_paused_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="Since when the resolve clock stands still (the complaint awaits the "
        "customer); `resolve_due_at` moves on by the business time paused when it resumes.",
    )
    is_overdue = serializers.SerializerMethodField()
    feedback = serializers.SerializerMethodField()
    # What the caller may do now (complaints.policies); clients offer exactly these actions.
    allowed_transitions = CapabilityStatuses(help_text="Statuses the caller may move it to now.")
    transitions_requiring_reason = CapabilityStatuses(
        help_text="The allowed transitions that need a `reason`."
    )
    can_comment = CapabilityFlag(help_text="May add a (public) comment.")
    can_upload = CapabilityFlag(help_text="May upload an attachment.")
    can_give_feedback = CapabilityFlag(help_text="May rate the resolution (the owner, once).")
    can_edit = CapabilityFlag(help_text="May edit the title and description.")
    can_set_priority = CapabilityFlag(help_text="May change the priority.")
    can_change_category = CapabilityFlag(help_text="May move it to another category.")
    can_take = CapabilityFlag(
        help_text="May assign it to themselves now (agents: only while nobody has it)."
    )
    can_unassign = CapabilityFlag(
        help_text="May clear its assignee now (agents: only their own assignment)."
    )
    can_assign_anyone = CapabilityFlag(help_text="May assign it to any active staff member.")
    can_post_internal = CapabilityFlag(help_text="May post internal notes.")

    def capabilities(self, complaint: Complaint) -> Capabilities:
        """The caller's capabilities, computed once per complaint (the fields share them)."""
        cached = getattr(self, "_capabilities", None)
        if cached is None or cached[0] is not complaint:
            user = getattr(self.context.get("request"), "user", None)
            cached = (complaint, complaint_capabilities(complaint=complaint, user=user))
            self._capabilities = cached
        return cached[1]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_overdue(self, obj: Complaint) -> bool:
        return complaint_overdue(obj)

    @extend_schema_field(FeedbackOutSerializer(allow_null=True))
    def get_feedback(self, obj: Complaint):
        try:
            feedback = obj.feedback
        except Complaint.feedback.RelatedObjectDoesNotExist:
            return None
        return FeedbackOutSerializer(feedback).data


class ComplaintOutSerializer(ComplaintListOutSerializer):
    description = serializers.CharField(read_only=True)
    resolution = serializers.CharField(read_only=True)


class CommentOutSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    author = UserRefSerializer(read_only=True)
    body = serializers.CharField(read_only=True)
    internal = serializers.BooleanField(source="is_internal", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class HistoryOutSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True)
    from_value = serializers.CharField(read_only=True)
    to_value = serializers.CharField(read_only=True)
    actor = UserRefSerializer(read_only=True, allow_null=True)
    is_internal = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class CategoryOutSerializer(CategoryRefSerializer):
    is_active = serializers.BooleanField(read_only=True)
    acknowledge_within_hours = serializers.IntegerField(read_only=True)
    resolve_within_hours = serializers.IntegerField(read_only=True)
    default_assignee_id = serializers.UUIDField(read_only=True, allow_null=True)
    business_calendar_id = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The category's own SLA calendar; null: the organisation's default.",
    )


# --------------------------------------------------------------------------- input


class ComplaintCreateInSerializer(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.filter(is_active=True))
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default=Channel.WEB)
    priority = PriorityField(
        required=False, help_text="Staff only; ignored when a customer files the complaint."
    )
    customer_id = serializers.UUIDField(
        required=False,
        help_text="Staff only: the customer the complaint is filed for (default: the caller). "
        "Ignored for customers.",
    )


class ComplaintUpdateInSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=20000, required=False)
    priority = PriorityField(required=False, help_text="Supervisors and admins only.")
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, help_text="Supervisors and admins only."
    )


class TransitionInSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=Status.choices)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text="Required for resolved (the resolution) and rejected (the rejection reason).",
    )


def existing_user_or_none(user_id) -> User | None:
    """A UUID field's value resolved to its user; an unknown id is a field error."""
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise serializers.ValidationError("No such user.")
    return user


class AssignInSerializer(serializers.Serializer):
    assignee_id = serializers.UUIDField(allow_null=True)

    def validate_assignee_id(self, value):
        return existing_user_or_none(value)


class CommentInSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20000)
    internal = serializers.BooleanField(required=False, default=False)


class FeedbackInSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class CategoryInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    slug = serializers.SlugField(max_length=100, required=False)
    is_active = serializers.BooleanField(required=False)
    acknowledge_within_hours = serializers.IntegerField(
        min_value=1, max_value=24 * 365, required=False
    )
    resolve_within_hours = serializers.IntegerField(min_value=1, max_value=24 * 365, required=False)
    default_assignee_id = serializers.UUIDField(required=False, allow_null=True)
    business_calendar_id = serializers.PrimaryKeyRelatedField(
        queryset=BusinessCalendar.objects.all(),
        required=False,
        allow_null=True,
        help_text="An SLA calendar (/api/sla-calendars/) for this category; null: the "
        "organisation's default.",
    )

    def validate_default_assignee_id(self, value):
        return existing_user_or_none(value)

    def to_service_kwargs(self) -> dict:
        data = dict(self.validated_data)
        if "default_assignee_id" in data:
            data["default_assignee"] = data.pop("default_assignee_id")
        if "business_calendar_id" in data:
            data["business_calendar"] = data.pop("business_calendar_id")
        return data


__all__ = [
    "AssignInSerializer",
    "CategoryInSerializer",
    "CategoryOutSerializer",
    "CommentInSerializer",
    "CommentOutSerializer",
    "ComplaintCreateInSerializer",
    "ComplaintListOutSerializer",
    "ComplaintOutSerializer",
    "ComplaintUpdateInSerializer",
    "FeedbackInSerializer",
    "FeedbackOutSerializer",
    "HistoryOutSerializer",
    "TransitionInSerializer",
]
