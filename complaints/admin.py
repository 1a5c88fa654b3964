"""Back office for complaint handlers.

Every change goes through ``complaints.services`` (never ``obj.save()`` for status or
assignee), so history and events stay in step with what the API does.
Access relies on ``is_staff`` (handlers) and the role groups' permissions.
"""

from collections.abc import Callable, Mapping
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from accounts.models import User
from accounts.roles import HANDLER_ROLES, SUPERVISOR_ROLES
from complaints.business_time import Calendar, CalendarError
from complaints.calendars import (
    HolidayIn,
    WorkingHoursIn,
    calendar_create,
    calendar_delete,
    calendar_update,
)
from complaints.canned_responses import (
    PLACEHOLDERS,
    canned_response_create,
    canned_response_delete,
    canned_response_update,
    canned_responses_for_complaint,
    template_errors,
)
from complaints.errors import ComplaintError, NotAllowed
from complaints.exports import stream_csv
from complaints.history import history_change
from complaints.models import (
    Attachment,
    BusinessCalendar,
    CannedResponse,
    Category,
    Comment,
    Complaint,
    HistoryEntry,
    Holiday,
    Priority,
    WorkingHours,
)
from complaints.policies import (
    allowed_transitions,
    annotate_overdue,
    complaint_overdue,
    may_export_personal_data,
    may_manage_calendars,
    may_manage_canned_responses,
    may_take,
    overdue_q,
)
from complaints.search import search_filter
from complaints.selectors import history_people
from complaints.services import (
    CATEGORY_FIELDS,
    category_create,
    category_update,
    comment_create,
    complaint_assign,
    complaint_transition,
)
from complaints.visibility import sees_internal_notes
from complaints.workflow import REASON_REQUIRED, TRANSITIONS, Status

# A bulk action names at most this many of the complaints it skipped.
SKIPPED_SHOWN = 20

# What the work form's reason becomes, by the status that requires one.
REASON_TEXT = {
    Status.RESOLVED: "the resolution (the customer reads it)",
    Status.REJECTED: "the reason for the rejection (the customer reads it)",
}

# The change view's query parameter naming the canned response to put into the text box.
INSERT_PARAMETER = "canned_response"
ENCRYPTED_COMPLAINT_FIELDS = ("description", "resolution", "rejection_reason")


def _error_text(exc: ValidationError | ComplaintError) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return str(exc)


# --------------------------------------------------------------------------- list filters


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue"), ("no", "On time")]

    def queryset(self, request, queryset):
        condition = overdue_q(timezone.now())
        if self.value() == "yes":
            return queryset.filter(condition)
        if self.value() == "no":
            return queryset.exclude(condition)
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = "assignee"
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        handlers = User.objects.filter(role__in=HANDLER_ROLES)
        handlers = handlers.filter(is_active=True).only("id", "full_name", "role")
        return [
            ("me", "Me"),
            ("none", "Unassigned"),
            *[(str(u.pk), u.display_name) for u in handlers],
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assignee=request.user)
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value:
            try:
                return queryset.filter(assignee_id=value)
            except ValidationError:
                return queryset.none()
        return queryset


# --------------------------------------------------------------------------- inlines


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryInline(ReadOnlyInline):
    model = HistoryEntry
    verbose_name_plural = "timeline"
    fields = readonly_fields = ("created_at", "kind", "change", "actor_name", "is_internal")
    ordering = ("created_at", "id")
    # Names of the people the assignment entries mention, read once per change view.
    people: Mapping[str, str] = {}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def get_formset(self, request, obj=None, **kwargs):
        self.people = history_people(complaint=obj) if obj is not None else {}
        return super().get_formset(request, obj, **kwargs)

    @admin.display(description="change")
    def change(self, obj: HistoryEntry) -> str:
        return history_change(obj, people=self.people)

    @admin.display(description="by")
    def actor_name(self, obj: HistoryEntry) -> str:
        return obj.actor.display_name if obj.actor else "System"


