"""Attachment endpoints: list/upload on a complaint, download one file."""

from urllib.parse import quote
from uuid import UUID

from django.http import StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.requests import AuthenticatedRequest
from complaints.attachments import (
    ALLOWED_TYPES,
    attachment_add,
    attachment_get_visible,
    attachment_open_content,
    attachment_too_large,
    attachments_visible_to,
    max_bytes,
)
from complaints.errors import AttachmentContentUnavailable
from complaints.models import Attachment, Comment
from complaints.visibility import complaint_get_visible, sees_internal_notes

# Multipart framing and the small form fields on top of the file itself.
_MULTIPART_OVERHEAD = 64 * 1024


class AttachmentTypeOutputSerializer(serializers.Serializer):
    content_type = serializers.CharField()
    extensions = serializers.ListField(child=serializers.CharField())


class AttachmentRulesOutputSerializer(serializers.Serializer):
    max_bytes = serializers.IntegerField(help_text="Largest accepted file, in bytes.")
    types = AttachmentTypeOutputSerializer(many=True)


class AttachmentRulesView(APIView):
    """What an upload may be, so clients check before sending instead of copying the rules."""

    @extend_schema(
        operation_id="attachments_rules",
        summary="Accepted attachment types and the size limit",
        description="Types are decided by the file's bytes; the extensions are the names "
        "files of each type usually carry.",
        responses={
            200: AttachmentRulesOutputSerializer,
            401: OpenApiResponse(description="Not authenticated."),
        },
    )
    def get(self, request):
        types = [
            {"content_type": content_type, "extensions": [canonical, *aliases]}
            for content_type, (canonical, aliases) in ALLOWED_TYPES.items()
        ]
        return Response({"max_bytes": max_bytes(), "types": types})


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False, use_url=False)
    # Multipart has no null: leave the field out (or empty) for an attachment of no comment.
    comment_id = serializers.UUIDField(required=False)


class AttachmentOutputSerializer(serializers.ModelSerializer):
    file_name = serializers.CharField(source="original_name")
    complaint_id = serializers.UUIDField()
    comment_id = serializers.UUIDField(allow_null=True)
    uploaded_by_id = serializers.UUIDField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "complaint_id",
            "comment_id",
            "file_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by_id",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj: Attachment) -> str:
        return reverse("attachment-download", kwargs={"pk": obj.pk})


class ComplaintAttachmentsView(GenericAPIView):
    request: AuthenticatedRequest
    parser_classes = [MultiPartParser]
    serializer_class = AttachmentOutputSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Attachment.objects.none()
        complaint = complaint_get_visible(user=self.request.user, complaint_id=self.kwargs["pk"])
        return attachments_visible_to(user=self.request.user, complaint=complaint)

    @extend_schema(
        summary="List the attachments of a complaint",
        responses={200: AttachmentOutputSerializer(many=True)},
    )
    def get(self, request: AuthenticatedRequest, pk: UUID) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        data = AttachmentOutputSerializer(page, many=True).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Upload an attachment (multipart field `file`, optional `comment_id`)",
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={
            201: AttachmentOutputSerializer,
            400: OpenApiResponse(description="No file, empty file or bad comment_id."),
            409: OpenApiResponse(description="Customer uploading to a finished complaint."),
            404: OpenApiResponse(description="No such complaint (or not yours)."),
            413: OpenApiResponse(description="File larger than ATTACHMENT_MAX_BYTES."),
            415: OpenApiResponse(description="Not multipart, or not an allowed file type."),
        },
    )
    def post(self, request: AuthenticatedRequest, pk: UUID) -> Response:
        complaint = complaint_get_visible(user=request.user, complaint_id=pk)
        # Refuse obviously oversized bodies before reading them at all.
        try:
            content_length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            content_length = 0
        if content_length > max_bytes() + _MULTIPART_OVERHEAD:
            raise attachment_too_large()
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = None
        comment_id = serializer.validated_data.get("comment_id")
        if comment_id is not None:
            comment = (
                Comment.objects.only("id", "complaint_id", "is_internal")
                .filter(pk=comment_id, complaint=complaint)
                .first()
            )
            if comment is None or (comment.is_internal and not sees_internal_notes(request.user)):
                raise serializers.ValidationError(
                    {"comment_id": ["Not a comment of this complaint."]}
                )
        attachment = attachment_add(
            complaint=complaint,
            uploader=request.user,
            upload=serializer.validated_data["file"],
            comment=comment,
        )
        return Response(AttachmentOutputSerializer(attachment).data, status=status.HTTP_201_CREATED)


def content_disposition(name: str) -> str:
    fallback = name.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "")
    encoded = quote(name, safe="")
    return f"attachment; filename=\"{fallback or 'attachment'}\"; filename*=UTF-8''{encoded}"


class AttachmentDownloadView(APIView):
    @extend_schema(
        summary="Download an attachment",
        responses={
            **{(200, media_type): OpenApiTypes.BINARY for media_type in ALLOWED_TYPES},
            404: OpenApiResponse(description="No such attachment (or not visible to you)."),
        },
    )
    def get(self, request: AuthenticatedRequest, pk: UUID) -> StreamingHttpResponse:
        attachment = attachment_get_visible(user=request.user, attachment_id=pk)
        content_type = attachment.content_type
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        try:
            content = attachment_open_content(attachment=attachment)
        except AttachmentContentUnavailable as exc:
            # The row outlived its file (restored database, storage incident) or the file does
            # not decrypt (tampered with, master key missing): logged, and not a 500.
            raise NotFound(exc.message) from exc
        response = StreamingHttpResponse(content, content_type=content_type)
        response["Content-Length"] = str(attachment.size)
        response["Content-Disposition"] = content_disposition(attachment.original_name)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, no-store"
        return response
