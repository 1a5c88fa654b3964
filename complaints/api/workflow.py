"""GET /api/workflow/: the statuses and priorities, so clients read them instead of copying.

What one caller may do on one complaint is on the complaint itself (``allowed_transitions``
and the ``can_*`` flags); this endpoint describes the vocabulary. It changes only with a
deployment, so answers carry an ETag and may be cached.
"""

import hashlib
import json

from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.api.serializers import PRIORITY_NAMES
from complaints.api.views import R401
from complaints.models import Priority
from complaints.workflow import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    REASON_REQUIRED,
    SLA_PAUSED_STATUSES,
    Status,
)

CACHE_SECONDS = 3600


class WorkflowStatusSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=Status.choices)
    label = serializers.CharField()
    open = serializers.BooleanField(help_text="The complaint waits for the organisation to act.")
    final = serializers.BooleanField(help_text="Nobody can move the complaint any further.")
    reason_required = serializers.BooleanField(help_text="Moving to it needs a `reason`.")
    sla_paused = serializers.BooleanField(
        help_text="The resolve clock stands still while the complaint is in it."
    )


class WorkflowPrioritySerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=PRIORITY_NAMES, help_text="As the API reads it.")
    label = serializers.CharField()


class WorkflowSerializer(serializers.Serializer):
    statuses = WorkflowStatusSerializer(many=True, help_text="In workflow order.")
    priorities = WorkflowPrioritySerializer(many=True, help_text="Lowest first.")


def _describe() -> dict:
    statuses = [
        {
            "value": status.value,
            "label": status.label,
            "open": status in OPEN_STATUSES,
            "final": status in FINAL_STATUSES,
            "reason_required": status in REASON_REQUIRED,
            "sla_paused": status in SLA_PAUSED_STATUSES,
        }
        for status in Status
    ]
    priorities = [{"value": p.label, "label": p.label.capitalize()} for p in Priority]
    return WorkflowSerializer({"statuses": statuses, "priorities": priorities}).data


WORKFLOW = _describe()
ETAG = quote_etag(hashlib.sha256(json.dumps(WORKFLOW, sort_keys=True).encode()).hexdigest()[:32])


class WorkflowView(APIView):
    @extend_schema(
        operation_id="workflow_retrieve",
        summary="Complaint statuses and priorities",
        description="Cacheable: answers carry `ETag` and `Cache-Control`; a request with a "
        "matching `If-None-Match` gets a 304 without a body.",
        responses={
            200: WorkflowSerializer,
            304: OpenApiResponse(description="Not modified since the `ETag` in `If-None-Match`."),
            401: R401,
        },
    )
    def get(self, request: Request) -> Response:
        response = get_conditional_response(request, etag=ETAG) or Response(WORKFLOW)
        response["ETag"] = ETAG
        patch_cache_control(response, private=True, max_age=CACHE_SECONDS)
        return response
