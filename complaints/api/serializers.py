"""Explicit input and output serializers for the complaints API."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from complaints.models import (
    BusinessCalendar,
    Category,
    Channel,
    Complaint,
    Priority,
    RemedyOutcome,
    ReviewOutcome,
)
from complaints.policies import (
    Capabilities,
    complaint_capabilities,
    complaint_overdue,
    referrals_shown,
    remedy_outcome_required,
)
from complaints.read_activity import UNREAD, has_unread_activity
from complaints.visibility import customers_complaint_is_visible
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
    review_requested_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When the customer asked for an internal review (null: never).",
    )
    review_concluded_at = serializers.DateTimeField(read_only=True, allow_null=True)
    last_customer_activity_at = serializers.DateTimeField(
        read_only=True,
        help_text="When the customer last filed, replied, uploaded, reopened or rated "
        "(`ordering=-last_customer_activity_at` lists the latest first).",
    )
    has_unread_activity = serializers.SerializerMethodField(
        help_text="Staff: the customer did something after you last opened the complaint "
        "(`POST .../seen/`), or after filing if you never did. Null for customers."
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
    can_request_review = CapabilityFlag(
        help_text="The customer may ask for an internal review of the final answer (once)."
    )
    can_conclude_review = CapabilityFlag(
        help_text="May conclude the customer's internal review (supervisors and admins)."
    )
    can_merge = CapabilityFlag(
        help_text="May merge it, as a duplicate, into another complaint of the same customer "
        "(supervisors and admins: of any customer)."
    )

    def capabilities(self, complaint: Complaint) -> Capabilities:
        """The caller's capabilities, computed once per complaint (the fields share them)."""
        cached = getattr(self, "_capabilities", None)
        if cached is None or cached[0] is not complaint:
            user = getattr(self.context.get("request"), "user", None)
            cached = (complaint, complaint_capabilities(complaint=complaint, user=user))
            self._capabilities = cached
        return cached[1]

    @extend_schema_field({"type": "boolean", "nullable": True})
    def get_has_unread_activity(self, obj: Complaint) -> bool | None:
        # The selectors annotate it (in the row's own query); the Python twin otherwise.
        if hasattr(obj, UNREAD):
            return getattr(obj, UNREAD)
        viewer = getattr(self.context.get("request"), "user", None)
        return has_unread_activity(complaint=obj, viewer=viewer)

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


class ComplaintRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    reference = serializers.CharField(read_only=True)


class MergedComplaintSerializer(ComplaintRefSerializer):
    title = serializers.CharField(read_only=True)
    merged_at = serializers.DateTimeField(read_only=True)


class ReviewOutSerializer(serializers.Serializer):
    requested_at = serializers.DateTimeField(source="review_requested_at", read_only=True)
    reason = serializers.CharField(source="review_reason", read_only=True)
    concluded_at = serializers.DateTimeField(
        source="review_concluded_at", read_only=True, allow_null=True
    )
    outcome = serializers.ChoiceField(
        source="review_outcome",
        choices=[*ReviewOutcome.choices, ("", "Open")],
        read_only=True,
        help_text="Empty while a supervisor has not concluded it.",
    )
    note = serializers.CharField(
        source="review_note", read_only=True, help_text="The supervisor's answer."
    )


class ReferralOutSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    contact = serializers.CharField(read_only=True, help_text="Plain text: how to reach them.")


