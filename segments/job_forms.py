"""Console forms of bulk import and export; the rules themselves are the services' (same messages as the API)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from engage.errors import Invalid
from engage.tenancy.models import Tenant
from segments.models import Segment
from segments.services.imports.create import import_format_check, import_upload_check
from segments.services.s3 import s3_parse

FORMAT_CHOICES = [("", "Detect from the file name"), ("CSV", "CSV"), ("JSON", "JSON (one endpoint per line)")]


class ImportForm(forms.Form):
    file = forms.FileField(
        required=False,
        label="File",
        help_text="CSV with a header row, or newline-delimited JSON (a Pinpoint export); gzip'd or not; up to 1 GB.",
    )
    s3_url = forms.CharField(
        required=False,
        max_length=1024,
        label="Or an S3 URL",
        help_text="s3://bucket/prefix — every file under the prefix is imported, sub-folders included.",
        widget=forms.TextInput(attrs={"placeholder": "s3://my-bucket/audience/"}),
    )
    format = forms.ChoiceField(choices=FORMAT_CHOICES, required=False)
    define_segment = forms.BooleanField(required=False, label="Create a segment from the imported rows")
    segment_name = forms.CharField(
        required=False, max_length=255, help_text="Default: the file name without its extension."
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload: UploadedFile | None = data.get("file")
        url = (data.get("s3_url") or "").strip()
        if (upload is None) == (not url):
            raise forms.ValidationError("Choose a file to upload, or give an S3 URL: one of the two.")
        try:
            if upload is not None:
                import_upload_check(upload, field="file")
            else:
                s3_parse(url, field="s3_url")
            name = upload.name or "" if upload is not None else url
            data["format"] = import_format_check(data.get("format"), filename=name, field="format")
        except Invalid as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        data["s3_url"] = url
        return data


class ExportForm(forms.Form):
    segment = forms.ChoiceField(
        required=False, label="Endpoints", help_text="Dynamic segments can be exported once segment exports land."
    )
    s3_url_prefix = forms.CharField(
        required=False,
        max_length=1024,
        label="S3 URL prefix (optional)",
        help_text="Leave empty to download the file from this page.",
        widget=forms.TextInput(attrs={"placeholder": "s3://my-bucket/exports/"}),
    )

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.segments = {s.public_id: s for s in Segment.objects.for_tenant(tenant)}
        choices = [("", "All endpoints")]
        choices += [
            (
                pid,
                f"Imported segment “{s.name}” ({s.import_size:,})"
                if s.kind == Segment.Kind.IMPORT
                else f"Segment “{s.name}” (v{s.version})",
            )
            for pid, s in self.segments.items()
        ]
        self.fields["segment"].choices = choices  # type: ignore[attr-defined]

    def clean_s3_url_prefix(self) -> str:
        value = (self.cleaned_data.get("s3_url_prefix") or "").strip()
        if value:
            try:
                s3_parse(value, field="s3_url_prefix")
            except Invalid as exc:
                raise forms.ValidationError(exc.message) from None
        return value

    def clean_segment(self) -> Segment | None:
        value = self.cleaned_data.get("segment") or ""
        return self.segments.get(value) if value else None
