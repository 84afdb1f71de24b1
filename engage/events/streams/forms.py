"""Console form for a destination. It only shapes input; the services validate (and name the field to fix)."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms

from engage.events.streams.config import KIND_FIELDS, SECRET_FIELDS
from engage.events.streams.models import EventStream

_SECRET = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})


class EventStreamForm(forms.Form):
    name = forms.CharField(max_length=100)
    s3_url = forms.CharField(
        label="S3 location",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "s3://my-bucket/engage-events/"}),
        help_text="Objects land under prefix/YYYY/MM/DD/HH/ as gzip'd newline-delimited JSON.",
    )
    stream_name = forms.CharField(label="Stream name", required=False, max_length=2048)
    region = forms.CharField(label="AWS region", required=False, initial="us-east-1", max_length=32)
    endpoint_url = forms.CharField(
        label="Endpoint URL",
        required=False,
        max_length=2048,
        help_text="Leave empty for AWS. Set it for an S3-compatible store or a local test server.",
    )
    access_key_id = forms.CharField(label="Access key id", required=False, max_length=128, widget=_SECRET)
    secret_access_key = forms.CharField(label="Secret access key", required=False, max_length=256, widget=_SECRET)
    default_credentials = forms.BooleanField(
        label="Use the default credential chain (instance or task role) instead of keys", required=False
    )
    url = forms.CharField(
        label="Webhook URL",
        required=False,
        max_length=2048,
        widget=forms.TextInput(attrs={"placeholder": "https://example.com/engage-events"}),
    )
    webhook_secret = forms.CharField(label="Signing secret", required=False, max_length=256)
    timeout_seconds = forms.IntegerField(label="Timeout (seconds)", min_value=1, max_value=30, initial=10)
    from_beginning = forms.BooleanField(
        label="Also export every event stored so far (otherwise only events arriving from now on)", required=False
    )

    def __init__(self, *args: Any, kind: str, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.creating = creating
        keep = {"name", *KIND_FIELDS[kind]}
        if kind != EventStream.Kind.WEBHOOK and not creating:
            keep.add("default_credentials")
        if creating:
            keep.add("from_beginning")
        for field in list(self.fields):
            if field not in keep:
                del self.fields[field]
        if "stream_name" in self.fields:
            self.fields["stream_name"].label = (
                "Kinesis stream name or ARN" if kind == EventStream.Kind.KINESIS else "Firehose delivery stream name"
            )
        self._explain_secrets()

    def _explain_secrets(self) -> None:
        if "access_key_id" in self.fields:
            self.fields["secret_access_key"].help_text = (
                "Leave both empty to keep the current keys."
                if not self.creating
                else "Leave both empty to use the default credential chain (instance or task role)."
            )
        if "webhook_secret" in self.fields:
            if self.creating:
                self.fields["webhook_secret"].initial = secrets.token_urlsafe(32)
                self.fields[
                    "webhook_secret"
                ].help_text = "Copy it into your receiver now: Engage never shows it again. At least 16 characters."
            else:
                self.fields["webhook_secret"].widget = _SECRET
                self.fields["webhook_secret"].help_text = "Leave empty to keep the current secret."

    def changes(self) -> dict[str, Any]:
        """The cleaned fields to hand to the service (on edits, empty secrets mean "keep")."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("default_credentials", "from_beginning")}
        if not self.creating:
            data = {k: v for k, v in data.items() if not (k in SECRET_FIELDS and not v)}
            if self.cleaned_data.get("default_credentials"):
                data.update(access_key_id="", secret_access_key="")
        return data