class ComplaintOutSerializer(ComplaintListOutSerializer):
    description = serializers.CharField(read_only=True)
    resolution = serializers.CharField(read_only=True)
    remedy_sought = serializers.CharField(
        read_only=True, help_text="What the customer asked for to put it right (may be empty)."
    )
    remedy_outcome = serializers.ChoiceField(
        choices=[*RemedyOutcome.choices, ("", "Not recorded")],
        read_only=True,
        help_text="What became of the remedy sought, recorded when resolving or rejecting.",
    )
    review = serializers.SerializerMethodField(
        help_text="The customer's internal review of the final answer; null: none asked for."
    )
    referrals = serializers.SerializerMethodField(
        help_text="Where the customer can take the complaint next (external bodies), shown "
        "with a final answer: resolved, closed or rejected; otherwise empty."
    )
    transitions_requiring_remedy_outcome = serializers.SerializerMethodField(
        help_text="The caller's allowed transitions that must carry `remedy_outcome` (the "
        "customer asked for a remedy)."
    )
    merged_into = serializers.SerializerMethodField(
        help_text="The complaint this one was merged into (status `merged`); null when not "
        "merged, or when that complaint is another customer's."
    )
    merged_at = serializers.DateTimeField(read_only=True, allow_null=True)
    merged_complaints = serializers.SerializerMethodField(
        help_text="Duplicates merged into this complaint that the caller may see, oldest merge "
        "first; their comments and attachments are listed with this complaint's."
    )

    @extend_schema_field(ReviewOutSerializer(allow_null=True))
    def get_review(self, obj: Complaint):
        if obj.review_requested_at is None:
            return None
        return ReviewOutSerializer(obj).data

    @extend_schema_field(ReferralOutSerializer(many=True))
    def get_referrals(self, obj: Complaint):
        if not referrals_shown(obj):
            return []
        return ReferralOutSerializer(settings.COMPLAINT_REFERRALS, many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Status.choices)))
    def get_transitions_requiring_remedy_outcome(self, obj: Complaint) -> list[str]:
        moves = self.capabilities(obj).transitions_requiring_reason
        return [
            s
            for s in moves
            if remedy_outcome_required(remedy_sought=obj.remedy_sought, to_status=s)
        ]

    @extend_schema_field(ComplaintRefSerializer(allow_null=True))
    def get_merged_into(self, obj: Complaint):
        reference = getattr(obj, "merged_into_reference", None)
        user = getattr(self.context.get("request"), "user", None)
        if reference is None or not customers_complaint_is_visible(
            user=user, customer_id=getattr(obj, "merged_into_customer_id", None)
        ):
            return None
        return {"id": str(obj.merged_into_id), "reference": reference}

    @extend_schema_field(MergedComplaintSerializer(many=True))
    def get_merged_complaints(self, obj: Complaint):
        rows = [
            {**row, "merged_at": datetime.fromisoformat(row["merged_at"])}
            for row in getattr(obj, "merged_complaint_rows", None) or []
        ]
        return MergedComplaintSerializer(rows, many=True).data


class CommentOutSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    complaint_id = serializers.UUIDField(
        read_only=True,
        help_text="The complaint it was written on: this one, or one merged into it.",
    )
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
    remedy_sought = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="What the customer asks for to put it right (optional; stored encrypted).",
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
    remedy_outcome = serializers.ChoiceField(
        choices=RemedyOutcome.choices,
        required=False,
        help_text="Resolving or rejecting only: what became of the remedy the customer asked "
        "for; required then when they named one (`transitions_requiring_remedy_outcome`).",
    )


def existing_user_or_none(user_id) -> User | None:
    """A UUID field's value resolved to its user; an unknown id is a field error."""
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise serializers.ValidationError("No such user.")
    return user


class MergeInSerializer(serializers.Serializer):
    into = serializers.UUIDField(
        required=False, help_text="The id of the complaint to merge this one into."
    )
    into_reference = serializers.CharField(
        required=False, max_length=20, help_text="Or its reference (e.g. CMP-2026-000123)."
    )

    def validate(self, attrs):
        if ("into" in attrs) == ("into_reference" in attrs):
            raise serializers.ValidationError(
                {"into": ["Give the complaint to merge into: `into` or `into_reference`."]}
            )
        return attrs


class ReviewRequestInSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=5000, help_text="Why the customer does not accept the final answer."
    )


class ReviewConcludeInSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ReviewOutcome.choices)
    note = serializers.CharField(max_length=5000, help_text="The answer the customer reads.")
    remedy_outcome = serializers.ChoiceField(
        choices=RemedyOutcome.choices,
        required=False,
        help_text="What the remedy sought now comes to (when the decision changes).",
    )


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
    "MergeInSerializer",
    "MergedComplaintSerializer",
    "ReferralOutSerializer",
    "ReviewConcludeInSerializer",
    "ReviewOutSerializer",
    "ReviewRequestInSerializer",
    "TransitionInSerializer",
]
