"""The campaign wizard's forms. Each step turns its fields into part of a WriteCampaignRequest (the same body the
API takes) and says which form field a request path's error belongs to."""

from __future__ import annotations

from datetime import UTC, tzinfo
from typing import Any, cast

from django import forms

from campaigns.message import MC, TC

CHANNELS = [("EMAIL", "Email"), ("SMS", "SMS"), ("PUSH", "Mobile push"), ("VOICE", "Voice"), ("CUSTOM", "Custom")]
TEMPLATE_KEY = {"EMAIL": "EmailTemplate", "SMS": "SMSTemplate", "PUSH": "PushTemplate", "VOICE": "VoiceTemplate"}
TREATMENT_SLOTS = 4
text = forms.TextInput
area = forms.Textarea


class StepForm(forms.Form):
    """A wizard step: `body()` is its slice of WriteCampaignRequest; FIELDS maps request paths to form fields."""

    FIELDS: dict[str, str] = {}

    def body(self) -> dict[str, Any]:
        """Each step overrides this; a step that sends nothing sends an empty slice."""
        return {}

    def field_for(self, path: str) -> str | None:
        """The form field a request path's error belongs to: the longest mapped prefix."""
        for prefix in sorted(self.FIELDS, key=len, reverse=True):
            if path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "["):
                return self.FIELDS[prefix] if self.FIELDS[prefix] in self.fields else None
        return None


class DetailsForm(StepForm):
    name = forms.CharField(max_length=255)
    description = forms.CharField(required=False, widget=area(attrs={"rows": 3}))
    FIELDS = {"Name": "name", "name": "name", "Description": "description", "description": "description"}

    def body(self) -> dict[str, Any]:
        return {"Name": self.cleaned_data["name"], "Description": self.cleaned_data["description"]}


class SegmentForm(StepForm):
    segment = forms.ChoiceField(label="Segment")
    segment_version = forms.IntegerField(
        required=False, min_value=1, label="Pin version", help_text="Leave empty to use the latest version each run."
    )
    FIELDS = {"SegmentId": "segment", "SegmentVersion": "segment_version"}

    def __init__(self, *args: Any, segments: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["segment"]).choices = [("", "Choose a segment…"), *segments]

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"SegmentId": self.cleaned_data["segment"]}
        if self.cleaned_data["segment_version"]:
            body["SegmentVersion"] = self.cleaned_data["segment_version"]
        return body


def _content_fields(prefix: str = "") -> dict[str, forms.Field]:
    """The inline message fields of every channel (the page shows the chosen channel's)."""
    return {
        f"{prefix}subject": forms.CharField(required=False, label="Subject"),
        f"{prefix}html_body": forms.CharField(
            required=False, label="HTML body", widget=area(attrs={"rows": 8, "class": "mono"})
        ),
        f"{prefix}sms_body": forms.CharField(required=False, label="Message", widget=area(attrs={"rows": 4})),
        f"{prefix}push_title": forms.CharField(required=False, label="Title"),
        f"{prefix}push_body": forms.CharField(required=False, label="Body", widget=area(attrs={"rows": 3})),
        f"{prefix}custom_data": forms.CharField(
            required=False, label="Data", widget=area(attrs={"rows": 4, "class": "mono"})
        ),
        f"{prefix}template": forms.ChoiceField(required=False, label="Template"),
        f"{prefix}template_version": forms.CharField(
            required=False, label="Version", help_text="Empty: the active version when the run starts."
        ),
    }


def content_body(data: dict[str, Any], channel: str, prefix: str = "", source: str = "inline") -> dict[str, Any]:
    """MessageConfiguration / TemplateConfiguration for one treatment's fields."""
    get = lambda name: (data.get(f"{prefix}{name}") or "").strip()  # noqa: E731
    if source == "template":
        wanted: dict[str, Any] = {"Name": get("template")}
        if get("template_version"):
            wanted["Version"] = get("template_version")
        return {MC: {}, TC: {TEMPLATE_KEY.get(channel, "EmailTemplate"): wanted}}
    messages: dict[str, dict[str, Any]] = {
        "EMAIL": {"EmailMessage": {"Title": get("subject"), "HtmlBody": get("html_body")}},
        "SMS": {"SMSMessage": {"Body": get("sms_body"), "MessageType": data.get("sms_type") or "PROMOTIONAL"}},
        "PUSH": {"DefaultMessage": {"Title": get("push_title"), "Body": get("push_body"), "Action": "OPEN_APP"}},
        "CUSTOM": {"CustomMessage": {"Data": get("custom_data")}},
    }
    mc = messages.get(channel, {})
    if channel == "EMAIL" and get("from_address"):
        mc["EmailMessage"]["FromAddress"] = get("from_address")
    return {MC: mc, TC: {}}


CHANNEL_FIELDS = {
    "EMAIL": ("subject", "html_body"), "SMS": ("sms_body",), "PUSH": ("push_title", "push_body"),
    "CUSTOM": ("custom_data",),
}  # fmt: skip
CONTENT_FIELDS = {
    "EmailMessage.Title": "subject", "EmailMessage.HtmlBody": "html_body", "EmailMessage.Body": "html_body",
    "EmailMessage.FromAddress": "from_address", "SMSMessage": "sms_body", "DefaultMessage.Title": "push_title",
    "DefaultMessage": "push_body", "CustomMessage": "custom_data",
}  # fmt: skip


