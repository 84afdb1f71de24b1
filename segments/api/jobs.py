"""REST API for bulk import and export jobs, in Pinpoint's ImportJob/ExportJob shapes.

POST imports/ takes a multipart upload (`file`, `format`, `define_segment`, `segment_name`) or Pinpoint's
ImportJobRequest JSON (`S3Url`, `Format`, ...); POST exports/ takes an ExportJobRequest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, HttpResponseBase, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from engage.api.base import TenantViewSet
from engage.errors import Invalid
from engage.tenancy.models import Capability
from segments.job_json import error_report_lines, export_job_to_pinpoint, import_job_to_pinpoint
from segments.models import ExportJob, ImportFailure, ImportJob
from segments.services.exports import export_create, export_file_open
from segments.services.imports.create import (
    import_create,
    import_format_check,
    import_segment_check,
    import_upload_check,
)
from segments.services.s3 import s3_parse

T = TypeVar("T")


def checked(check: Callable[[], T], *, field: str | None = None) -> T:
    """Run a service check; its refusal becomes a 400 on the field being validated (or on `field`)."""
    try:
        return check()
    except Invalid as exc:
        raise serializers.ValidationError({field: [exc.message]} if field else exc.message) from None


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False)
    format = serializers.CharField(required=False, allow_blank=True)
    define_segment = serializers.BooleanField(required=False, default=False)
    segment_name = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        upload = attrs["file"]
        checked(lambda: import_upload_check(upload), field="file")
        attrs["format"] = checked(
            lambda: import_format_check(attrs.get("format"), filename=upload.name), field="format"
        )
        return attrs


class ImportJobRequestSerializer(serializers.Serializer):
    """Pinpoint's ImportJobRequest (RoleArn is accepted and unused: Engage reads S3 with its own credentials)."""

    S3Url = serializers.CharField(max_length=1024)
    Format = serializers.CharField()
    DefineSegment = serializers.BooleanField(required=False, default=False)
    SegmentName = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")
    SegmentId = serializers.CharField(required=False, allow_blank=True, default="")
    RegisterEndpoints = serializers.BooleanField(required=False, default=True)
    ExternalId = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")
    RoleArn = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_S3Url(self, value: str) -> str:
        checked(lambda: s3_parse(value, field="S3Url"))
        return value.strip()

    def validate_Format(self, value: str) -> str:
        return checked(lambda: import_format_check(value))

    def validate_SegmentId(self, value: str) -> Any:
        if not value:
            return None
        return checked(lambda: import_segment_check(tenant=self.context["tenant"], segment_id=value))


class ExportJobRequestSerializer(serializers.Serializer):
    """Pinpoint's ExportJobRequest; without S3UrlPrefix the file is kept for download."""

    S3UrlPrefix = serializers.CharField(required=False, allow_blank=True, max_length=1024, default="")
    SegmentId = serializers.CharField(required=False, allow_blank=True, default="")
    SegmentVersion = serializers.IntegerField(required=False, allow_null=True, default=None)
    RoleArn = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_S3UrlPrefix(self, value: str) -> str:
        if value:
            checked(lambda: s3_parse(value, field="S3UrlPrefix"))
        return value.strip()

    def validate_SegmentId(self, value: str) -> Any:
        if not value:
            return None
        return checked(lambda: import_segment_check(tenant=self.context["tenant"], segment_id=value, dynamic_ok=True))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        segment, version = attrs.get("SegmentId"), attrs.get("SegmentVersion")
        if version is not None and (segment is None or version != segment.version):
            current = f"; the segment is at version {segment.version}" if segment is not None else ""
            raise serializers.ValidationError(
                {"SegmentVersion": [f"only the current version can be exported{current}"]}
            )
        return attrs


class ImportJobSerializer(serializers.Serializer):
    def to_representation(self, instance: ImportJob) -> dict[str, Any]:
        failures = getattr(instance, "first_failures", None)
        if failures is None:
            failures = list(instance.failures.order_by("id")[:100])
        return import_job_to_pinpoint(instance, application_id=self.context["tenant"].public_id, failures=failures)


class ExportJobSerializer(serializers.Serializer):
    def to_representation(self, instance: ExportJob) -> dict[str, Any]:
        return export_job_to_pinpoint(instance, application_id=self.context["tenant"].public_id)


class ImportJobViewSet(TenantViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Import jobs. Create needs the edit capability; the error report is `imports/<id>/errors/` (CSV)."""

    queryset = ImportJob.objects.select_related("segment")
    serializer_class = ImportJobSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[ImportJob]:
        first = Prefetch("failures", queryset=ImportFailure.objects.order_by("id")[:100], to_attr="first_failures")
        return super().get_queryset().prefetch_related(first)

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if request.content_type.startswith("multipart/") or request.FILES:
            form = ImportUploadSerializer(data=request.data)
            form.is_valid(raise_exception=True)
            data = form.validated_data
            job = import_create(
                tenant=self.tenant,
                by=self.actor,
                format=data["format"],
                upload=data["file"],
                define_segment=data["define_segment"],
                segment_name=data["segment_name"],
            )
        else:
            body = ImportJobRequestSerializer(data=request.data, context={"tenant": self.tenant})
            body.is_valid(raise_exception=True)
            data = body.validated_data
            job = import_create(
                tenant=self.tenant,
                by=self.actor,
                format=data["Format"],
                s3_url=data["S3Url"],
                define_segment=data["DefineSegment"],
                segment_name=data["SegmentName"],
                segment=data["SegmentId"],
                register_endpoints=data["RegisterEndpoints"],
                external_id=data["ExternalId"],
            )
        return Response(self.get_serializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"])
    def errors(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        """Every rejected row as CSV: file, line, field, reason, row."""
        job = self.get_object()
        response = StreamingHttpResponse(
            error_report_lines(job.failures.order_by("id").iterator()), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
        return response


class ExportJobViewSet(TenantViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Export jobs. Creating one and downloading its file need the export capability."""

    queryset = ExportJob.objects.select_related("segment")
    serializer_class = ExportJobSerializer
    write_capability = Capability.EXPORT
    action_capabilities = {"download": Capability.EXPORT}

    @extend_schema(request=OpenApiTypes.OBJECT, responses={202: OpenApiTypes.OBJECT})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ExportJobRequestSerializer(data=request.data, context={"tenant": self.tenant})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        job = export_create(
            tenant=self.tenant, by=self.actor, segment=data["SegmentId"], s3_url_prefix=data["S3UrlPrefix"]
        )
        return Response(self.get_serializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "application/gzip"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        """The finished export file (gzip'd newline-delimited JSON)."""
        return export_file_response(self.get_object())


def export_file_response(job: ExportJob) -> FileResponse:
    """Stream a finished export's file (Conflict, a 409, when there is none)."""
    handle, name = export_file_open(job=job)
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/gzip")