class CommentInline(ReadOnlyInline):
    """All comments including internal notes (this admin is for handlers only)."""

    model = Comment
    fields = readonly_fields = ("created_at", "author_name", "kind", "body")
    ordering = ("created_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    @admin.display(description="author")
    def author_name(self, obj: Comment) -> str:
        return obj.author.display_name

    @admin.display(description="kind")
    def kind(self, obj: Comment) -> str:
        return "Internal note" if obj.is_internal else "Public"


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = readonly_fields = (
        "created_at",
        "original_name",
        "content_type",
        "size",
        "uploader",
        "attached_to",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by", "comment")

    @admin.display(description="uploaded by")
    def uploader(self, obj: Attachment) -> str:
        return obj.uploaded_by.display_name

    @admin.display(description="attached to")
    def attached_to(self, obj: Attachment) -> str:
        return str(obj.comment) if obj.comment is not None else "The complaint"


# --------------------------------------------------------------------------- complaint form


class ComplaintWorkForm(forms.ModelForm):
    """No model field is editable; the extra fields feed the services."""

    NOTE_INTERNAL = "internal"
    NOTE_PUBLIC = "public"

    new_status = forms.ChoiceField(label="Move to", required=False)
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when resolving or rejecting (stored as resolution / rejection reason).",
    )
    assign_to_me = forms.BooleanField(label="Assign to me", required=False)
    note_kind = forms.ChoiceField(
        label="Add",
        choices=[(NOTE_INTERNAL, "Internal note"), (NOTE_PUBLIC, "Public reply to the customer")],
        initial=NOTE_INTERNAL,
        required=False,
    )
    note_body = forms.CharField(
        label="Text", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    request_user: User | None = None  # set per request by ComplaintAdmin.get_form
    # A canned response the handler chose to insert (rendered), set by ComplaintAdmin.get_form.
    inserted_reply: str = ""

    class Meta:
        model = Complaint
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.inserted_reply:
            # Only fills the composer: the handler edits it and saves to send it.
            self.fields["note_body"].initial = self.inserted_reply
            self.fields["note_kind"].initial = self.NOTE_PUBLIC
        allowed = []
        if self.instance.pk and self.request_user is not None:
            allowed = allowed_transitions(complaint=self.instance, user=self.request_user)
        if self.instance.pk and self.request_user is not None:
            self._offer_taking(self.request_user)
        labels = dict(Status.choices)
        new_status = cast(forms.ChoiceField, self.fields["new_status"])
        new_status.choices = [("", "— keep status —")] + [(s, labels.get(s, s)) for s in allowed]

    def _offer_taking(self, user: User) -> None:
        """ "Assign to me" only where the assignment rule lets this user take the complaint."""
        if may_take(user=user, complaint=self.instance):
            return
        field = self.fields["assign_to_me"]
        field.disabled = True
        field.help_text = (
            "Already yours."
            if self.instance.assignee_id == user.pk
            else "Assigned to a colleague: only supervisors and admins move it."
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        to_status = cleaned.get("new_status")
        if to_status in REASON_REQUIRED and not (cleaned.get("reason") or "").strip():
            # At the top of the form, where the handler looks first; the field is marked too.
            what = REASON_TEXT.get(to_status, "a reason")
            label = Status(to_status).label
            self.add_error(None, f"To move this complaint to “{label}”, write {what} in Reason.")
            self.add_error("reason", f"Required to move to “{label}”.")
        return cleaned


# --------------------------------------------------------------------------- complaint admin


def _handler_targets() -> list[str]:
    """Statuses some handler role can move a complaint to, in workflow order."""
    seen: list[str] = []
    for targets in TRANSITIONS.values():
        for to, roles in targets.items():
            if roles & HANDLER_ROLES and to not in seen:
                seen.append(to)
    return seen


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    form = ComplaintWorkForm
    list_display = (
        "reference",
        "title",
        "status",
        "priority_name",
        "category",
        "assignee_name",
        "created_at",
        "overdue_flag",
    )
    list_filter = ("status", "priority", "category", AssigneeFilter, OverdueFilter)
    # The box needs a search field; get_search_results replaces the lookup entirely.
    search_fields = ("reference",)
    search_help_text = (
        "A customer's exact email, a reference (or its start), or words: complaints containing "
        "every word in the title, description, comments, internal notes or the customer's name."
    )
    list_select_related = ("category", "assignee")
    list_per_page = 50
    show_full_result_count = False
    ordering = ("-created_at",)
    inlines = [HistoryInline, CommentInline, AttachmentInline]
    actions = ["assign_to_me", "export_csv", "export_csv_with_descriptions"]
    readonly_fields = (
        "reference",
        "title",
        "status",
        "priority_name",
        "category",
        "channel",
        "customer_name",
        "assignee_name",
        "created_at",
        "updated_at",
        "acknowledged_at",
        "ack_due_at",
        "resolved_at",
        "resolve_due_at",
        "sla_paused_at",
        "sla_paused",
        "closed_at",
        "overdue_flag",
        "description",
        "resolution",
        "rejection_reason",
        "canned_response_links",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("reference", "status", "overdue_flag"),
                    "title",
                    ("priority_name", "category", "channel"),
                    ("customer_name", "assignee_name"),
                    "description",
                )
            },
        ),
        (
            "Clocks",
            {
                "fields": (
                    ("created_at", "updated_at"),
                    ("acknowledged_at", "ack_due_at"),
                    ("resolved_at", "resolve_due_at"),
                    ("sla_paused_at", "sla_paused"),
                    "closed_at",
                )
            },
        ),
        ("Outcome", {"fields": ("resolution", "rejection_reason"), "classes": ("collapse",)}),
        (
            "Work on this complaint",
            {
                "fields": (
                    "new_status",
                    "reason",
                    "assign_to_me",
                    "canned_response_links",
                    "note_kind",
                    "note_body",
                )
            },
        ),
    )

    # ---- queryset and columns

    def get_queryset(self, request):
        qs = annotate_overdue(super().get_queryset(request))
        # The change list never decrypts the long texts (nor loads the search tokens); the
        # change view loads them on demand.
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            qs = qs.defer(*ENCRYPTED_COMPLAINT_FIELDS, "search_tokens")
        return qs

    def get_search_results(self, request, queryset, search_term):
        term = (search_term or "").strip()
        if not term:
            return queryset, False
        internal = sees_internal_notes(request.user)
        return search_filter(queryset, value=term, internal=internal), False

    @admin.display(description="priority", ordering="priority")
    def priority_name(self, obj: Complaint) -> str:
        return Priority(obj.priority).label

    @admin.display(description="assignee", ordering="assignee")
    def assignee_name(self, obj: Complaint) -> str:
        return obj.assignee.display_name if obj.assignee is not None else "Unassigned"

    @admin.display(description="customer")
    def customer_name(self, obj: Complaint) -> str:
        return f"{obj.customer.display_name} <{obj.customer.email}>"

    @admin.display(description="overdue", empty_value="")
    def overdue_flag(self, obj: Complaint) -> str:
        # Marked only when true: a red "no" icon on every complaint on time reads as an alarm.
        if not complaint_overdue(obj):
            return ""
        return format_html('<img src="{}" alt="overdue">', static("admin/img/icon-alert.svg"))

    # ---- permissions: complaints are created by customers through the API, never deleted

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # ---- change view: the work form goes through the services

    @admin.display(description="canned responses")
    def canned_response_links(self, obj: Complaint) -> str:
        """Links that reopen this form with the response in the text box (no JavaScript)."""
        offered = CannedResponse.objects.filter(is_active=True).filter(
            Q(category_id=obj.category_id) | Q(category__isnull=True)
        )
        links = format_html_join(
            " · ",
            '<a href="?{}">{}</a>',
            ((urlencode({INSERT_PARAMETER: c.pk}), c.title) for c in offered.order_by("title")),
        )
        return links or "—"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        attrs = {"request_user": request.user}
        chosen = request.GET.get(INSERT_PARAMETER)
        if obj is not None and chosen and request.method == "GET":
            offered = canned_responses_for_complaint(user=request.user, complaint=obj)
            attrs["inserted_reply"] = next(
                (c.rendered_body for c in offered if str(c.id) == chosen), ""
            )
        return type(form.__name__, (form,), attrs)

    def save_model(self, request, obj, form, change):
        """Apply the work form through the services; the model itself is never saved here."""
        data = form.cleaned_data
        steps: list[tuple[str, Callable[[], object]]] = []
        if data.get("assign_to_me"):
            steps.append(
                (
                    "Assigned to you.",
                    lambda: complaint_assign(
                        complaint=obj, actor=request.user, assignee=request.user
                    ),
                )
            )
        body = (data.get("note_body") or "").strip()
        if body:
            internal = data.get("note_kind", ComplaintWorkForm.NOTE_INTERNAL) != "public"
            steps.append(
                (
                    "Internal note added." if internal else "Public reply sent.",
                    lambda: comment_create(
                        complaint=obj, author=request.user, body=body, internal=internal
                    ),
                )
            )
        to_status = data.get("new_status")
        if to_status:
            steps.append(
                (
                    f"Moved to {Status(to_status).label}.",
                    lambda: complaint_transition(
                        complaint=obj,
                        actor=request.user,
                        to_status=to_status,
                        reason=data.get("reason", ""),
                    ),
                )
            )
        failed = False
        for done, step in steps:
            try:
                step()
            except (ValidationError, ComplaintError) as exc:
                self.message_user(request, _error_text(exc), messages.ERROR)
                failed = True
            else:
                self.message_user(request, done, messages.SUCCESS)
        # Read by response_change (same request): no "changed successfully" beside an error.
        request.complaint_work_failed = failed

    def response_change(self, request, obj):
        if getattr(request, "complaint_work_failed", False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def save_related(self, request, form, formsets, change):
        """Inlines are read-only; nothing to save."""

    def construct_change_message(self, request, form, formsets, add=False):
        return [{"changed": {"fields": list(form.changed_data)}}]

    # ---- actions

    def get_actions(self, request):
        actions = super().get_actions(request)
        role = getattr(request.user, "role", None)
        for to in _handler_targets():
            if not any(role in targets.get(to, ()) for targets in TRANSITIONS.values()):
                continue
            name = f"transition_to_{to}"
            label = f"Move selected to “{Status(to).label}”"
            if to in REASON_REQUIRED:
                label += "…"
            actions[name] = (self._make_transition_action(to), name, label)
        if role not in SUPERVISOR_ROLES:
            actions.pop("export_csv_with_descriptions", None)
        return actions

    def _make_transition_action(self, to_status: str):
        def action(modeladmin, request, queryset):
            return modeladmin.transition_selected(request, queryset, to_status)

        return action

    def transition_selected(self, request, queryset, to_status: str):
        reason = ""
        if to_status in REASON_REQUIRED:
            reason = (request.POST.get("reason") or "").strip()
            if not reason:
                return TemplateResponse(
                    request,
                    "admin/complaints/complaint/transition_reason.html",
                    {
                        **self.admin_site.each_context(request),
                        "title": f"Move to “{Status(to_status).label}”",
                        "opts": self.model._meta,
                        "queryset": queryset.defer(*ENCRYPTED_COMPLAINT_FIELDS),
                        "action": f"transition_to_{to_status}",
                        "to_status": Status(to_status).label,
                        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                        "error": "A reason is required." if "apply" in request.POST else "",
                    },
                )
        moved, skipped = [], []
        for complaint in queryset.defer(*ENCRYPTED_COMPLAINT_FIELDS).select_related("category"):
            if to_status not in allowed_transitions(complaint=complaint, user=request.user):
                skipped.append(complaint.reference)
                continue
            try:
                complaint_transition(
                    complaint=complaint, actor=request.user, to_status=to_status, reason=reason
                )
            except (ValidationError, ComplaintError):
                skipped.append(complaint.reference)
            else:
                moved.append(complaint.reference)
        label = Status(to_status).label
        if moved:
            self.message_user(
                request, f"Moved {len(moved)} complaint(s) to “{label}”.", messages.SUCCESS
            )
        if skipped:
            shown = ", ".join(skipped[:SKIPPED_SHOWN]) + (
                " …" if len(skipped) > SKIPPED_SHOWN else ""
            )
            self.message_user(
                request,
                f"Skipped {len(skipped)} complaint(s) that cannot move to “{label}” "
                f"from their current status: {shown}",
                messages.WARNING,
            )
        return None

    @admin.action(description="Assign selected to me")
    def assign_to_me(self, request, queryset):
        done, failed = 0, []
        for complaint in queryset.defer(*ENCRYPTED_COMPLAINT_FIELDS):
            try:
                complaint_assign(complaint=complaint, actor=request.user, assignee=request.user)
            except (ValidationError, ComplaintError) as exc:
                failed.append(f"{complaint.reference}: {_error_text(exc)}")
            else:
                done += 1
        if done:
            self.message_user(request, f"Assigned {done} complaint(s) to you.", messages.SUCCESS)
        for failure in failed[:20]:
            self.message_user(request, failure, messages.WARNING)

    def _export(self, request, queryset, *, include_description: bool):
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        return stream_csv(
            queryset,
            # Customers' names and addresses leave the system only with a supervisor's export.
            include_personal=may_export_personal_data(request.user),
            include_description=include_description,
            filename=f"complaints-{stamp}.csv",
        )

    @admin.action(description="Export selected as CSV")
    def export_csv(self, request, queryset):
        return self._export(request, queryset, include_description=False)

    @admin.action(description="Export selected as CSV, with descriptions (supervisors)")
    def export_csv_with_descriptions(self, request, queryset):
        if getattr(request.user, "role", None) not in SUPERVISOR_ROLES:
            raise PermissionDenied
        return self._export(request, queryset, include_description=True)


# --------------------------------------------------------------------------- categories


class StaffChoiceField(forms.ModelChoiceField):
    """Staff by name and title, not by ``User.__str__`` (role and id)."""

    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = CATEGORY_FIELDS
        field_classes = {"default_assignee": StaffChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "default_assignee" in self.fields:
            default_assignee = cast(forms.ModelChoiceField, self.fields["default_assignee"])
            default_assignee.queryset = User.objects.filter(role__in=HANDLER_ROLES, is_active=True)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryForm
    list_display = (
        "name",
        "slug",
        "is_active",
        "acknowledge_within_hours",
        "resolve_within_hours",
        "default_assignee_link",
        "business_calendar",
    )
    list_filter = ("is_active",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ("default_assignee", "business_calendar")

    @admin.display(description="default assignee")
    def default_assignee_link(self, obj: Category) -> str:
        if obj.default_assignee is None:
            return "—"
        return obj.default_assignee.display_name

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        fields = {f: form.cleaned_data[f] for f in CATEGORY_FIELDS if f in form.cleaned_data}
        try:
            if change:
                changes = {f: fields[f] for f in form.changed_data if f in fields}
                saved = category_update(
                    category=Category.objects.get(pk=obj.pk), actor=request.user, **changes
                )
            else:
                saved = category_create(actor=request.user, **fields)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        obj.pk = saved.pk


# --------------------------------------------------------------------------- SLA calendars


class WorkingHoursFormSet(forms.BaseInlineFormSet):
    """The week is checked as the SLA arithmetic will read it (no overlaps, some hours)."""

    def clean(self):
        super().clean()
        hours: dict[int, list] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or data.get("weekday") is None:
                continue
            if data.get("opens_at") is None or data.get("closes_at") is None:
                continue
            hours.setdefault(data["weekday"], []).append((data["opens_at"], data["closes_at"]))
        try:
            Calendar(time_zone="UTC", hours=hours)
        except CalendarError as exc:
            raise ValidationError(str(exc)) from exc


class CalendarDaysInline(admin.TabularInline):
    """The calendar's rows are edited with it, by whoever may manage calendars."""

    extra = 0

    def has_add_permission(self, request, obj=None):
        return may_manage_calendars(request.user)

    def has_change_permission(self, request, obj=None):
        return may_manage_calendars(request.user)

    def has_delete_permission(self, request, obj=None):
        return may_manage_calendars(request.user)

    def has_view_permission(self, request, obj=None):
        return bool(request.user.is_active and request.user.is_staff)


class WorkingHoursInline(CalendarDaysInline):
    model = WorkingHours
    formset = WorkingHoursFormSet
    fields = ("weekday", "opens_at", "closes_at")


class HolidayInline(CalendarDaysInline):
    model = Holiday
    fields = ("date", "name")


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    """Supervisors' SLA calendars; saved whole through ``complaints.calendars``."""

    list_display = ("name", "time_zone", "is_default", "week", "holiday_count")
    fields = ("name", "time_zone", "is_default")
    inlines = [WorkingHoursInline, HolidayInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("working_hours", "holidays")

    @admin.display(description="working hours")
    def week(self, obj: BusinessCalendar) -> str:
        return "; ".join(str(interval) for interval in obj.working_hours.all()) or "—"

    @admin.display(description="holidays")
    def holiday_count(self, obj: BusinessCalendar) -> int:
        return len(obj.holidays.all())

    def _may_manage(self, request) -> bool:
        return may_manage_calendars(request.user)

    def has_add_permission(self, request):
        return self._may_manage(request)

    def has_change_permission(self, request, obj=None):
        return self._may_manage(request)

    def has_delete_permission(self, request, obj=None):
        return self._may_manage(request)

    def has_view_permission(self, request, obj=None):
        return bool(request.user.is_active and request.user.is_staff)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def save_model(self, request, obj, form, change):
        """Saved with its days in ``save_related`` (one service call)."""

    def save_related(self, request, form, formsets, change):
        days: dict[type, list[dict]] = {WorkingHours: [], Holiday: []}
        for formset in formsets:
            for row in formset.cleaned_data:
                if row and not row.get("DELETE"):
                    days[formset.model].append(row)
        working_hours = [
            WorkingHoursIn(weekday=r["weekday"], opens_at=r["opens_at"], closes_at=r["closes_at"])
            for r in days[WorkingHours]
        ]
        holidays = [HolidayIn(date=r["date"], name=r.get("name", "")) for r in days[Holiday]]
        fields = {f: form.cleaned_data[f] for f in ("name", "time_zone", "is_default")}
        if change:
            saved = calendar_update(
                calendar=form.instance,
                actor=request.user,
                working_hours=working_hours,
                holidays=holidays,
                **fields,
            )
        else:
            saved = calendar_create(
                actor=request.user, working_hours=working_hours, holidays=holidays, **fields
            )
        form.instance.pk = saved.pk

    def construct_change_message(self, request, form, formsets, add=False):
        # The formsets were not saved (the service wrote the rows), so describe the form only.
        return [{"added": {}}] if add else [{"changed": {"fields": list(form.changed_data)}}]

    def delete_model(self, request, obj):
        calendar_delete(calendar=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for calendar in queryset:
            calendar_delete(calendar=calendar, actor=request.user)


# --------------------------------------------------------------------------- canned responses


class CannedResponseForm(forms.ModelForm):
    class Meta:
        model = CannedResponse
        fields = ["title", "category", "is_active", "body"]
        help_texts = {
            "body": "Placeholders: "
            + ", ".join(f"{{{name}}} ({meaning})" for name, meaning in PLACEHOLDERS.items())
        }

    def clean_body(self):
        body = self.cleaned_data["body"]
        errors = template_errors(body)
        if errors:
            raise ValidationError(errors)
        return body


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    """Supervisors keep the canned responses; agents read them (and insert them on complaints)."""

    form = CannedResponseForm
    list_display = ("title", "scope", "is_active", "updated_at")
    list_filter = ("is_active", "category")
    search_fields = ("title",)
    list_select_related = ("category",)

    @admin.display(description="offered on", ordering="category__name")
    def scope(self, obj: CannedResponse) -> str:
        return obj.category.name if obj.category is not None else "every complaint"

    def has_add_permission(self, request):
        return may_manage_canned_responses(request.user)

    def has_change_permission(self, request, obj=None):
        return may_manage_canned_responses(request.user)

    def has_delete_permission(self, request, obj=None):
        return may_manage_canned_responses(request.user)

    def has_view_permission(self, request, obj=None):
        return bool(request.user.is_active and request.user.is_staff)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def save_model(self, request, obj, form, change):
        fields = {f: form.cleaned_data[f] for f in CannedResponseForm.Meta.fields}
        if change:
            changes = {f: fields[f] for f in form.changed_data if f in fields}
            saved = canned_response_update(
                canned_response=CannedResponse.objects.get(pk=obj.pk),
                actor=request.user,
                **changes,
            )
        else:
            saved = canned_response_create(actor=request.user, **fields)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        canned_response_delete(canned_response=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for canned_response in queryset:
            canned_response_delete(canned_response=canned_response, actor=request.user)
