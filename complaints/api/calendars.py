"""/api/sla-calendars/: business calendars for the SLA clocks (supervisors and admins)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from complaints import calendars
from complaints.api.views import R400, R401, ErrorOut
from complaints.models import BusinessCalendar, Weekday
from complaints.policies import may_manage_calendars

WEEKDAY_NAMES = {day.label.lower(): day.value for day in Weekday}
WEEKDAY_BY_NUMBER = {number: name for name, number in WEEKDAY_NAMES.items()}

R403 = OpenApiResponse(ErrorOut, description="Only supervisors and admins manage calendars.")
R404 = OpenApiResponse(ErrorOut, description="No such calendar.")
CALENDAR_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


class CalendarManager(BasePermission):
    message = calendars.SUPERVISOR_ONLY

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and may_manage_calendars(user))


class WeekdayField(serializers.ChoiceField):
    """A weekday by its English name on the wire (monday ... sunday), 0-6 in the database."""

    def __init__(self, **kwargs):
        super().__init__(choices=list(WEEKDAY_NAMES), **kwargs)

    def to_representation(self, value):
        return WEEKDAY_BY_NUMBER[value]

    def to_internal_value(self, data):
        return WEEKDAY_NAMES[super().to_internal_value(data)]


class WorkingHoursSerializer(serializers.Serializer):
    weekday = WeekdayField()
    opens_at = serializers.TimeField(format="%H:%M", help_text="Local wall-clock time.")
    closes_at = serializers.TimeField(
        format="%H:%M", help_text="Local wall-clock time; 00:00 means midnight (24:00)."
    )


class HolidaySerializer(serializers.Serializer):
    date = serializers.DateField(help_text="A local date on which the clocks stand still.")
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class CalendarOutSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    time_zone = serializers.CharField(read_only=True)
    is_default = serializers.BooleanField(read_only=True)
    working_hours = WorkingHoursSerializer(many=True, read_only=True)
    holidays = HolidaySerializer(many=True, read_only=True)
    category_ids = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(read_only=True)

    def get_category_ids(self, obj: BusinessCalendar) -> list[int]:
        return sorted(category.pk for category in obj.categories.all())


class CalendarInSerializer(serializers.Serializer):
    """A calendar as written; ``for_patch=True`` makes every field optional.

    Not DRF's ``partial``: that would make the fields of each working-hours entry optional too.
    """

    def __init__(self, *args, for_patch: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if for_patch:
            for field in self.fields.values():
                field.required = False

    name = serializers.CharField(max_length=100)
    time_zone = serializers.CharField(max_length=64, help_text="IANA name, e.g. Europe/London.")
    is_default = serializers.BooleanField(
        required=False, help_text="Make this the organisation's calendar (the previous one stops)."
    )
    working_hours = WorkingHoursSerializer(
        many=True, max_length=7 * 24, help_text="The whole week; replaces the stored hours."
    )
    holidays = HolidaySerializer(
        many=True,
        required=False,
        max_length=calendars.MAX_HOLIDAYS,
        help_text="Replaces the stored holidays.",
    )


def _calendar_response(calendar: BusinessCalendar, code: int = 200) -> Response:
    fresh = calendars.calendar_get(calendar_id=calendar.pk)
    return Response(CalendarOutSerializer(fresh).data, status=code)


class CalendarListCreateApi(generics.GenericAPIView):
    permission_classes = [CalendarManager]
    serializer_class = CalendarOutSerializer

    def get_queryset(self):
        return calendars.calendar_list()

    @extend_schema(
        operation_id="sla_calendars_list",
        summary="Business calendars the SLA clocks run on",
        description="Without a default calendar and without a category's own, SLA clocks run "
        "around the clock. Supervisors and admins only.",
        responses={200: CalendarOutSerializer(many=True), 401: R401, 403: R403},
        tags=["sla"],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CalendarOutSerializer(page, many=True).data)

    @extend_schema(
        operation_id="sla_calendars_create",
        request=CalendarInSerializer,
        responses={201: CalendarOutSerializer, 400: R400, 401: R401, 403: R403},
        tags=["sla"],
    )
    def post(self, request: Request) -> Response:
        serializer = CalendarInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        calendar = calendars.calendar_create(actor=request.user, **serializer.validated_data)
        return _calendar_response(calendar, status.HTTP_201_CREATED)


class CalendarDetailApi(generics.GenericAPIView):
    permission_classes = [CalendarManager]
    serializer_class = CalendarOutSerializer

    @extend_schema(
        operation_id="sla_calendars_retrieve",
        parameters=[CALENDAR_ID],
        responses={200: CalendarOutSerializer, 401: R401, 403: R403, 404: R404},
        tags=["sla"],
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(CalendarOutSerializer(calendars.calendar_get(calendar_id=pk)).data)

    @extend_schema(
        operation_id="sla_calendars_partial_update",
        parameters=[CALENDAR_ID],
        request=CalendarInSerializer,
        responses={200: CalendarOutSerializer, 400: R400, 401: R401, 403: R403, 404: R404},
        tags=["sla"],
    )
    def patch(self, request: Request, pk: int) -> Response:
        calendar = calendars.calendar_get(calendar_id=pk)
        serializer = CalendarInSerializer(data=request.data, for_patch=True)
        serializer.is_valid(raise_exception=True)
        calendar = calendars.calendar_update(
            calendar=calendar, actor=request.user, **serializer.validated_data
        )
        return _calendar_response(calendar)

    @extend_schema(
        operation_id="sla_calendars_destroy",
        parameters=[CALENDAR_ID],
        responses={204: None, 401: R401, 403: R403, 404: R404},
        tags=["sla"],
    )
    def delete(self, request: Request, pk: int) -> Response:
        calendars.calendar_delete(
            calendar=calendars.calendar_get(calendar_id=pk), actor=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