class MessageForm(StepForm):
    channel = forms.ChoiceField(choices=CHANNELS, widget=forms.RadioSelect)
    source = forms.ChoiceField(
        choices=[("inline", "Write it here"), ("template", "Use a template")], widget=forms.RadioSelect
    )
    treatment_name = forms.CharField(required=False, label="Treatment name", help_text="Shown in A/B results.")
    from_address = forms.CharField(required=False, label="From address", help_text="Empty: the channel's default.")
    sms_type = forms.ChoiceField(
        required=False,
        label="Message type",
        choices=[("PROMOTIONAL", "Promotional"), ("TRANSACTIONAL", "Transactional")],
    )
    FIELDS = {
        **{f"{MC}.{k}": v for k, v in CONTENT_FIELDS.items()},
        TC: "template", **{f"{TC}.{k}.Version": "template_version" for k in TEMPLATE_KEY.values()},
        "TreatmentName": "treatment_name",
    }  # fmt: skip

    def __init__(self, *args: Any, templates: list[tuple[str, str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_content_fields())
        cast(forms.ChoiceField, self.fields["template"]).choices = [("", "Choose a template…")] + [
            (name, name) for name, _, _ in templates
        ]
        self.template_channels = {name: channel for name, channel, _ in templates}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("channel") == "VOICE" and data.get("source") == "inline":
            self.add_error("source", "Voice messages come from a voice template: choose “Use a template”.")
        if data.get("source") == "template" and not data.get("template"):
            self.add_error("template", "Choose the template to send.")
        return data

    def body(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {**content_body(d, d["channel"], source=d["source"]), "TreatmentName": d["treatment_name"]}


class TreatmentsForm(StepForm):
    holdout_percent = forms.IntegerField(
        min_value=0,
        max_value=100,
        initial=0,
        label="Holdout %",
        help_text="Members who get no message, to measure lift.",
    )
    FIELDS = {"HoldoutPercent": "holdout_percent", "AdditionalTreatments": "__all__"}

    def __init__(
        self, *args: Any, channel: str, templates: list[tuple[str, str, str]], tz: tzinfo = UTC, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.channel, self.tz = channel, tz
        for i in range(1, TREATMENT_SLOTS + 1):
            p = f"t{i}_"
            self.fields[f"{p}name"] = forms.CharField(required=False, label="Name")
            self.fields[f"{p}size"] = forms.IntegerField(required=False, min_value=0, max_value=100, label="Share %")
            self.fields[f"{p}start_at"] = forms.DateTimeField(
                required=False,
                label="Own start time",
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                help_text=f"Optional, {tz} time; empty: the campaign's schedule.",
            )
            self.fields[f"{p}source"] = forms.ChoiceField(
                required=False, label="Content", choices=[("inline", "Write it here"), ("template", "Template")]
            )
            self.fields.update(_content_fields(p))
            cast(forms.ChoiceField, self.fields[f"{p}template"]).choices = [("", "Choose…")] + [
                (n, n) for n, c, _ in templates if c == channel
            ]

    def slots(self) -> list[dict[str, Any]]:
        """Per treatment slot: its bound fields (head, template pick, the channel's inline content)."""
        inline = CHANNEL_FIELDS.get(self.channel, ())
        return [
            {
                "n": i,
                "fields": [self[f"t{i}_{name}"] for name in ("name", "size", "source")],
                "schedule": self[f"t{i}_start_at"],
                "template": [self[f"t{i}_{name}"] for name in ("template", "template_version")],
                "inline": [self[f"t{i}_{name}"] for name in inline],
            }
            for i in range(1, TREATMENT_SLOTS + 1)
        ]

    def used(self) -> list[int]:
        d = self.cleaned_data
        return [i for i in range(1, TREATMENT_SLOTS + 1) if d.get(f"t{i}_name") or d.get(f"t{i}_size")]

    def body(self) -> dict[str, Any]:
        d = self.cleaned_data
        items = []
        for i in self.used():
            p = f"t{i}_"
            item = {"TreatmentName": d.get(f"{p}name") or f"Treatment {i}", "SizePercent": d.get(f"{p}size")}
            item.update(
                {k: v for k, v in content_body(d, self.channel, p, d.get(f"{p}source") or "inline").items() if v}
            )
            if d.get(f"{p}start_at"):
                item["Schedule"] = {"StartTime": d[f"{p}start_at"].replace(tzinfo=self.tz).isoformat()}
            items.append(item)
        return {"HoldoutPercent": d["holdout_percent"] or 0, "AdditionalTreatments": items}

    def field_for(self, path: str) -> str | None:
        if path.startswith("AdditionalTreatments["):
            index = int(path[len("AdditionalTreatments[") : path.index("]")])
            slots = self.used()
            if index < len(slots):
                rest = path[path.index("]") + 2 :]
                slot = f"t{slots[index]}_"
                if rest == "SizePercent":
                    return f"{slot}size"
                if rest.startswith("Schedule"):
                    return f"{slot}start_at"
                for prefix, name in CONTENT_FIELDS.items():
                    if rest.startswith(f"{MC}.{prefix}"):
                        return f"{slot}{name}"
                return f"{slot}template" if rest.startswith(TC) else f"{slot}name"
        return super().field_for(path)
